"""The benchmark runs end to end on a tiny profile, so it cannot rot between measurements."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import main


def test_the_ledger_benchmark_runs_on_the_smallest_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'bench-xs.sqlite'}"
    args = ["ledger", "--size", "XS", "--db", db, "--samples", "3", "--warmup", "1"]
    assert main(args) == 0
    report = capsys.readouterr().out
    assert "profile XS on sqlite" in report
    assert "bulk posting rate (post_many)" in report
    assert "balanced: True" in report


def test_the_large_profile_refuses_sqlite(tmp_path: Path) -> None:
    assert main(["ledger", "--size", "L", "--db", f"sqlite:///{tmp_path / 'l.sqlite'}"]) == 2
