"""What a housing body sees: the units it owns, who lives there, and what they owe.

Only debtor accounts of occupancies of the body's units count, in every book (the body's rent
and the buildings' service charges), so the body sees the arrears of its own flats and nothing
of other owners' flats in the same building.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from condo_admin.accounting import aging
from condo_admin.accounting.models import DebtorAccount
from condo_admin.exporting import Cell, Chart, Table
from condo_admin.registry.models import Building, Household, HousingBody, Occupancy, Unit
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


def accounts_of_body(session: Session, body: HousingBody) -> list[int]:
    return list(
        session.scalars(
            select(DebtorAccount.account_id)
            .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
            .join(Unit, Unit.id == Occupancy.unit_id)
            .where(Unit.owner_body_id == body.id)
        )
    )


def body_units(session: Session, body: HousingBody, as_of: date) -> list[UnitLine]:
    """Every unit of the body, its occupant on ``as_of`` and the arrears of its accounts."""
    report = aging.aging_report(
        session, as_of, by=aging.GroupBy.UNIT, account_ids=accounts_of_body(session, body) or [0]
    )
    by_unit = {row.key: row for row in report.rows}
    occupants = {
        unit_id: (code, name)
        for unit_id, code, name in session.execute(
            select(Occupancy.unit_id, Household.code, Household.name)
            .join(Household, Household.id == Occupancy.household_id)
            .join(Unit, Unit.id == Occupancy.unit_id)
            .where(
                Unit.owner_body_id == body.id,
                Occupancy.start_date <= as_of,
                or_(Occupancy.end_date.is_(None), Occupancy.end_date >= as_of),
            )
        )
    }
    lines: list[UnitLine] = []
    for unit, building_code in session.execute(
        select(Unit, Building.code)
        .join(Building, Building.id == Unit.building_id)
        .where(Unit.owner_body_id == body.id)
        .order_by(Building.code, Unit.code)
    ):
        row = by_unit.get(f"{building_code}/{unit.code}")
        code, name = occupants.get(unit.id, ("", ""))
        lines.append(
            UnitLine(
                unit=unit.code,
                building=building_code,
                status=unit.status.value,
                household=code,
                household_name=name,
                owed=from_cents(row.total_cents - row.credit_cents) if row else ZERO,
                overdue=from_cents(row.overdue_cents) if row else ZERO,
                credit=row.credit if row else ZERO,
                delinquency=row.status.value if row else "",
            )
        )
    return lines


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
