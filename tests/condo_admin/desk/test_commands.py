"""The advice desk from the command line: household budgets, plans, cases and reminder letters.

The estate is built with the services and committed; the commands then run in-process on a
migrated database. Every refusal is one ``Error:`` line, exit status 2, and leaves the database
as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from condo_admin.db import make_engine
from condo_admin.desk.models import (
    Case,
    CaseEntry,
    HouseholdBudget,
    Letter,
    PlanEvent,
    PlanInstallment,
    PlanStatus,
    RepaymentPlan,
)
from tests import factories
from tests.cli_results import ok, refused
from tests.condo_admin.accounting.estate import Estate

DESK_TABLES = (HouseholdBudget, RepaymentPlan, PlanInstallment, PlanEvent, Case, CaseEntry, Letter)


@dataclass
class World:
    engine: Engine
    agency: str
    household: str
    book: str

    def counts(self) -> tuple[int, ...]:
        with Session(self.engine) as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model)) for model in DESK_TABLES
            )

    def plan(self, code: str) -> RepaymentPlan:
        with Session(self.engine, expire_on_commit=False) as session:
            found = session.scalar(select(RepaymentPlan).where(RepaymentPlan.code == code))
            assert found is not None
            return found


@pytest.fixture
def world(cli, empty_database_url: str) -> Iterator[World]:
    """Rossi's household owes 3 x 200.00, due on 10 January, February and March 2025."""
    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        estate = Estate(session)
        for month in (1, 2, 3):
            estate.charge(estate.rossi, date(2025, month, 10), "200.00")
        session.commit()
        yield World(
            engine=engine,
            agency=estate.agency.code,
            household=estate.rossi.household.code,
            book=estate.book.code,
        )
    engine.dispose()


def create_plan(cli, w: World, *extra: str) -> Result:
    return cli(
        "plans", "create", "--agency", w.agency, "--household", w.household, "--book", w.book,
        "--as-of", "2025-03-31", *extra,
    )  # fmt: skip


def test_a_household_budget_is_kept_in_versions(cli, world):
    out = ok(
        cli(
            "household-budget",
            "set",
            "--agency",
            world.agency,
            world.household,
            "--from",
            "2025-01-01",
            "--income",
            "wages=1200",
            "--income",
            "benefits=180,50",
            "--expense",
            "food=400",
            "--expense",
            "housing=450",
        )
    )
    assert "disposable €530.50 a month" in out
    ok(
        cli(
            "household-budget",
            "set",
            "--agency",
            world.agency,
            world.household,
            "--from",
            "2025-04-01",
            "--income",
            "pension=900",
            "--expense",
            "food=350",
        )
    )
    shown = ok(cli("household-budget", "show", "--agency", world.agency, world.household))
    assert "2 versions" in shown
    assert shown.index("from 2025-01-01") < shown.index("from 2025-04-01")


def test_a_bad_budget_line_is_refused_and_nothing_is_saved(cli, world):
    before = world.counts()
    refused(
        cli(
            "household-budget",
            "set",
            "--agency",
            world.agency,
            world.household,
            "--income",
            "lottery=50",
        ),
        "'lottery' is not an income category",
    )
    refused(
        cli(
            "household-budget", "set", "--agency", world.agency, world.household, "--income", "900"
        ),
        "write CATEGORY=AMOUNT",
    )
    assert world.counts() == before


def test_plan_create_with_affordability_then_check_and_show(cli, world):
    ok(
        cli(
            "household-budget",
            "set",
            "--agency",
            world.agency,
            world.household,
            "--from",
            "2025-01-01",
            "--income",
            "wages=1000",
            "--expense",
            "food=700",
        )
    )
    out = ok(
        create_plan(
            cli,
            world,
            "--debt",
            "600",
            "--installments",
            "6",
            "--first",
            "2025-04-15",
            "--code",
            "PR-1",
            "--activate",
        )
    )
    assert "Plan PR-1 active: €600.00 in 6 installments" in out
    assert "33% of it" in out and "WARNING" in out  # 100.00 of 300.00 disposable
    checked = ok(cli("plans", "check", "--as-of", "2025-05-25"))
    assert "PR-1" in checked and "broken" in checked
    assert "missed #1 €100.00 due 2025-04-15, #2 €100.00 due 2025-05-15" in checked
    assert "1 broken" in checked
    assert world.plan("PR-1").status is PlanStatus.BROKEN
    shown = ok(cli("plans", "show", "--agency", world.agency, "PR-1", "--as-of", "2025-05-25"))
    assert "missed" in shown and "break" in shown and "activate" in shown
    assert "0 active plans checked" in ok(cli("plans", "check", "--as-of", "2025-05-25"))


def test_a_plan_from_a_schedule_file_and_its_refusals(cli, world, tmp_path: Path):
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("due_date,amount\n2025-04-30,300.00\n2025-05-31,250,00\n", encoding="utf-8")
    before = world.counts()
    refused(
        create_plan(cli, world, "--debt", "600", "--schedule", str(schedule)),
        "the installments sum to 550.00, the debt is 600.00 (difference -50.00)",
    )
    schedule.write_text("due_date,amount\n2025-05-31,300\n2025-04-30,300\n", encoding="utf-8")
    refused(
        create_plan(cli, world, "--debt", "600", "--schedule", str(schedule)),
        "dates must be in order",
    )
    schedule.write_text("due_date,amount\n2025-05-31,trecento\n", encoding="utf-8")
    refused(
        create_plan(cli, world, "--debt", "300", "--schedule", str(schedule)),
        'schedule.csv, row 2, column "amount"',
    )
    refused(
        create_plan(cli, world, "--debt", "900", "--installments", "3", "--first", "2025-04-30"),
        "larger than the arrears",
    )
    assert world.counts() == before
    ok(
        create_plan(
            cli,
            world,
            "--debt",
            "900",
            "--installments",
            "3",
            "--first",
            "2025-04-30",
            "--override-note",
            "interest agreed with the housing body",
        )
    )


def test_renegotiation_supersedes_the_old_plan_once_signed(cli, world):
    ok(
        create_plan(
            cli,
            world,
            "--debt",
            "600",
            "--installments",
            "6",
            "--first",
            "2025-04-15",
            "--code",
            "PR-1",
            "--activate",
        )
    )
    out = ok(
        cli(
            "plans",
            "renegotiate",
            "--agency",
            world.agency,
            "PR-1",
            "--as-of",
            "2025-04-20",
            "--installments",
            "12",
            "--first",
            "2025-05-15",
            "--new-code",
            "PR-2",
        )
    )
    assert "Plan PR-2 (draft) renegotiates PR-1: €600.00 in 12 installments" in out
    out = ok(cli("plans", "activate", "--agency", world.agency, "PR-2", "--on", "2025-04-22"))
    assert "Plan PR-1 is superseded." in out
    listed = ok(cli("plans", "list", "--agency", world.agency, "--as-of", "2025-04-22"))
    assert "superseded" in listed and "Repayment plans as of 2025-04-22: 2" in listed


def test_cases_from_the_early_warning_list_worked_and_closed(cli, world):
    out = ok(
        cli("cases", "open", "--agency", world.agency, "--from-warnings", "--as-of", "2025-03-31")
    )
    assert "1 cases opened" in out
    case_id = out.split()[0].lstrip("#")
    again = ok(
        cli("cases", "open", "--agency", world.agency, "--from-warnings", "--as-of", "2025-04-01")
    )
    assert "0 cases opened" in again and "1 flagged households already had one" in again
    a = ("--agency", world.agency, case_id)
    ok(cli("cases", "assign", *a, "--to", "operatore.rossi", "--on", "2025-04-01"))
    ok(cli("cases", "note", *a, "--kind", "call", "--text", "No answer", "--on", "2025-04-01"))
    ok(cli("cases", "next", *a, "--what", "visit", "--when", "2025-04-08", "--on", "2025-04-01"))
    ok(cli("cases", "hold-letters", *a, "--reason", "in hospital", "--on", "2025-04-02"))
    shown = ok(cli("cases", "show", *a))
    assert "contacted" in shown and "operatore.rossi" in shown and "[letters held]" in shown
    assert "more than 2 months of charges" in shown  # the flag that opened it
    refused(cli("cases", "close", *a, "--outcome", "paid", "--note", " "), "needs a note")
    ok(cli("cases", "close", *a, "--outcome", "referred", "--note", "to social services"))
    refused(cli("cases", "note", *a, "--text", "late"), "cannot be written in")
    assert "0 cases." in ok(cli("cases", "list", "--agency", world.agency))
    assert "referred" in ok(cli("cases", "list", "--agency", world.agency, "--all"))


def test_reminders_generate_writes_pdfs_a_summary_and_never_repeats(cli, world, tmp_path: Path):
    refused(
        cli(
            "reminders",
            "generate",
            "--agency",
            world.agency,
            "--as-of",
            "2025-04-15",
            "-o",
            str(tmp_path / "x"),
        ),
        "No letter was written",
    )
    assert not (tmp_path / "x").exists()
    ok(
        cli(
            "reminders",
            "contact",
            "--agency",
            world.agency,
            "--name",
            "Sportello Casa",
            "--address",
            "Via Padova 36, Milano",
            "--phone",
            "02 1234",
            "--email",
            "s@example.org",
            "--hours",
            "lun 9-13",
        )
    )
    refused(cli("reminders", "iban", world.book, "IT00X0542811101000000123456"), "not a valid IBAN")
    ok(cli("reminders", "iban", world.book, "IT60 X054 2811 1010 0000 0123 456"))
    out = ok(cli("reminders", "stage", world.book, "formal_notice", "--off"))
    assert "formal_notice      90 days  off" in out
    folder = tmp_path / "letters"
    out = ok(
        cli(
            "reminders",
            "generate",
            "--agency",
            world.agency,
            "--as-of",
            "2025-04-15",
            "-o",
            str(folder),
        )
    )
    assert "1 letters written" in out and "1 second_reminder" in out
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 1
    text = PdfReader(pdfs[0]).pages[0].extract_text()
    assert "600,00 €" in text and "Secondo sollecito" in text
    with (folder / "summary.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["household"], r["stage"], r["amount"]) for r in rows] == [
        (world.household, "second_reminder", "600.00")
    ]
    again = ok(
        cli(
            "reminders",
            "generate",
            "--agency",
            world.agency,
            "--as-of",
            "2025-04-16",
            "-o",
            str(folder),
        )
    )
    assert "0 letters written" in again and "already written on 2025-04-15" in again
    assert "1 letters." in ok(cli("reminders", "log", "--agency", world.agency))


def test_agency_may_be_left_out_while_there_is_only_one(cli, world):
    assert "0 letters." in ok(cli("reminders", "log"))
    with Session(world.engine) as session:
        factories.agency(session)
        session.commit()
    refused(cli("reminders", "log"), "There are several agencies")
    assert "0 letters." in ok(cli("reminders", "log", "--agency", world.agency))
