"""The ``condo`` command: a refusal is one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from condo_admin.cli import main
from condo_admin.db import make_engine
from ledger.posting import Leg, post
from tests import factories


@pytest.fixture
def migrated(cli, empty_database_url: str) -> Iterator[Session]:
    """A migrated database holding one book ``BK…`` with two entries, committed."""
    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        book, acc = factories.book(session)
        for day in (5, 6):
            post(
                session,
                book,
                date(2024, 1, day),
                [Leg(acc["DEBTOR"], "150.00"), Leg(acc["INC.RENT"], "-150.00")],
                memo=f"Rent January ({day})",
                actor="test",
            )
        session.commit()
        session.info["book"] = book
        yield session
    engine.dispose()


def assert_refused(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output


def test_init_db_creates_then_reports_up_to_date(cli) -> None:
    first = cli("init-db")
    assert first.exit_code == 0 and "upgraded from empty to" in first.output
    again = cli("init-db")
    assert again.exit_code == 0 and "is up to date" in again.output


def test_trial_balance_prints_money_in_the_locale(cli, migrated: Session) -> None:
    result = cli("ledger", "trial-balance", "--book", migrated.info["book"].code)
    assert result.exit_code == 0, result.output
    assert "INC.RENT" in result.output and "€300.00" in result.output


def test_unknown_book_is_refused(cli, migrated: Session) -> None:
    assert_refused(cli("ledger", "trial-balance", "--book", "NOPE"), "Book NOPE does not exist.")


def test_lock_moves_forward_only(cli, migrated: Session) -> None:
    code = migrated.info["book"].code
    assert cli("ledger", "lock", "--book", code, "--date", "2024-01-31").exit_code == 0
    assert_refused(
        cli("ledger", "lock", "--book", code, "--date", "2023-12-31"),
        f"The lock date of book {code} only moves forward: it is 2024-01-31, 2023-12-31 was asked.",
    )


def test_reverse_entry_and_refuse_a_second_reversal(cli, migrated: Session) -> None:
    first = cli("ledger", "reverse", "1", "--reason", "charged twice")
    assert first.exit_code == 0, first.output
    assert "Entry #1 reversed by entry #3" in first.output
    assert_refused(
        cli("ledger", "reverse", "1", "--reason", "again"),
        "Entry #1 was already reversed by entry #3.",
    )
    assert_refused(cli("ledger", "reverse", "99", "--reason", "x"), "Entry #99 does not exist.")


def test_reversal_into_a_locked_period_is_refused(cli, migrated: Session) -> None:
    code = migrated.info["book"].code
    cli("ledger", "lock", "--book", code, "--date", "2024-01-31")
    assert_refused(
        cli("ledger", "reverse", "2", "--reason", "wrong"),
        f"Book {code} is locked up to 2024-01-31",
    )
    later = cli("ledger", "reverse", "2", "--reason", "wrong", "--date", "2024-02-01")
    assert later.exit_code == 0, later.output


def test_statement_pages_with_a_cursor(cli, migrated: Session) -> None:
    code = migrated.info["book"].code
    page = cli("ledger", "statement", code, "DEBTOR", "--limit", "1")
    assert page.exit_code == 0 and "more: --after" in page.output
    cursor = page.output.strip().splitlines()[-1].split()[-1]
    rest = cli("ledger", "statement", code, "DEBTOR", "--limit", "1", "--after", cursor)
    assert (
        "Rent January (6)" in rest.output
        and "€300.00" in rest.output
        and "more:" not in rest.output
    )


def test_export_journal_writes_a_file(cli, migrated: Session, tmp_path: Path) -> None:
    out = tmp_path / "ledger.journal"
    result = cli("export-journal", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Rent January (5)" in text and f"{migrated.info['book'].code}:DEBTOR" in text
    assert_refused(
        cli("export-journal", "--book", "NOPE", "-o", str(out)), "Book NOPE does not exist."
    )


def test_an_unreachable_database_is_one_line(instance_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CONDO_INSTANCE_PATH", str(instance_path))
    result = CliRunner().invoke(
        main, ["--database-url", "postgresql://nobody@127.0.0.1:1/x", "init-db"]
    )
    assert_refused(result, "database error: connection")


def test_a_bad_date_option_is_a_usage_error(cli) -> None:
    result = cli("ledger", "lock", "--book", "X", "--date", "31/01/2024")
    assert result.exit_code == 2 and "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_serve_answers_the_health_check_with_a_production_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    env = os.environ | {"CONDO_DATABASE_URL": url, "CONDO_INSTANCE_PATH": str(tmp_path / "inst")}
    condo = [sys.executable, "-m", "condo_admin"]
    subprocess.run([*condo, "init-db"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*condo, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", server)
        assert b'"status":"ok"' in body.replace(b" ", b"")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_seed_demo_fills_an_empty_database_once(cli) -> None:
    assert cli("init-db").exit_code == 0
    seeded = cli("seed-demo", "--today", "2026-11-25")
    assert seeded.exit_code == 0, seeded.output
    assert "2 housing bodies, 3 buildings" in seeded.output
    assert "households in arrears" in seeded.output and "€" in seeded.output
    assert_refused(cli("seed-demo"), "the database already holds data")


def test_demo_sets_up_seeds_and_serves(tmp_path: Path) -> None:
    env = os.environ | {"CONDO_INSTANCE_PATH": str(tmp_path / "inst")}
    env.pop("CONDO_DATABASE_URL", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "condo_admin", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", server, timeout=120)
        assert b'"status":"ok"' in body.replace(b" ", b"")
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert "Demo data created" in output and f"http://127.0.0.1:{port}" in output
    assert (tmp_path / "inst" / "condo.sqlite").exists()


def test_charges_run_posts_a_month_once(cli, empty_database_url: str) -> None:
    from condo_admin.accounting.books import open_creditor_book
    from condo_admin.accounting.charges import set_rent
    from condo_admin.accounting.models import BookPurpose
    from condo_admin.registry import operations as registry

    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        agency = factories.agency(session)
        body = registry.create_housing_body(session, agency, "ALER", "ALER", "public", actor="t")
        unit = registry.create_unit(
            session, factories.building(session, agency), "A01", "flat", owner_body=body, actor="t"
        )
        household = factories.household(session, agency)
        registry.start_occupancy(session, household, unit, start=date(2024, 1, 1), actor="t")
        open_creditor_book(
            session,
            "CAN-ALER",
            "Canoni",
            creditor=body,
            purpose=BookPurpose.RENT,
            opened_on=date(2024, 1, 1),
            income_categories={"RENT": "Canoni"},
            actor="t",
        )
        set_rent(session, unit, "250.00", valid_from=date(2024, 1, 1), actor="t")
        session.commit()
    engine.dispose()
    first = cli("charges", "run", "--period", "2025-03")
    assert first.exit_code == 0, first.output
    assert "CAN-ALER" in first.output and "€250.00" in first.output and "posted" in first.output
    again = cli("charges", "run", "--period", "2025-03", "--book", "CAN-ALER")
    assert again.exit_code == 0 and "already run, nothing posted" in again.output
    assert_refused(cli("charges", "run", "--period", "2025-3"), "'2025-3' is not a period")
