"""The ``condo`` commands of the condominium accounting: share tables, budgets, year-end
adjustments, one-off charges and rents.

Thin, like the rest of :mod:`condo_admin.cli`: a command reads its file whole, checks every row
against the database, calls the operations of :mod:`condo_admin.accounting` and prints what they
did, all in one transaction (``Context.session``). So a refusal at any row writes nothing, and
the refusal names the file, the row and the column (:mod:`condo_admin.tabular`). The files of
shares, budget lines and one-off charges are read by :mod:`condo_admin.accounting.spreadsheets`,
which the screens' uploads share.

``condo_admin.cli`` imports this module at its very end and calls :func:`register`. Here the CLI
is imported only inside functions, so either module may be imported first without a cycle; for
the same reason the context is passed with ``click.pass_obj`` (the same object as ``cli``'s
``pass_context`` finds) and ``DATE`` is declared again, identical to ``cli.DATE``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin import formatting
from condo_admin.accounting.adjustments import charge_one_off, close_year, year_end_key
from condo_admin.accounting.budgets import (
    approve_budget,
    create_budget,
    installment_charges,
)
from condo_admin.accounting.charges import set_rent
from condo_admin.accounting.models import (
    BookPurpose,
    Budget,
    BudgetActual,
    BudgetAllotment,
    BudgetLine,
    BudgetStatus,
    CreditorBook,
    DebtorAccount,
    ShareTable,
    ShareTableKind,
)
from condo_admin.accounting.shares import define_share_table, revise_shares, split_by_table
from condo_admin.accounting.spreadsheets import (
    AMOUNT_EXAMPLE,
    BuildingUnits,
    one_off_key,
    read_budget_lines,
    read_one_off_units,
    read_shares,
    repeated,
)
from condo_admin.registry.models import Agency, Building, Household, Occupancy, Unit
from condo_admin.tabular import NotANumber, parse_date, parse_number, read_table
from ledger.errors import (
    N_,
    CondoError,
    IdempotencyConflict,
    InvalidAmount,
    InvalidDate,
    NotFound,
    Phrase,
)
from ledger.models import Book, JournalEntry, OperationKey, Posting
from ledger.money import from_cents

if TYPE_CHECKING:
    from condo_admin.cli import Context

F = TypeVar("F", bound=Callable[..., Any])

#: The same as ``condo_admin.cli.DATE`` (not imported: see the module docstring).
DATE = click.DateTime(formats=["%Y-%m-%d"])
FILE = click.Path(dir_okay=False, path_type=Path)


class ChargedWithOtherData(CondoError):
    message_id = "cli.one_off_charged_with_other_data"
    template = N_(
        "The one-off charge %(key)s was already posted with other units or amounts, and a charge "
        "is never posted twice: reverse its entries ('condo ledger reverse') to correct it, "
        "or give a new --key for a further charge."
    )


class AmbiguousBuilding(CondoError):
    message_id = "cli.ambiguous_building"
    template = N_("Building code %(code)s is used by the agencies %(agencies)s: add --agency CODE.")


# --- finding what the options name -------------------------------------------------------------


def _building_options(command: F) -> F:
    """``--building`` and ``--agency``: building codes are unique only within an agency."""
    command = click.option(
        "--agency",
        "agency_code",
        help="Agency of the building, needed only when several agencies use its code.",
    )(command)
    return click.option("--building", "building_code", required=True, help="Building code.")(
        command
    )


def _building(session: Session, code: str, agency_code: str | None) -> Building:
    query = select(Building).join(Agency, Agency.id == Building.agency_id)
    query = query.where(Building.code == code)
    if agency_code is not None:
        query = query.where(Agency.code == agency_code)
    found = session.scalars(query.order_by(Agency.code)).all()
    if not found:
        raise NotFound(
            what="Building",
            ref=Phrase(N_("%(code)s in agency %(agency)s"), code=code, agency=agency_code)
            if agency_code
            else code,
        )
    if len(found) > 1:
        raise AmbiguousBuilding(code=code, agencies=", ".join(b.agency.code for b in found))
    return found[0]


def _share_table(session: Session, building: Building, code: str) -> ShareTable:
    table = session.scalar(
        select(ShareTable).where(ShareTable.building_id == building.id, ShareTable.code == code)
    )
    if table is None:
        raise NotFound(what="Share table", ref=f"{building.code}/{code}")
    return table


def _service_book(session: Session, building: Building) -> Book:
    book = session.scalar(
        select(Book)
        .join(CreditorBook, CreditorBook.book_id == Book.id)
        .where(
            CreditorBook.building_id == building.id,
            CreditorBook.purpose == BookPurpose.SERVICE_CHARGES,
        )
    )
    if book is None:
        raise NotFound(what=N_("The service-charge book of building"), ref=building.code)
    return book


def _budget(session: Session, building: Building, year: int) -> Budget:
    found = session.scalar(
        select(Budget).where(Budget.building_id == building.id, Budget.year == year)
    )
    if found is None:
        raise NotFound(what="Budget", ref=f"{building.code} {year}")
    return found


def _amount_option(value: str, option: str) -> Decimal:
    """An amount typed on the command line, read and checked exactly as a file's amounts are."""
    try:
        return parse_number(value, example=AMOUNT_EXAMPLE, places=2, positive=True)
    except NotANumber as exc:
        raise InvalidAmount(
            field=option, value=value, reason=Phrase(N_("expected %(what)s"), what=exc.expected)
        ) from None


def _thousandths(value: Decimal) -> str:
    # Up to four decimals, as shares are stored; formatting.number would round to three.
    return format_decimal(value, format="#,##0.####", locale=formatting.default_locale())


def _actor() -> str:
    from condo_admin.cli import _actor as actor

    return actor()


def _refused(message: str) -> click.ClickException:
    from condo_admin.cli import Refused

    return Refused(message)


def _echo(lines: list[str]) -> None:
    """Print a report, once its transaction has committed: never a success that did not happen."""
    for line in lines:
        click.echo(line)


# --- condo shares ------------------------------------------------------------------------------


@click.group()
def shares() -> None:
    """Share tables (tabelle millesimali): define, show and revise."""


def _total(table: ShareTable) -> Decimal:
    return sum((share.thousandths for share in table.shares), Decimal(0))


@shares.command("define")
@_building_options
@click.option("--table", "table_code", required=True, help="Code of the new table, e.g. GEN.")
@click.option("--name", required=True, help="Name of the table, e.g. 'Proprietà generale'.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in ShareTableKind]),
    help="What the table splits.",
)
@click.argument("file", type=FILE)
@click.pass_obj
def define_shares(
    obj: Context,
    building_code: str,
    agency_code: str | None,
    table_code: str,
    name: str,
    kind: str,
    file: Path,
) -> None:
    """Define a share table from FILE (.csv or .xlsx, columns unit and thousandths).

    The shares must sum to exactly 1000; units left out of the file take no part in the table.
    """
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        shares_by_unit = read_shares(session, building, file)
        table = define_share_table(
            session, building, table_code, name, kind, shares_by_unit, actor=_actor()
        )
        report = [
            f'Share table {building.code}/{table.code} "{table.name}" ({table.kind.value}) '
            f"defined: {len(table.shares)} units, {_thousandths(_total(table))} thousandths."
        ]
    _echo(report)


@shares.command("show")
@_building_options
@click.option("--table", "table_code", required=True, help="Code of the table.")
@click.pass_obj
def show_shares(obj: Context, building_code: str, agency_code: str | None, table_code: str) -> None:
    """Print each unit's share of a table and the total."""
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        table = _share_table(session, building, table_code)
        report = [
            f"Share table {building.code}/{table.code} — {table.name} ({table.kind.value}), "
            f"{len(table.shares)} units",
            f"{'unit':<20} {'thousandths':>14}",
        ]
        report += [
            f"{share.unit.code:<20} {_thousandths(share.thousandths):>14}"
            for share in sorted(table.shares, key=lambda s: s.unit.code)
        ]
        report.append(f"{'total':<20} {_thousandths(_total(table)):>14}")
    _echo(report)


@shares.command("revise")
@_building_options
@click.option("--table", "table_code", required=True, help="Code of the table to revise.")
@click.argument("file", type=FILE)
@click.pass_obj
def revise_shares_command(
    obj: Context, building_code: str, agency_code: str | None, table_code: str, file: Path
) -> None:
    """Replace all the shares of a table with those in FILE (columns unit and thousandths).

    For a table redrawn after works or a change of use. Budgets already approved keep the split
    they were approved with; the old shares stay in the audit log.
    """
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        table = _share_table(session, building, table_code)
        before = {share.unit.code: share.thousandths for share in table.shares}
        revise_shares(session, table, read_shares(session, building, file), actor=_actor())
        after = {share.unit.code: share.thousandths for share in table.shares}
        report = []
        for code in sorted(set(before) | set(after)):
            old, now = before.get(code), after.get(code)
            if old != now:
                old_text = "-" if old is None else _thousandths(old)
                now_text = "-" if now is None else _thousandths(now)
                report.append(f"{code:<20} {old_text:>14} -> {now_text:>14}")
        report.append(
            f"Share table {building.code}/{table.code} revised: {len(report)} units changed, "
            f"{len(after)} units in the table. Approved budgets keep their split."
        )
    _echo(report)


# --- condo budget ------------------------------------------------------------------------------

ACTUAL_COLUMNS = ("category", "actual")


@click.group()
def budget() -> None:
    """Budgets (preventivi): create, approve, show, and close the year (conguaglio)."""


def _due_dates(text: str) -> list[date]:
    dates = []
    for part in text.split(","):
        day = parse_date(part)
        if day is None:
            raise InvalidDate(field="--installments", value=part.strip())
        dates.append(day)
    return dates


def _budget_report(session: Session, budget: Budget, *, units: bool) -> list[str]:
    """Categories with budgeted (and, once closed, actual) amounts, installments, and with
    ``units`` each unit's yearly part: what the assembly approves and households ask about."""
    money, day = formatting.money, formatting.day
    status = budget.status.value
    if budget.approved_at is not None:
        status += f", approved on {day(budget.approved_at.date())} by {budget.approved_by}"
    report = [f"Budget {budget.building.code} {budget.year} ({status}), book {budget.book.code}"]
    actual: dict[int, int] = dict(
        session.execute(
            select(BudgetActual.line_id, BudgetActual.actual_cents)
            .join(BudgetLine, BudgetLine.id == BudgetActual.line_id)
            .where(BudgetLine.budget_id == budget.id)
        ).all()
    )
    report.append(
        f"{'category':<16} {'name':<30} {'table':<10} {'budgeted':>16}"
        + (f" {'actual':>16}" if actual else "")
    )
    for line in sorted(budget.lines, key=lambda line: line.category):
        extra = f" {money(from_cents(actual[line.id])):>16}" if line.id in actual else ""
        report.append(
            f"{line.category:<16} {line.name[:30]:<30} {line.share_table.code:<10} "
            f"{money(from_cents(line.amount_cents)):>16}{extra}"
        )
    total = from_cents(sum(line.amount_cents for line in budget.lines))
    extra = f" {money(from_cents(sum(actual.values()))):>16}" if actual else ""
    report.append(f"{'total':<58} {money(total):>16}{extra}")

    per_installment: dict[int, int] = defaultdict(int)
    if budget.status is not BudgetStatus.DRAFT:
        for charge in installment_charges(session, budget):
            per_installment[charge.number] += charge.total_cents
    report.append("installments:")
    for installment in budget.installments:
        cents = per_installment.get(installment.number)
        amount = "set at approval" if cents is None else money(from_cents(cents))
        report.append(f"{installment.number:>4}  {day(installment.due_date):<12} {amount:>16}")
    if units:
        report += _unit_report(session, budget)
    return report


def _unit_report(session: Session, budget: Budget) -> list[str]:
    money = formatting.money
    by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    if budget.status is BudgetStatus.DRAFT:
        # What approval would fix, computed the same way; nothing is written.
        report = ["per unit (preview: the split is fixed when the budget is approved):"]
        for line in budget.lines:
            parts = split_by_table(session, line.share_table, line.amount_cents)
            codes = dict(
                session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(parts))).all()
            )
            for unit_id, cents in parts.items():
                by_unit[codes[unit_id]][line.category] = cents
    else:
        report = ["per unit (yearly part fixed at approval):"]
        rows = session.execute(
            select(Unit.code, BudgetLine.category, BudgetAllotment.amount_cents)
            .join(BudgetLine, BudgetLine.id == BudgetAllotment.line_id)
            .join(Unit, Unit.id == BudgetAllotment.unit_id)
            .where(BudgetLine.budget_id == budget.id)
        ).all()
        for code, category, cents in rows:
            by_unit[code][category] = cents
    categories = sorted(line.category for line in budget.lines)
    report.append(
        f"{'unit':<16}" + "".join(f" {c[:16]:>16}" for c in categories) + f" {'total':>16}"
    )
    for code in sorted(by_unit):
        parts = by_unit[code]
        cells = [money(from_cents(parts.get(c, 0))) for c in categories]
        cells.append(money(from_cents(sum(parts.values()))))
        report.append(f"{code:<16}" + "".join(f" {cell:>16}" for cell in cells))
    return report


@budget.command("create")
@_building_options
@click.option("--year", required=True, type=int, help="Financial year, e.g. 2025.")
@click.option(
    "--installments",
    "due",
    required=True,
    help="Due dates of the installments, in order: 2025-01-31,2025-04-30,...",
)
@click.argument("file", type=FILE)
@click.pass_obj
def create_budget_command(
    obj: Context, building_code: str, agency_code: str | None, year: int, due: str, file: Path
) -> None:
    """Draft a budget from FILE (.csv or .xlsx, columns category, name, amount, table).

    Each row is one expense category with its yearly amount and the code of the share table that
    splits it. The budget stays a draft, open to a new try, until 'condo budget approve'.
    """
    due_dates = _due_dates(due)
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        book = _service_book(session, building)
        lines = read_budget_lines(session, building, file)
        created = create_budget(
            session, building, year, book=book, lines=lines, due_dates=due_dates, actor=_actor()
        )
        report = _budget_report(session, created, units=False)
    _echo(report)


@budget.command("approve")
@_building_options
@click.option("--year", required=True, type=int, help="Financial year.")
@click.pass_obj
def approve_budget_command(
    obj: Context, building_code: str, agency_code: str | None, year: int
) -> None:
    """Approve a draft budget: split it over the units and freeze it."""
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        found = _budget(session, building, year)
        approve_budget(session, found, actor=_actor())
        units = set(
            session.scalars(
                select(BudgetAllotment.unit_id)
                .join(BudgetLine, BudgetLine.id == BudgetAllotment.line_id)
                .where(BudgetLine.budget_id == found.id)
            )
        )
        total = from_cents(sum(line.amount_cents for line in found.lines))
        report = [
            f"Budget {building.code} {year} approved: {formatting.money(total)} split over "
            f"{len(units)} units in {len(found.installments)} installments, the first due "
            f"{formatting.day(found.installments[0].due_date)}."
        ]
    _echo(report)


@budget.command("show")
@_building_options
@click.option("--year", required=True, type=int, help="Financial year.")
@click.option("--units", is_flag=True, help="Also print each unit's yearly part per category.")
@click.pass_obj
def show_budget(
    obj: Context, building_code: str, agency_code: str | None, year: int, units: bool
) -> None:
    """Print a budget: categories, totals, installments and status."""
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        report = _budget_report(session, _budget(session, building, year), units=units)
    _echo(report)


@budget.command("close")
@_building_options
@click.option("--year", required=True, type=int, help="Financial year to close.")
@click.option("--on", type=DATE, help="Date of the adjustment entries (default: today).")
@click.argument("file", type=FILE)
@click.pass_obj
def close_budget(
    obj: Context,
    building_code: str,
    agency_code: str | None,
    year: int,
    on: datetime | None,
    file: Path,
) -> None:
    """Close a year from its final accounts in FILE (columns category and actual).

    Each unit is charged or credited the difference between its part of the actual expenses and
    its part of the budget (conguaglio), to the household living there on the date.
    """
    from condo_admin.cli import _today

    day = on.date() if on else _today()
    money = formatting.money
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        found = _budget(session, building, year)
        label = f"{building.code} {year}"
        categories = [line.category for line in found.lines]
        actuals: dict[str, Decimal] = {}
        first: dict[str, int] = {}
        for row in read_table(file, ACTUAL_COLUMNS):
            category = row["category"].upper()
            if category not in categories:
                raise row.bad(
                    "category",
                    Phrase(
                        N_("a category of budget %(budget)s (%(categories)s)"),
                        budget=label,
                        categories=", ".join(categories),
                    ),
                )
            repeated(row, "category", first, category)
            actuals[category] = row.decimal("actual", example=AMOUNT_EXAMPLE, places=2)
        result = close_year(session, found, actuals, on=day, actor=_actor())
        posted = session.execute(
            select(Unit.code, Household.name, Posting.amount_cents)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .join(OperationKey, OperationKey.id == JournalEntry.operation_id)
            .join(DebtorAccount, DebtorAccount.account_id == Posting.account_id)
            .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
            .join(Unit, Unit.id == Occupancy.unit_id)
            .join(Household, Household.id == DebtorAccount.household_id)
            .where(OperationKey.key == year_end_key(found))
            .order_by(Unit.code)
        ).all()
        report = [
            f"Year-end adjustment of budget {label} on {formatting.day(day)}: "
            f"{result.entries} entries."
        ]
        charged = credited = 0
        for code, household, cents in posted:
            charged += max(cents, 0)
            credited += max(-cents, 0)
            what = "charged" if cents > 0 else "credited"
            report.append(
                f"{code:<16} {household[:40]:<40} {what:<9} {money(from_cents(abs(cents))):>14}"
            )
        report += [f"not charged: {note}" for note in result.not_charged]
        report.append(
            f"charged {money(from_cents(charged))}, credited {money(from_cents(credited))}, "
            f"net {money(result.total)}; budget {label} is closed."
        )
    _echo(report)


# --- condo charges one-off ---------------------------------------------------------------------


@click.command("one-off")
@_building_options
@click.option("--date", "due", required=True, type=DATE, help="Due date of the charge.")
@click.option("--memo", required=True, help="What is charged, e.g. 'Rifacimento tetto'.")
@click.option("--category", required=True, help="Expense category, e.g. WORKS.")
@click.option("--table", "table_code", help="Split --amount by this share table, ...")
@click.option("--amount", help="... the total to split, e.g. 1.234,56; ...")
@click.option("--units", "units_file", type=FILE, help="... or a file with columns unit, amount.")
@click.option(
    "--key",
    help="Name of the charge, e.g. the works order (default: category, date and memo). "
    "A key charges once: repeating it posts nothing.",
)
@click.pass_obj
def one_off(
    obj: Context,
    building_code: str,
    agency_code: str | None,
    due: datetime,
    memo: str,
    category: str,
    table_code: str | None,
    amount: str | None,
    units_file: Path | None,
    key: str | None,
) -> None:
    """Post an extraordinary charge, split by a share table or given unit by unit.

    Each unit's part goes to the household living there on the due date; vacant units are listed
    as not charged. The default key ignores the amounts on purpose: a corrected repeat of the same
    charge is refused rather than charged twice (reverse the first, or give another --key).
    """
    by_table = table_code is not None or amount is not None
    if by_table == (units_file is not None) or (by_table and None in (table_code, amount)):
        raise _refused("give either --table and --amount, or --units FILE")
    total = _amount_option(amount, "--amount") if amount is not None else None
    day = due.date()
    if key is None:
        key = one_off_key(category, day, memo)
    with obj.session() as session:
        building = _building(session, building_code, agency_code)
        book = _service_book(session, building)
        table = None if table_code is None else _share_table(session, building, table_code)
        units = None
        if units_file is not None:
            units = read_one_off_units(session, building, units_file)
        try:
            result = charge_one_off(
                session,
                book,
                category=category,
                name=memo,
                due=day,
                key=key,
                actor=_actor(),
                amount=total,
                table=table,
                units=units,
            )
        except IdempotencyConflict:
            raise ChargedWithOtherData(key=key) from None
    state = "posted" if result.created else "already charged, nothing posted"
    _echo(
        [
            f'One-off charge {category.strip().upper()} "{memo}" due {formatting.day(day)} '
            f"(key {key}): {result.entries} entries, {formatting.money(result.total)}, {state}.",
            *(f"not charged: {note}" for note in result.not_charged),
        ]
    )


# --- condo rent --------------------------------------------------------------------------------

RENT_COLUMNS = ("building", "unit", "amount", "from")


@click.group()
def rent() -> None:
    """Monthly rents of units, set by their housing body."""


@rent.command("set")
@click.option("--building", "building_code", help="Building code.")
@click.option("--agency", "agency_code", help="Agency, when several use the building code.")
@click.option("--unit", "unit_code", help="Unit code in the building.")
@click.option("--amount", help="Monthly rent, e.g. 312,50.")
@click.option("--from", "valid_from", type=DATE, help="First month, as its first day: 2025-01-01.")
@click.argument("file", required=False, type=FILE)
@click.pass_obj
def set_rent_command(
    obj: Context,
    building_code: str | None,
    agency_code: str | None,
    unit_code: str | None,
    amount: str | None,
    valid_from: datetime | None,
    file: Path | None,
) -> None:
    """Set a unit's monthly rent from a month on, or many rents from FILE.

    FILE (.csv or .xlsx) has the columns building, unit, amount and from; either every row is set
    or, at the first refusal, none.
    """
    options = (building_code, unit_code, amount, valid_from)
    if file is not None and any(option is not None for option in options):
        raise _refused("give either FILE or --building, --unit, --amount and --from, not both")
    money, day = formatting.money, formatting.day
    if file is None:
        if building_code is None or unit_code is None or amount is None or valid_from is None:
            raise _refused("give --building, --unit, --amount and --from (or a FILE of rents)")
        monthly = _amount_option(amount, "--amount")
        with obj.session() as session:
            building = _building(session, building_code, agency_code)
            unit = BuildingUnits(session, building).from_option(unit_code)
            start = valid_from.date()
            set_rent(session, unit, monthly, valid_from=start, actor=_actor())
            report = [f"Rent of {unit.label}: {money(monthly)} a month from {day(start)}."]
        _echo(report)
        return
    with obj.session() as session:
        buildings: dict[str, BuildingUnits] = {}
        report = []
        for row in read_table(file, RENT_COLUMNS):
            code = row.text("building")
            if code not in buildings:
                try:
                    buildings[code] = BuildingUnits(session, _building(session, code, agency_code))
                except CondoError as exc:
                    raise row.refused(exc) from None
            unit = buildings[code].get(row["unit"])
            if unit is None:
                raise row.bad(
                    "unit", Phrase(N_("a unit code of building %(building)s"), building=code)
                )
            monthly = row.decimal("amount", example=AMOUNT_EXAMPLE, places=2, positive=True)
            start = row.day("from")
            try:
                set_rent(session, unit, monthly, valid_from=start, actor=_actor())
            except CondoError as exc:
                raise row.refused(exc) from None
            report.append(f"{unit.label:<24} {money(monthly):>14} a month from {day(start)}")
        report.append(f"{len(report)} rents set from {file.name}.")
    _echo(report)


def register(main: click.Group) -> None:
    """Add ``shares``, ``budget`` and ``rent`` to ``main``, and ``one-off`` to its ``charges``."""
    main.add_command(shares)
    main.add_command(budget)
    main.add_command(rent)
    charges = main.commands["charges"]
    if not isinstance(charges, click.Group):
        raise TypeError("condo charges must be a command group")
    charges.add_command(one_off)
