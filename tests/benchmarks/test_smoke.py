"""The benchmark runs end to end on a tiny profile, so it cannot rot between measurements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.__main__ import main
from condo_admin.accounting.models import UnitRent
from condo_admin.db import make_engine, make_sessionmaker
from ledger import openitems
from ledger.models import Account, OpenItem


def test_the_ledger_benchmark_runs_on_the_smallest_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'bench-xs.sqlite'}"
    args = ["ledger", "--size", "XS", "--db", db, "--samples", "3", "--warmup", "1"]
    assert main([*args, "--json", str(tmp_path / "xs.json")]) == 0
    report = capsys.readouterr().out
    assert "profile XS on sqlite" in report
    assert "bulk posting rate (post_many)" in report
    assert "balanced: True" in report
    assert "debtor accounts tracking items" in report
    assert "real charge run run_charges(2025-01): 40 entries" in report
    assert report.count("total matches debtor balances: True") == 4
    assert "early_warnings(as_of=2024-12-31)" in report
    assert "plans created and activated" in report and "reminders.choose" in report

    figures = json.loads((tmp_path / "xs.json").read_text())
    accounting = figures["accounting"]
    assert accounting["charge_run"]["entries"] == 40
    assert len(accounting["charge_run"]["runs_s"]) == 3
    assert {f["as_of"] for f in accounting["aging"].values()} == {"2024-12-31", "2023-12-31"}
    assert figures["queries"]["data"]["allocations"] > 0
    desk = figures["desk"]
    assert desk["plans"]["count"] > 0
    assert desk["check_plans"]["broken"] == desk["plans"]["count"]  # nobody paid
    assert desk["render_letters"]["letters"] > 0

    engine = make_engine(db)
    try:
        with make_sessionmaker(engine)() as session:
            # Debtor accounts track items, every posting to them is one, and they agree with
            # their allocations; the timed charge runs were rolled back.
            assert session.scalar(select(func.count()).where(Account.tracks_items)) == 43
            assert session.scalar(select(func.count()).select_from(OpenItem)) == 2_807
            assert session.scalar(select(func.count()).select_from(UnitRent)) == 40
            assert openitems.verify(session) == []
    finally:
        engine.dispose()

    # Reusing the data times everything again: the charge run can be repeated.
    assert main([*args, "--reuse"]) == 0
    assert "Generation (reused: generated earlier" in capsys.readouterr().out


def test_the_large_profile_refuses_sqlite(tmp_path: Path) -> None:
    assert main(["ledger", "--size", "L", "--db", f"sqlite:///{tmp_path / 'l.sqlite'}"]) == 2


def test_the_web_benchmark_times_the_admin_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'bench-xs.sqlite'}"
    assert main(["ledger", "--size", "XS", "--db", db, "--samples", "2", "--warmup", "1"]) == 0
    capsys.readouterr()
    assert main(["web", "--size", "XS", "--db", db, "--samples", "1"]) == 0
    report = capsys.readouterr().out
    assert "/dashboard" in report and "/reports/aging" in report
    assert "(403)" not in report and "(500)" not in report
