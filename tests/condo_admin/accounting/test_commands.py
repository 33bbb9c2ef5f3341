"""The accounting commands: share tables, budgets, year-end, one-off charges and rents from files.

Each command runs through the real ``condo`` group on a migrated database of its own (SQLite and
PostgreSQL), with real .csv and .xlsx files. Refusals are one ``Error:`` line naming the file, the
row and the column, and the database is looked at afterwards to show that nothing was written.
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import (
    Budget,
    BudgetActual,
    BudgetStatus,
    DebtorAccount,
    Share,
    ShareTable,
    UnitRent,
)
from condo_admin.accounting.shares import define_share_table
from condo_admin.audit.models import AuditEvent
from condo_admin.cli import main
from condo_admin.db import make_engine
from condo_admin.registry import operations as registry
from condo_admin.registry.models import Building, Occupancy, Unit
from condo_admin.tabular import (
    MissingColumns,
    NotANumber,
    UnreadableTable,
    parse_decimal,
    parse_number,
    read_table,
)
from ledger.models import Book, JournalEntry
from ledger.queries import balance
from tests import factories
from tests.condo_admin.test_cli import assert_refused
from tests.factories import ACTOR


@pytest.fixture
def cli(empty_database_url: str, instance_path: Path, monkeypatch):
    """As in test_cli, but the command is one shell-like string; paths follow as arguments."""
    monkeypatch.setenv("CONDO_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CONDO_LOCALE", "en_GB")
    runner = CliRunner()

    def run(command: str, *files: Path) -> Result:
        args = ["--database-url", empty_database_url, *shlex.split(command), *map(str, files)]
        return runner.invoke(main, args)

    return run


@dataclass
class Estate:
    """What the fixture committed: the codes to type, and a way to look at the database."""

    engine: Engine
    building: str
    book: str

    def count(self, model: type, *where: Any) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))

    def debt(self, unit_code: str) -> Decimal:
        """What the households of ``unit_code`` owe on the building's service-charge book."""
        with Session(self.engine) as session:
            accounts = session.scalars(
                select(DebtorAccount.account_id)
                .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
                .join(Unit, Unit.id == Occupancy.unit_id)
                .join(Book, Book.id == DebtorAccount.book_id)
                .where(Unit.code == unit_code, Book.code == self.book)
            ).all()
            return sum((balance(session, a) for a in accounts), Decimal("0.00"))


@pytest.fixture
def estate(cli, empty_database_url: str) -> Iterator[Estate]:
    """One building of three flats owned by a housing body, A01 and A02 let since 2024 and A03
    vacant, with its service-charge book: committed, as an administrator would find it."""
    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        agency = factories.agency(session)
        body = registry.create_housing_body(
            session, agency, "ALER", "ALER Milano", "public", actor=ACTOR
        )
        building = factories.building(session, agency)
        flats = {
            code: registry.create_unit(
                session, building, code, "flat", owner_body=body, actor=ACTOR
            )
            for code in ("A01", "A02", "A03")
        }
        for code in ("A01", "A02"):
            household = factories.household(session, agency)
            registry.start_occupancy(
                session, household, flats[code], start=date(2024, 1, 1), actor=ACTOR
            )
        book = factories.service_book(session, building)
        found = Estate(engine, building.code, book.code)
        session.commit()
    yield found
    engine.dispose()


def with_tables(estate: Estate) -> None:
    """GEN splits 500/300/200 over A01/A02/A03; LIFT 200/800 over A01/A02 (A03 has no lift)."""
    with Session(estate.engine) as session:
        building = session.scalar(select(Building).where(Building.code == estate.building))
        units = {unit.code: unit for unit in building.units}
        for code, kind, shares in (
            ("GEN", "general", {"A01": "500", "A02": "300", "A03": "200"}),
            ("LIFT", "lift", {"A01": "200", "A02": "800"}),
        ):
            by_unit = {units[u]: share for u, share in shares.items()}
            define_share_table(session, building, code, code.title(), kind, by_unit, actor=ACTOR)
        session.commit()


def write_csv(path: Path, rows: Sequence[Sequence[Any]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    workbook.save(path)
    return path


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def split_lines(output: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines()]


SHARES = ("unit", "thousandths")
BUDGET = ("category", "name", "amount", "table")
BUDGET_ROWS = [
    BUDGET,
    ("CLEANING", "Pulizia scale", "1.000,00", "GEN"),
    ("lift", "Ascensore", "500", "LIFT"),
]


def make_budget(cli, estate: Estate, tmp_path: Path, *, approve: bool = True) -> None:
    with_tables(estate)
    file = write_csv(tmp_path / "budget.csv", BUDGET_ROWS)
    b = estate.building
    ok(cli(f"budget create --building {b} --year 2025 --installments 2025-01-15,2025-07-15", file))
    if approve:
        ok(cli(f"budget approve --building {b} --year 2025"))


# --- reading files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1,234.56", "1234.56"),
        ("12.345", "12.345"),
        ("€ 12,50", "12.50"),
        ("13.000", "13.000"),  # for shares; parse_number refuses it as an amount
        ("-5", "-5"),
    ],
)
def test_numbers_are_read_exactly_in_italian_and_plain_notation(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)
    assert isinstance(parse_decimal(text), Decimal)


@pytest.mark.parametrize("text", ["abc", "", "1,234,567", "1e5", "1 234", "12.3.4,5,6", "١٢"])
def test_ambiguous_or_foreign_numbers_are_refused_not_guessed(text: str) -> None:
    assert parse_decimal(text) is None


def test_one_group_of_three_digits_is_ambiguous_for_money_but_not_for_shares() -> None:
    assert parse_number("12.345", example="12.345", places=4) == Decimal("12.345")
    for text in ("13.000", "1,500", "-2.000", "€ 13.000"):
        with pytest.raises(NotANumber, match=r"an unambiguous amount"):
            parse_number(text, example="1234.56", places=2)
    assert parse_number("13.000,00", example="1234.56", places=2) == Decimal("13000.00")
    assert parse_number("1.234.567", example="1234.56", places=2) == Decimal(1234567)
    assert parse_number("13000", example="1234.56", places=2, positive=True) == Decimal(13000)


def test_csv_and_xlsx_give_the_same_rows_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    rows = [("Unit ", "THOUSANDTHS", "note"), ("A01", "333.333", ""), (), ("A02", "666.667", "x")]
    from_csv = read_table(write_csv(tmp_path / "s.csv", rows, delimiter=","), SHARES)
    xlsx_rows = [rows[0], ("A01", 333.333), (None,), ("A02", 666.667, "x")]
    from_xlsx = read_table(write_xlsx(tmp_path / "s.xlsx", xlsx_rows), SHARES)
    for table in (from_csv, from_xlsx):
        assert [(r.number, r["unit"], r["thousandths"]) for r in table] == [
            (2, "A01", "333.333"),
            (4, "A02", "666.667"),
        ]


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("unit;thousandths\nPiù;1\n".encode("latin-1"))
    with pytest.raises(UnreadableTable, match=r"latin1.csv: it is not UTF-8 text \(in Excel save"):
        read_table(latin1, ["unit"])
    (tmp_path / "shares.ods").write_text("x")
    with pytest.raises(UnreadableTable, match=r"shares.ods: expected a .csv or .xlsx file"):
        read_table(tmp_path / "shares.ods", ["unit"])
    (tmp_path / "fake.xlsx").write_text("unit,thousandths\n")
    with pytest.raises(UnreadableTable, match=r"fake.xlsx: not an Excel .xlsx workbook"):
        read_table(tmp_path / "fake.xlsx", ["unit"])
    with pytest.raises(UnreadableTable, match=r"empty.csv: there are no rows under the header"):
        read_table(write_csv(tmp_path / "empty.csv", [SHARES]), ["unit"])
    with pytest.raises(UnreadableTable, match=r"missing.csv: cannot be read \(no such file"):
        read_table(tmp_path / "missing.csv", ["unit"])
    with pytest.raises(MissingColumns, match=r'm.csv: the header row has no column "amount"'):
        read_table(write_csv(tmp_path / "m.csv", [("unit",), ("A01",)]), ["unit", "amount"])


# --- condo shares ------------------------------------------------------------------------------


def define(cli, estate: Estate, file: Path) -> Result:
    b = estate.building
    return cli(f"shares define --building {b} --table GEN --name Generale --kind general", file)


def assert_no_share_table(estate: Estate) -> None:
    assert estate.count(ShareTable) == 0 and estate.count(Share) == 0
    assert estate.count(AuditEvent, AuditEvent.action.like("share_table.%")) == 0


def test_define_a_share_table_from_an_italian_csv_and_show_it(cli, estate, tmp_path) -> None:
    rows = [SHARES, ("A01", "333,333"), ("A02", "333,333"), ("A03", "333,334")]
    file = write_csv(tmp_path / "shares.csv", rows)
    b = estate.building
    out = ok(
        cli(
            f"shares define --building {b} --table GEN --name 'Proprietà generale' --kind general",
            file,
        )
    )
    assert f'Share table {b}/GEN "Proprietà generale" (general) defined' in out
    assert "3 units, 1,000 thousandths." in out
    shown = ok(cli(f"shares show --building {b} --table GEN"))
    assert split_lines(shown)[2:] == [
        ["A01", "333.333"],
        ["A02", "333.333"],
        ["A03", "333.334"],
        ["total", "1,000"],
    ]


def test_define_a_share_table_from_an_xlsx_with_number_cells(cli, estate, tmp_path) -> None:
    rows = [SHARES, ("A01", 412.5), ("A02", 587.5), ("a03", 0)]  # a03: codes match by case too
    file = write_xlsx(tmp_path / "lift.xlsx", rows)
    ok(cli(f"shares define --building {estate.building} --table LIFT --name L --kind lift", file))
    with Session(estate.engine) as session:
        stored = {s.unit.code: s.thousandths for s in session.scalars(select(Share))}
    assert stored == {"A01": Decimal("412.5"), "A02": Decimal("587.5"), "A03": Decimal(0)}


def test_shares_not_summing_to_1000_are_refused_naming_the_table_and_sum(
    cli, estate, tmp_path
) -> None:
    file = write_csv(tmp_path / "shares.csv", [SHARES, ("A01", "500"), ("A02", "499,999")])
    assert_refused(
        define(cli, estate, file),
        f"Share table {estate.building}/GEN: the shares sum to 999.999 thousandths "
        "instead of 1000.",
    )
    assert_no_share_table(estate)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", 'expected a number such as 12.345, found "abc".'),
        ("1,23456", 'expected a number with at most 4 decimals, such as 12.345, found "1,23456".'),
        ("-5", 'expected a number not below zero, found "-5".'),
        ("", "expected a number such as 12.345, found an empty cell."),
    ],
)
def test_a_bad_share_names_the_file_row_and_column(
    cli, estate, tmp_path, cell: str, message: str
) -> None:
    rows = [SHARES, ("A01", "500"), ("A02", "300"), ("A03", cell)]
    result = define(cli, estate, write_csv(tmp_path / "shares.csv", rows))
    assert_refused(result, f'shares.csv, row 4, column "thousandths": {message}')
    assert_no_share_table(estate)


def test_an_unknown_or_repeated_unit_is_refused(cli, estate, tmp_path) -> None:
    rows = [SHARES, ("A01", "500"), ("Z99", "500")]
    assert_refused(
        define(cli, estate, write_csv(tmp_path / "shares.csv", rows)),
        f'shares.csv, row 3, column "unit": expected a unit code of building {estate.building}, '
        'found "Z99".',
    )
    rows = [SHARES, ("A01", "500"), ("A02", "250"), ("A01", "250")]
    assert_refused(
        define(cli, estate, write_xlsx(tmp_path / "shares.xlsx", rows)),
        'shares.xlsx, row 4, column "unit": "A01" was already given on row 2.',
    )
    assert_no_share_table(estate)


def test_a_missing_column_is_refused_naming_what_the_header_has(cli, estate, tmp_path) -> None:
    file = write_csv(tmp_path / "shares.csv", [("unit", "millesimi"), ("A01", "1000")])
    assert_refused(
        define(cli, estate, file),
        'shares.csv: the header row has no column "thousandths" (it has "unit", "millesimi").',
    )
    assert_no_share_table(estate)


def test_revise_replaces_the_shares_and_lists_what_changed(cli, estate, tmp_path) -> None:
    with_tables(estate)
    b = estate.building
    file = write_csv(tmp_path / "gen.csv", [SHARES, ("A01", "450"), ("A02", "350"), ("A03", "200")])
    out = ok(cli(f"shares revise --building {b} --table GEN", file))
    assert split_lines(out)[:2] == [["A01", "500", "->", "450"], ["A02", "300", "->", "350"]]
    assert "2 units changed, 3 units in the table" in out
    bad = write_csv(tmp_path / "bad.csv", [SHARES, ("A01", "1")])
    assert_refused(
        cli(f"shares revise --building {b} --table GEN", bad),
        "the shares sum to 1 thousandths instead of 1000",
    )
    shown = split_lines(ok(cli(f"shares show --building {b} --table GEN")))
    assert ["A01", "450"] in shown and ["A02", "350"] in shown


def test_an_unknown_building_or_table_is_one_line(cli, estate) -> None:
    assert_refused(cli("shares show --building NOPE --table GEN"), "Building NOPE does not exist.")
    assert_refused(
        cli(f"shares show --building {estate.building} --table NOPE"),
        f"Share table {estate.building}/NOPE does not exist.",
    )


def test_a_building_code_used_by_two_agencies_needs_agency(cli, estate) -> None:
    with Session(estate.engine) as session:
        other = factories.agency(session)
        registry.create_building(
            session,
            other,
            estate.building,
            "Altro stabile",
            address="Via Roma 1",
            postcode="20100",
            city="Milano",
            province="MI",
            actor=ACTOR,
        )
        first = session.scalar(select(Building).where(Building.agency_id != other.id))
        agencies = sorted([other.code, first.agency.code])
        session.commit()
    b = estate.building
    assert_refused(
        cli(f"shares show --building {b} --table GEN"),
        f"Building code {b} is used by the agencies {', '.join(agencies)}: add --agency CODE.",
    )
    assert_refused(
        cli(f"shares show --building {b} --agency {agencies[1]} --table GEN"),
        f"Share table {b}/GEN does not exist.",
    )


# --- condo budget ------------------------------------------------------------------------------


def test_create_approve_and_show_a_budget_with_each_units_part(cli, estate, tmp_path) -> None:
    with_tables(estate)
    b = estate.building
    file = write_csv(tmp_path / "budget.csv", BUDGET_ROWS)
    created = ok(
        cli(f"budget create --building {b} --year 2025 --installments 2025-01-15,2025-07-15", file)
    )
    assert f"Budget {b} 2025 (draft)" in created
    assert "set at approval" in created and "€1,500.00" in created
    preview = ok(cli(f"budget show --building {b} --year 2025 --units"))
    assert "preview" in preview and ["A03", "€200.00", "€0.00", "€200.00"] in split_lines(preview)

    approved = ok(cli(f"budget approve --building {b} --year 2025"))
    assert (
        f"Budget {b} 2025 approved: €1,500.00 split over 3 units in 2 installments, "
        "the first due 15/01/2025." in approved
    )
    out = ok(cli(f"budget show --building {b} --year 2025 --units"))
    lines = split_lines(out)
    assert ["CLEANING", "Pulizia", "scale", "GEN", "€1,000.00"] in lines
    assert ["LIFT", "Ascensore", "LIFT", "€500.00"] in lines
    assert ["total", "€1,500.00"] in lines
    assert ["1", "15/01/2025", "€750.00"] in lines and ["2", "15/07/2025", "€750.00"] in lines
    # CLEANING 1000 by 500/300/200 and LIFT 500 by 200/800: the parts fixed at approval.
    assert ["A01", "€500.00", "€100.00", "€600.00"] in lines
    assert ["A02", "€300.00", "€400.00", "€700.00"] in lines
    assert ["A03", "€200.00", "€0.00", "€200.00"] in lines
    assert "(approved, approved on" in out

    assert_refused(
        cli(f"budget approve --building {b} --year 2025"), f"Budget {b} 2025 was approved on"
    )


def test_create_a_budget_from_an_xlsx_with_text_and_number_amounts(cli, estate, tmp_path) -> None:
    with_tables(estate)
    rows = [BUDGET, ("CLEANING", "Pulizia", "1.200,50", "GEN"), ("LIFT", "Lift", 300.25, "LIFT")]
    file = write_xlsx(tmp_path / "budget.xlsx", rows)
    ok(
        cli(
            f"budget create --building {estate.building} --year 2025 --installments 2025-03-31",
            file,
        )
    )
    with Session(estate.engine) as session:
        budget = session.scalar(select(Budget))
        assert [(line.category, line.amount_cents) for line in budget.lines] == [
            ("CLEANING", 120050),
            ("LIFT", 30025),
        ]


def assert_no_budget(estate: Estate) -> None:
    assert estate.count(Budget) == 0
    assert estate.count(AuditEvent, AuditEvent.action.like("budget.%")) == 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("HEATING", "Riscaldamento", "800", "XYZ"),
            'column "table": expected a share table of building {b} (GEN, LIFT), found "XYZ".',
        ),
        (
            ("HEATING", "Riscaldamento", "8OO", "GEN"),
            'column "amount": expected a number such as 1234.56 or 1.234,56, found "8OO".',
        ),
        (
            ("HEATING", "Riscaldamento", "10,0051", "GEN"),
            'column "amount": expected a number with at most 2 decimals',
        ),
        (
            ("HEATING", "Riscaldamento", "8.000", "GEN"),
            'column "amount": expected an unambiguous amount (8000 or 8.000,00 for thousands, '
            'at most 2 decimals otherwise), found "8.000".',
        ),
        (
            ("HEATING", "Riscaldamento", "0", "GEN"),
            'column "amount": expected a number above zero, found "0".',
        ),
        (
            ("cleaning", "Again", "1", "GEN"),
            'column "category": "cleaning" was already given on row 2.',
        ),
        (("HEAT ING", "Heating", "1", "GEN"), 'column "category": expected a code of letters'),
        (("HEATING", "", "1", "GEN"), 'column "name": expected a value, found an empty cell.'),
    ],
)
def test_a_bad_budget_row_is_refused_and_nothing_is_written(
    cli, estate, tmp_path, row: tuple[str, ...], message: str
) -> None:
    with_tables(estate)
    b = estate.building
    file = write_csv(tmp_path / "budget.csv", [*BUDGET_ROWS, row])
    result = cli(f"budget create --building {b} --year 2025 --installments 2025-01-15", file)
    assert_refused(result, "budget.csv, row 4, " + message.format(b=b))
    assert_no_budget(estate)


def test_budget_file_and_option_refusals(cli, estate, tmp_path) -> None:
    with_tables(estate)
    create = f"budget create --building {estate.building} --year 2025 --installments"
    missing = write_csv(tmp_path / "budget.csv", [("category", "name", "amount"), ("X", "Y", "1")])
    assert_refused(
        cli(f"{create} 2025-01-15", missing),
        'budget.csv: the header row has no column "table" (it has "category", "name", "amount").',
    )
    good = write_csv(tmp_path / "good.csv", BUDGET_ROWS)
    assert_refused(
        cli(f"{create} 2025-01-15,2025-13-01", good), "--installments: '2025-13-01' is not a date."
    )
    assert_refused(
        cli(f"{create} 2025-07-15,2025-01-15", good), "installment due dates must be in order"
    )
    assert_refused(
        cli(f"budget show --building {estate.building} --year 2031"),
        f"Budget {estate.building} 2031 does not exist.",
    )
    assert_no_budget(estate)


# --- condo budget close ------------------------------------------------------------------------


def test_close_a_year_charges_and_credits_each_unit_its_difference(cli, estate, tmp_path) -> None:
    make_budget(cli, estate, tmp_path)
    b = estate.building
    # Cleaning cost 200.00 more (A01 +100, A02 +60, A03 +40), the lift 200.00 less (A01 -40,
    # A02 -160): A01 is charged 60.00, A02 credited 100.00, and A03 is vacant.
    rows = [("category", "actual"), ("Cleaning", 1200), ("LIFT", "300,00")]
    file = write_xlsx(tmp_path / "final.xlsx", rows)
    out = ok(cli(f"budget close --building {b} --year 2025 --on 2026-03-31", file))
    lines = split_lines(out)
    assert f"Year-end adjustment of budget {b} 2025 on 31/03/2026: 2 entries." in out
    assert lines[1][0] == "A01" and lines[1][-2:] == ["charged", "€60.00"]
    assert lines[2][0] == "A02" and lines[2][-2:] == ["credited", "€100.00"]
    assert f"not charged: {b}/A03: vacant on 2026-03-31 (40.00)" in out
    assert "charged €60.00, credited €100.00, net -€40.00" in out
    assert estate.debt("A01") == Decimal("60.00") and estate.debt("A02") == Decimal("-100.00")

    shown = ok(cli(f"budget show --building {b} --year 2025"))
    assert "(closed, approved on" in shown
    assert ["total", "€1,500.00", "€1,500.00"] in split_lines(shown)
    assert_refused(
        cli(f"budget close --building {b} --year 2025", file),
        f"Budget {b} 2025: it is closed, not approved.",
    )
    assert_refused(
        cli(f"budget approve --building {b} --year 2025"),
        f"Budget {b} 2025: it is closed and can no longer change.",
    )


def test_closing_a_year_not_approved_is_refused_and_writes_nothing(cli, estate, tmp_path) -> None:
    make_budget(cli, estate, tmp_path, approve=False)
    rows = [("category", "actual"), ("CLEANING", "1200"), ("LIFT", "300")]
    file = write_csv(tmp_path / "final.csv", rows)
    assert_refused(
        cli(f"budget close --building {estate.building} --year 2025 --on 2026-03-31", file),
        f"Budget {estate.building} 2025: it is draft, not approved.",
    )
    assert estate.count(JournalEntry) == 0 and estate.count(BudgetActual) == 0
    with Session(estate.engine) as session:
        assert session.scalar(select(Budget.status)) is BudgetStatus.DRAFT


def test_final_accounts_with_a_bad_category_or_amount_are_refused(cli, estate, tmp_path) -> None:
    make_budget(cli, estate, tmp_path)
    b = estate.building
    close = f"budget close --building {b} --year 2025"
    head = ("category", "actual")
    unknown = write_csv(tmp_path / "final.csv", [head, ("CLEANING", "1200"), ("HEATING", "5")])
    assert_refused(
        cli(close, unknown),
        f'final.csv, row 3, column "category": expected a category of budget {b} 2025 '
        '(CLEANING, LIFT), found "HEATING".',
    )
    partial = write_csv(tmp_path / "partial.csv", [head, ("CLEANING", "1200")])
    assert_refused(
        cli(close, partial),
        "final accounts must give every category (missing: LIFT; unknown: none)",
    )
    negative = write_csv(tmp_path / "neg.csv", [head, ("CLEANING", "-1"), ("LIFT", "1")])
    assert_refused(
        cli(close, negative),
        'neg.csv, row 2, column "actual": expected a number not below zero, found "-1".',
    )
    assert estate.count(JournalEntry) == 0 and estate.count(BudgetActual) == 0


# --- condo charges one-off ---------------------------------------------------------------------


def one_off(estate: Estate) -> str:
    return (
        f"charges one-off --building {estate.building} --date 2025-03-15 "
        "--memo 'Rifacimento tetto' --category works"
    )


def test_a_one_off_charge_split_by_a_table_posts_once(cli, estate) -> None:
    with_tables(estate)
    command = f"{one_off(estate)} --table GEN --amount 1.000,00"
    out = ok(cli(command))
    assert 'One-off charge WORKS "Rifacimento tetto" due 15/03/2025' in out
    assert "2 entries, €800.00, posted." in out
    assert f"not charged: {estate.building}/A03: vacant on 2025-03-15 (200.00)" in out
    assert "already charged, nothing posted" in ok(cli(command))
    assert estate.count(JournalEntry) == 2
    assert estate.debt("A01") == Decimal("500.00") and estate.debt("A02") == Decimal("300.00")
    # The same charge with another amount is refused, not charged a second time.
    assert_refused(
        cli(f"{one_off(estate)} --table GEN --amount 1.100,00"),
        "The one-off charge WORKS:2025-03-15:",
    )
    assert_refused(
        cli(f"{one_off(estate)} --table GEN --amount 1.100,00"),
        "was already posted with other units or amounts",
    )
    assert estate.count(JournalEntry) == 2


def test_a_one_off_charge_given_unit_by_unit_from_a_file(cli, estate, tmp_path) -> None:
    file = write_xlsx(tmp_path / "works.xlsx", [("unit", "amount"), ("A01", 120.5), ("A02", "80")])
    out = ok(cli(f"{one_off(estate)} --key ODL-2025-7 --units", file))
    assert "(key ODL-2025-7): 2 entries, €200.50, posted." in out
    assert estate.debt("A01") == Decimal("120.50") and estate.debt("A02") == Decimal("80.00")


def test_one_off_refusals_write_nothing(cli, estate, tmp_path) -> None:
    with_tables(estate)
    base = one_off(estate)
    units = write_csv(tmp_path / "units.csv", [("unit", "amount"), ("A01", "10"), ("B07", "10")])
    either = "give either --table and --amount, or --units FILE"
    assert_refused(cli(f"{base} --table GEN --amount 10 --units", units), either)
    assert_refused(cli(f"{base} --table GEN"), either)
    assert_refused(cli(base), either)
    assert_refused(
        cli(f"{base} --table GEN --amount dieci"),
        "--amount: 'dieci' is not a valid amount (expected a number such as 1234.56 or 1.234,56).",
    )
    assert_refused(
        cli(f"{base} --table GEN --amount 10,0001"),
        "--amount: '10,0001' is not a valid amount (expected a number with at most 2 decimals",
    )
    assert_refused(  # an Italian's thirteen thousand is never charged as thirteen euros
        cli(f"{base} --table GEN --amount 13.000"),
        "--amount: '13.000' is not a valid amount (expected an unambiguous amount (13000 or",
    )
    assert_refused(cli(f"{base} --table GEN --amount 0"), "(expected a number above zero)")
    assert_refused(
        cli(f"{base} --units", units),
        f'units.csv, row 3, column "unit": expected a unit code of building {estate.building}, '
        'found "B07".',
    )
    assert estate.count(JournalEntry) == 0


# --- condo rent set ----------------------------------------------------------------------------


def test_set_one_rent_from_options(cli, estate) -> None:
    b = estate.building
    out = ok(cli(f"rent set --building {b} --unit A01 --amount 312,50 --from 2025-01-01"))
    assert out.strip() == f"Rent of {b}/A01: €312.50 a month from 01/01/2025."
    with Session(estate.engine) as session:
        assert session.scalar(select(UnitRent.monthly_cents)) == 31250


def test_set_many_rents_from_a_file_all_or_nothing(cli, estate, tmp_path) -> None:
    b = estate.building
    head = ("building", "unit", "amount", "from")
    rows = [
        head,
        (b, "A01", "312,50", "2025-01-01"),
        (b, "A02", "1.020,00", "01/01/2025"),
        (b, "A01", "320", "2026-01-01"),
    ]
    out = ok(cli("rent set", write_csv(tmp_path / "rents.csv", rows)))
    assert "3 rents set from rents.csv." in out and "€1,020.00 a month from 01/01/2025" in out
    assert estate.count(UnitRent) == 3

    bad = [head, (b, "A03", "400", "2025-01-01"), (b, "A02", "400", "2025-01-15")]
    assert_refused(
        cli("rent set", write_xlsx(tmp_path / "more.xlsx", bad)),
        f"more.xlsx, row 3: Rent of unit {b}/A02: a rent starts on the first day of a month.",
    )
    repeated = [head, (b, "A03", "400", "2025-01-01"), (b, "A01", "1", "2025-01-01")]
    assert_refused(
        cli("rent set", write_csv(tmp_path / "again.csv", repeated)),
        f"again.csv, row 3: Rent of unit {b}/A01: a rent from 2025-01-01 is already set.",
    )
    unknown = [head, ("NOPE", "A01", "1", "2025-01-01")]
    assert_refused(
        cli("rent set", write_csv(tmp_path / "unknown.csv", unknown)),
        "unknown.csv, row 2: Building NOPE does not exist.",
    )
    assert estate.count(UnitRent) == 3  # the A03 rows went back with their files


def test_rent_set_needs_a_file_or_all_options(cli, estate, tmp_path) -> None:
    b = estate.building
    assert_refused(cli(f"rent set --building {b}"), "give --building, --unit, --amount and --from")
    file = write_csv(tmp_path / "r.csv", [("building", "unit", "amount", "from")])
    assert_refused(cli("rent set --unit A01", file), "give either FILE or --building")
    assert_refused(
        cli(f"rent set --building {b} --unit Z9 --amount 1 --from 2025-01-01"),
        f"Unit Z9 in building {b} does not exist.",
    )
    assert estate.count(UnitRent) == 0
