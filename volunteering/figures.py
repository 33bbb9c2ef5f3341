"""The numbers of the programme: per agreement and household, and totals over a period.

For a household these answer what PRODUCT.md 4.5 says it must see: the debt before and after the
credit, hours by state, the rate applied, what is left of each cap. For the agency and the housing
bodies they sum hours and euros over a period by agreement, household, building, activity or body.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.exporting import Cell, Chart, Table
from condo_admin.registry.models import Building, Household, HousingBody, Occupancy, Unit
from ledger.models import JournalEntry
from ledger.money import from_cents
from ledger.queries import balance
from volunteering.hours import COUNTED
from volunteering.models import Activity, Agreement, HourEntry, HourStatus

ZERO_HOURS = Decimal("0.00")


@dataclass(frozen=True)
class CapLeft:
    """One cap of an agreement; ``unit`` is ``"h"`` (hours) or ``"EUR"`` (money)."""

    name: str
    unit: str
    limit: Decimal
    used: Decimal
    left: Decimal


@dataclass(frozen=True)
class EntryLine:
    """One hour entry as the household sees it: the rate applied and what it earned."""

    work_date: date
    activity: str
    hours: Decimal
    status: str
    rate: Decimal | None
    creditable: Decimal | None
    credited: Decimal | None
    note: str | None


@dataclass
class AgreementFigures:
    code: str
    household: str
    status: str
    as_of: date
    debt_before: Decimal
    debt_after: Decimal
    credited: Decimal
    hours: dict[str, Decimal]
    caps: list[CapLeft]
    entries: list[EntryLine] = field(default_factory=list)


def agreement_figures(session: Session, agreement: Agreement, as_of: date) -> AgreementFigures:
    """Where one agreement stands on ``as_of``: debt, hours by state, caps left, the entries."""
    rows = session.scalars(
        select(HourEntry)
        .where(HourEntry.agreement_id == agreement.id, HourEntry.work_date <= as_of)
        .order_by(HourEntry.work_date, HourEntry.id)
    ).all()
    hours: dict[str, Decimal] = {s.value: ZERO_HOURS for s in HourStatus}
    for entry in rows:
        hours[entry.status.value] += entry.hours
    # Only credits already posted on ``as_of`` separate the debt before from the debt after.
    credited = session.scalar(
        select(func.coalesce(func.sum(HourEntry.credited_cents), 0))
        .join(JournalEntry, JournalEntry.id == HourEntry.credit_entry_id)
        .where(
            HourEntry.agreement_id == agreement.id,
            HourEntry.status == HourStatus.CREDITED,
            JournalEntry.entry_date <= as_of,
        )
    )
    debt_after = balance(session, agreement.debtor_account.account, as_of=as_of)
    counted = [e for e in rows if e.status in COUNTED]
    this_year = [e for e in counted if e.work_date.year == as_of.year]
    caps: list[CapLeft] = []

    def hours_cap(name: str, cap: Decimal | None, used: list[HourEntry]) -> None:
        if cap is not None:
            spent = sum((e.creditable_hours or ZERO_HOURS for e in used), ZERO_HOURS)
            caps.append(CapLeft(name, "h", cap, spent, max(cap - spent, ZERO_HOURS)))

    def euro_cap(name: str, cap: int | None, used: list[HourEntry]) -> None:
        if cap is not None:
            spent = sum(e.creditable_cents or 0 for e in used)
            caps.append(
                CapLeft(
                    name, "EUR", from_cents(cap), from_cents(spent), from_cents(max(cap - spent, 0))
                )
            )

    hours_cap("hours, whole agreement", agreement.cap_hours, counted)
    euro_cap("euros, whole agreement", agreement.cap_cents, counted)
    hours_cap(f"hours in {as_of.year}", agreement.yearly_cap_hours, this_year)
    euro_cap(f"euros in {as_of.year}", agreement.yearly_cap_cents, this_year)
    return AgreementFigures(
        agreement.code,
        agreement.household.name,
        agreement.status.value,
        as_of,
        debt_after + from_cents(credited),
        debt_after,
        from_cents(credited),
        hours,
        caps,
        [
            EntryLine(
                e.work_date,
                e.activity.code,
                e.hours,
                e.status.value,
                None if e.rate_cents is None else from_cents(e.rate_cents),
                None if e.creditable_cents is None else from_cents(e.creditable_cents),
                None if e.credited_cents is None else from_cents(e.credited_cents),
                e.cap_note or e.reason,
            )
            for e in rows
        ],
    )


def household_figures(
    session: Session, household: Household, as_of: date
) -> list[AgreementFigures]:
    agreements = session.scalars(
        select(Agreement)
        .where(Agreement.household_id == household.id)
        .order_by(Agreement.start_date)
    )
    return [agreement_figures(session, a, as_of) for a in agreements]


class GroupBy(enum.StrEnum):
    AGREEMENT = "agreement"
    HOUSEHOLD = "household"
    BUILDING = "building"
    ACTIVITY = "activity"
    BODY = "body"


@dataclass
class PeriodRow:
    key: str
    name: str
    entries: int = 0
    logged: Decimal = ZERO_HOURS  # every hour entered, whatever became of it
    rejected: Decimal = ZERO_HOURS
    verified: Decimal = ZERO_HOURS  # verified or credited
    creditable: Decimal = ZERO_HOURS
    credited_hours: Decimal = ZERO_HOURS
    credited_cents: int = 0

    @property
    def credited(self) -> Decimal:
        return from_cents(self.credited_cents)


def period_totals(
    session: Session,
    start: date,
    end: date,
    *,
    by: GroupBy | str = GroupBy.AGREEMENT,
    agency_id: int | None = None,
) -> list[PeriodRow]:
    """Hours and euros of the work done between ``start`` and ``end``, grouped by ``by``
    (agreements of ``agency_id`` only, when given)."""
    group = GroupBy(by)
    key_columns = {
        GroupBy.AGREEMENT: (Agreement.code, Household.name),
        GroupBy.HOUSEHOLD: (Household.code, Household.name),
        GroupBy.BUILDING: (Building.code, Building.name),
        GroupBy.ACTIVITY: (Activity.code, Activity.name),
        GroupBy.BODY: (func.coalesce(HousingBody.code, "-"), func.coalesce(HousingBody.name, "-")),
    }[group]
    query = (
        select(
            *key_columns,
            HourEntry.status,
            func.count(),
            func.sum(HourEntry.hours),
            func.sum(HourEntry.creditable_hours),
            func.sum(HourEntry.credited_cents),
        )
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .join(Household, Household.id == Agreement.household_id)
        .join(Activity, Activity.id == HourEntry.activity_id)
        .join(DebtorAccount, DebtorAccount.id == Agreement.debtor_account_id)
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Unit, Unit.id == Occupancy.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(HousingBody, HousingBody.id == Unit.owner_body_id)
        .where(HourEntry.work_date.between(start, end))
        .group_by(*key_columns, HourEntry.status)
    )
    if agency_id is not None:
        query = query.where(Agreement.agency_id == agency_id)
    rows: dict[str, PeriodRow] = {}
    for key, name, status, count, hours, creditable, cents in session.execute(query):
        row = rows.setdefault(key, PeriodRow(key, name))
        hours = Decimal(hours or 0)
        row.entries += count
        row.logged += hours
        if status is HourStatus.REJECTED:
            row.rejected += hours
        if status in COUNTED:
            row.verified += hours
            row.creditable += Decimal(creditable or 0)
        if status is HourStatus.CREDITED:
            row.credited_hours += hours
            row.credited_cents += int(cents or 0)
    return sorted(rows.values(), key=lambda r: (-r.credited_cents, r.key))


def as_table(rows: list[PeriodRow], start: date, end: date, by: GroupBy | str) -> Table:
    group = GroupBy(by)
    body: list[list[Cell]] = [
        [
            r.key,
            r.name,
            r.entries,
            r.logged,
            r.rejected,
            r.verified,
            r.creditable,
            r.credited_hours,
            r.credited,
        ]
        for r in rows
    ]
    totals = defaultdict(lambda: ZERO_HOURS)
    for r in rows:
        for attr in ("logged", "rejected", "verified", "creditable", "credited_hours"):
            totals[attr] += getattr(r, attr)
    footer: list[Cell] = [
        "total",
        "",
        sum(r.entries for r in rows),
        totals["logged"],
        totals["rejected"],
        totals["verified"],
        totals["creditable"],
        totals["credited_hours"],
        from_cents(sum(r.credited_cents for r in rows)),
    ]
    return Table(
        title=f"Community-service restitution {start.isoformat()} to {end.isoformat()}, "
        f"by {group.value}",
        headers=[
            group.value,
            "name",
            "entries",
            "hours logged",
            "rejected",
            "verified",
            "creditable",
            "credited h",
            "credited €",
        ],
        rows=body,
        footer=footer,
        chart=Chart("Euros credited", [r.key for r in rows[:15]], [r.credited for r in rows[:15]])
        if rows
        else None,
        notes=["Hours are in hours (0.25 = a quarter hour); euros at the rate of the day worked."],
    )


__all__ = [
    "AgreementFigures",
    "CapLeft",
    "EntryLine",
    "GroupBy",
    "PeriodRow",
    "agreement_figures",
    "as_table",
    "household_figures",
    "period_totals",
]


def credited_by_month(
    session: Session, agency_id: int, ends: list[date]
) -> list[tuple[date, Decimal]]:
    """Euros credited for work done in each month ending on ``ends`` (agreements of the agency)."""
    if not ends:
        return []
    start = ends[0].replace(day=1)
    rows = session.execute(
        select(HourEntry.work_date, func.sum(HourEntry.credited_cents))
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .where(
            Agreement.agency_id == agency_id,
            HourEntry.status == HourStatus.CREDITED,
            HourEntry.work_date >= start,
            HourEntry.work_date <= ends[-1],
        )
        .group_by(HourEntry.work_date)
    ).all()
    totals = dict.fromkeys(ends, 0)
    for day, cents in rows:
        end = next(e for e in ends if day <= e)
        totals[end] += int(cents or 0)
    return [(end, from_cents(totals[end])) for end in ends]
