"""What a housing body sees: the units it owns, who lives there, and what they owe.

Only debtor accounts of occupancies of the body's units count, in every book (the body's rent
and the buildings' service charges), so the body sees the arrears of its own flats and nothing
of other owners' flats in the same building.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from condo_admin.accounting import aging
from condo_admin.accounting.models import DebtorAccount
from condo_admin.exporting import Cell, Chart, Table
from condo_admin.registry.models import Building, Household, HousingBody, Occupancy, Unit
from ledger.bulk import among
from ledger.money import from_cents

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class UnitLine:
    unit: str
    building: str
    status: str
    household: str  # code of the household living there on the day, or ""
    household_name: str
    owed: Decimal  # open charges, due or not
    overdue: Decimal  # of which past due
    credit: Decimal  # unused payments (zero or negative)
    delinquency: str


def accounts_of_body(body: HousingBody) -> Select[tuple[int]]:
    """The debtor accounts of every occupancy of the body's units, as a query (thousands)."""
    return (
        select(DebtorAccount.account_id)
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Unit, Unit.id == Occupancy.unit_id)
        .where(Unit.owner_body_id == body.id)
    )


def arrears_by_unit(session: Session, body: HousingBody, as_of: date) -> dict[int, aging.AgingRow]:
    """The aging of the body's accounts on ``as_of``, merged per unit (id): only units owing."""
    per_account = aging.account_rows(session, as_of, account_ids=accounts_of_body(body))
    ids = sorted(per_account)
    units: dict[int, aging.AgingRow] = {}
    for start in range(0, len(ids), 500):
        for account_id, unit_id in session.execute(
            select(DebtorAccount.account_id, Occupancy.unit_id)
            .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
            .where(among(DebtorAccount.account_id, ids[start : start + 500]))
        ):
            row = units.get(unit_id)
            if row is None:
                row = units[unit_id] = aging.AgingRow(str(unit_id), "")
            row.add(per_account[account_id])
    return units


@dataclass(frozen=True)
class BodyTotals:
    units: int
    in_arrears: int
    owed: Decimal
    overdue: Decimal
    credit: Decimal
    #: The units owing most (label, owed), largest first: what the chart draws.
    largest: list[tuple[str, Decimal]]


def _owed(row: aging.AgingRow) -> int:
    return row.total_cents - row.credit_cents


def body_totals(
    session: Session, body: HousingBody, arrears: dict[int, aging.AgingRow], top: int = 20
) -> BodyTotals:
    """The sums over every unit of the body, without reading its units one by one."""
    units = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.owner_body_id == body.id)
    )
    owing = sorted(arrears.items(), key=lambda item: (-_owed(item[1]), item[0]))
    owing = [(unit_id, row) for unit_id, row in owing if _owed(row) > 0]
    labels = dict(
        session.execute(
            select(Unit.id, Building.code + "/" + Unit.code)
            .join(Building, Building.id == Unit.building_id)
            .where(Unit.id.in_([unit_id for unit_id, _ in owing[:top]] or [0]))
        ).all()
    )
    return BodyTotals(
        units=int(units or 0),
        in_arrears=len(owing),
        owed=from_cents(sum(_owed(row) for row in arrears.values())),
        overdue=from_cents(sum(row.overdue_cents for row in arrears.values())),
        credit=from_cents(sum(row.credit_cents for row in arrears.values())),
        largest=[(labels[unit_id], from_cents(_owed(row))) for unit_id, row in owing[:top]],
    )


def units_query(body: HousingBody) -> Select[tuple[Unit, str]]:
    """The body's units with their building's code, in the order they are listed."""
    return (
        select(Unit, Building.code)
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.owner_body_id == body.id)
        .order_by(Building.code, Unit.code)
    )


def unit_lines(
    session: Session,
    as_of: date,
    units: Sequence[tuple[Unit, str]],
    arrears: dict[int, aging.AgingRow],
) -> list[UnitLine]:
    """One line per unit (with its building code), its occupant on ``as_of`` and its arrears."""
    ids = [unit.id for unit, _ in units]
    occupants: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        for unit_id, code, name in session.execute(
            select(Occupancy.unit_id, Household.code, Household.name)
            .join(Household, Household.id == Occupancy.household_id)
            .where(
                among(Occupancy.unit_id, ids[start : start + 500]),
                Occupancy.start_date <= as_of,
                or_(Occupancy.end_date.is_(None), Occupancy.end_date >= as_of),
            )
        ):
            occupants[unit_id] = (code, name)
    lines: list[UnitLine] = []
    for unit, building_code in units:
        row = arrears.get(unit.id)
        code, name = occupants.get(unit.id, ("", ""))
        lines.append(
            UnitLine(
                unit=unit.code,
                building=building_code,
                status=unit.status.value,
                household=code,
                household_name=name,
                owed=from_cents(_owed(row)) if row else ZERO,
                overdue=from_cents(row.overdue_cents) if row else ZERO,
                credit=row.credit if row else ZERO,
                delinquency=row.status.value if row else "",
            )
        )
    return lines


def body_units(session: Session, body: HousingBody, as_of: date) -> list[UnitLine]:
    """Every unit of the body, its occupant on ``as_of`` and the arrears of its accounts."""
    units = [(unit, code) for unit, code in session.execute(units_query(body))]
    return unit_lines(session, as_of, units, arrears_by_unit(session, body, as_of))


def as_table(body: HousingBody, lines: list[UnitLine], as_of: date) -> Table:
    rows: list[list[Cell]] = [
        [
            x.building,
            x.unit,
            x.status,
            x.household,
            x.household_name,
            x.owed,
            x.overdue,
            x.credit,
            x.delinquency,
        ]
        for x in lines
    ]
    owed = sum((x.owed for x in lines), ZERO)
    overdue = sum((x.overdue for x in lines), ZERO)
    credit = sum((x.credit for x in lines), ZERO)
    in_arrears = [x for x in lines if x.owed > 0]
    return Table(
        title=f"Units of {body.name} as of {as_of.isoformat()}",
        headers=[
            "building",
            "unit",
            "status",
            "household",
            "name",
            "owed",
            "overdue",
            "credit",
            "standing",
        ],
        rows=rows,
        footer=["total", str(len(lines)), "", str(len(in_arrears)), "", owed, overdue, credit, ""],
        chart=Chart(
            "Owed by unit",
            [f"{x.building}/{x.unit}" for x in in_arrears[:20]],
            [x.owed for x in in_arrears[:20]],
        )
        if in_arrears
        else None,
    )
