"""``condo payments`` and ``condo report`` from the command line, on a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.references import printable
from condo_admin.db import make_engine
from ledger.models import JournalEntry
from tests.condo_admin.accounting.estate import Estate


@pytest.fixture
def estate(cli, empty_database_url: str) -> Iterator[dict]:
    """Rossi owes January and February (100 each); Bianchi owes nothing."""
    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        estate = Estate(session)
        january = estate.charge(estate.rossi, date(2025, 1, 10), "100.00")
        february = estate.charge(estate.rossi, date(2025, 2, 10), "100.00")
        estate.charge(estate.bianchi, date(2025, 2, 10), "70.00")
        session.commit()
        yield {
            "session": session,
            "rossi": printable(estate.rossi.rf_reference),
            "bianchi_code": f"{estate.book.code}:{estate.bianchi.account.code}",
            "january": january,
            "february": february,
            "estate": estate,
        }
    engine.dispose()


def entries(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_recording_a_payment_says_what_it_paid(cli, estate) -> None:
    result = cli(
        "payments",
        "record",
        "--account",
        estate["rossi"],
        "--amount",
        "150,00",
        "--date",
        "2025-03-01",
        "--designate",
        str(estate["february"]),
    )
    assert result.exit_code == 0, result.output
    assert f"paid #{estate['february']}" in result.output
    assert "€100.00" in result.output and "€50.00" in result.output
    opened = cli("payments", "open", "--account", estate["rossi"], "--as-of", "2025-03-01")
    assert f"#{estate['january']}" in opened.output and "1 charges open, €50.00" in opened.output


def test_a_payment_with_a_key_is_recorded_once(cli, estate) -> None:
    args = ("payments", "record", "--account", estate["bianchi_code"], "--amount", "70")
    first = cli(*args, "--date", "2025-03-01", "--key", "bank:1")
    again = cli(*args, "--date", "2025-03-01", "--key", "bank:1")
    assert "recorded." in first.output and "already recorded" in again.output


def test_refusals_are_one_line_and_write_nothing(cli, estate) -> None:
    before = entries(estate["session"])
    bad = [
        (("--account", estate["rossi"], "--amount", "-5"), "expected a number not below zero"),
        (("--account", estate["rossi"], "--amount", "0,00"), "must be positive, 0.00 was given"),
        (("--account", "RF00 0000", "--amount", "5"), "No debtor account has the reference"),
        (("--account", estate["rossi"], "--amount", "13.000"), "'13.000' is not a valid amount"),
        (
            ("--account", estate["bianchi_code"], "--amount", "5", "--designate", "999999"),
            "there is no such entry",
        ),
        (
            (
                "--account",
                estate["bianchi_code"],
                "--amount",
                "5",
                "--designate",
                str(estate["january"]),
            ),
            "a payment can only designate its own household's charges",
        ),
    ]
    for args, message in bad:
        result = cli("payments", "record", *args, "--date", "2025-03-01")
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output
    assert entries(estate["session"]) == before


def test_reversing_a_payment_from_the_command_line(cli, estate) -> None:
    recorded = cli(
        "payments",
        "record",
        "--account",
        estate["rossi"],
        "--amount",
        "100",
        "--date",
        "2025-03-01",
    )
    payment = recorded.output.split("#", 2)[1].split()[0]
    result = cli("payments", "reverse", payment, "--reason", "Assegno insoluto")
    assert result.exit_code == 0, result.output
    opened = cli("payments", "open", "--account", estate["rossi"], "--as-of", "2025-03-02")
    assert "2 charges open, €200.00" in opened.output


def test_aging_as_a_table_csv_and_workbook(cli, estate, tmp_path: Path) -> None:
    table = cli("report", "aging", "--as-of", "2025-03-31")
    assert table.exit_code == 0, table.output
    assert "Arrears aging as of 2025-03-31, by household" in table.output
    assert "270.00" in table.output  # 200 + 70
    csv_text = cli(
        "report", "aging", "--as-of", "2025-03-31", "--by", "building", "--format", "csv"
    )
    assert csv_text.output.splitlines()[-1].endswith(",0.00,270.00")
    target = tmp_path / "aging.xlsx"
    written = cli(
        "report",
        "aging",
        "--as-of",
        "2025-03-31",
        "--by",
        "unit",
        "--format",
        "xlsx",
        "-o",
        str(target),
    )
    assert written.exit_code == 0, written.output
    sheet = load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "unit" and sheet.max_row == 4  # header, two units, total


def test_xlsx_without_a_file_is_refused(cli, estate) -> None:
    result = cli("report", "aging", "--as-of", "2025-03-31", "--format", "xlsx")
    assert result.exit_code == 2 and "needs an output file" in result.output


def test_early_warning_lists_the_household_and_why(cli, estate) -> None:
    result = cli("report", "early-warning", "--as-of", "2025-03-31")
    assert result.exit_code == 0, result.output
    rossi = estate["estate"].rossi.household.code
    assert rossi in result.output and "over_two_months" in result.output
    assert "plan_missed" not in result.output  # no plans here: see tests/condo_admin/desk
