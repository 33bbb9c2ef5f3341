"""A household's community-service restitution as the resident reads it (PRODUCT.md 4.5).

For each agreement of the household: the debt it repays and to whom, the activities and the rate
of each today, the caps with what is left of them, the euros credited and the debt before and
after, and every hour entry grouped by what became of it. The numbers are those of
:mod:`volunteering.figures`; this module only gathers them in a few queries and adds what the
page needs to offer (may hours be logged, until when may a rejection be contested). Read-only,
no Flask: the views and the tests call it with a Session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount
from condo_admin.registry.models import Building, HousingBody
from ledger.money import from_cents
from volunteering.figures import ZERO_HOURS, AgreementFigures, agreement_figures
from volunteering.hours import COUNTED
from volunteering.models import (
    Activity,
    ActivityRate,
    Agreement,
    AgreementStatus,
    HourEntry,
    HourStatus,
)

#: The order of the groups on the page: what waits for someone first, what is done last.
GROUPS = (
    HourStatus.SUBMITTED,
    HourStatus.DISPUTED,
    HourStatus.REJECTED,
    HourStatus.VERIFIED,
    HourStatus.CREDITED,
)
#: Agreements in this order: the running one first, the finished ones last.
_STATUS_ORDER = {
    AgreementStatus.ACTIVE: 0,
    AgreementStatus.SUSPENDED: 1,
    AgreementStatus.DRAFT: 2,
    AgreementStatus.ENDED: 3,
}


@dataclass(frozen=True)
class Cap:
    """One cap of an agreement: ``unit`` is ``"h"`` or ``"EUR"``; ``year`` for the cap of a
    calendar year, ``None`` for the whole agreement's."""

    unit: str
    year: int | None
    limit: Decimal
    used: Decimal
    left: Decimal


@dataclass(frozen=True)
class Rate:
    activity: Activity
    #: The hourly credit in force on the reference day; ``None`` when none is set yet.
    hourly: Decimal | None


@dataclass(frozen=True)
class Line:
    """One hour entry: what was logged and what it earned (or why it earned nothing)."""

    id: int
    work_date: date
    activity: Activity
    hours: Decimal
    description: str
    status: HourStatus
    #: The rate fixed at verification (kept while disputed after a verification).
    rate: Decimal | None
    #: Euros credited, or creditable once verified; ``None`` before a decision.
    euros: Decimal | None
    #: Hours verified but over a cap, so earning nothing.
    over_cap: Decimal
    #: Credited less than the hours earned: the credit stopped at what the debt was.
    capped_by_debt: bool
    #: The reviewer's reason (a rejection) or the resident's (a dispute).
    reason: str | None
    #: The last day a rejection may be contested; ``None`` for other states.
    contest_until: date | None
    can_contest: bool


@dataclass
class AgreementView:
    agreement: Agreement
    creditor: str
    purpose: BookPurpose | None
    figures: AgreementFigures
    rates: list[Rate]
    caps: list[Cap]
    groups: list[tuple[HourStatus, list[Line]]]
    #: Hours may be logged: the agreement is active and has started.
    can_submit: bool
    #: The day the form proposes: today, or the agreement's last day once it is over.
    default_day: date


def _creditors(session: Session, book_ids: set[int]) -> dict[int, tuple[BookPurpose, str]]:
    rows = session.execute(
        select(CreditorBook.book_id, CreditorBook.purpose, HousingBody.name, Building.name)
        .outerjoin(Building, Building.id == CreditorBook.building_id)
        .outerjoin(HousingBody, HousingBody.id == CreditorBook.housing_body_id)
        .where(CreditorBook.book_id.in_(book_ids or {0}))
    )
    return {book: (purpose, body or building) for book, purpose, body, building in rows}


def _rates(session: Session, activity_ids: set[int], day: date) -> dict[int, Decimal]:
    """The rate in force on ``day`` of each activity, in one query."""
    rows = session.execute(
        select(ActivityRate.activity_id, ActivityRate.hourly_cents)
        .where(ActivityRate.activity_id.in_(activity_ids or {0}), ActivityRate.valid_from <= day)
        .order_by(ActivityRate.activity_id, ActivityRate.valid_from)
    )
    found: dict[int, Decimal] = {}
    for activity_id, cents in rows:
        found[activity_id] = from_cents(cents)  # the latest one stays
    return found


def _caps(agreement: Agreement, entries: list[HourEntry], year: int) -> list[Cap]:
    """What the caps allow and what is left, counted as verification counts them (the
    creditable part of verified and credited entries). The yearly caps are those of ``year``:
    the year of today, or the agreement's last year once it is over (``figures`` reads the year
    of its ``as_of`` only)."""
    counted = [e for e in entries if e.status in COUNTED]
    caps: list[Cap] = []
    for cap_year, used in (
        (None, counted),
        (year, [e for e in counted if e.work_date.year == year]),
    ):
        hours_cap = agreement.yearly_cap_hours if cap_year else agreement.cap_hours
        cents_cap = agreement.yearly_cap_cents if cap_year else agreement.cap_cents
        if hours_cap is not None:
            spent = sum((e.creditable_hours or ZERO_HOURS for e in used), ZERO_HOURS)
            caps.append(Cap("h", cap_year, hours_cap, spent, max(hours_cap - spent, ZERO_HOURS)))
        if cents_cap is not None:
            cents = sum(e.creditable_cents or 0 for e in used)
            caps.append(
                Cap(
                    "EUR",
                    cap_year,
                    from_cents(cents_cap),
                    from_cents(cents),
                    from_cents(max(cents_cap - cents, 0)),
                )
            )
    return caps


def _line(entry: HourEntry, today: date) -> Line:
    until = None
    if entry.status is HourStatus.REJECTED and entry.decided_at is not None:
        until = entry.decided_at.date() + timedelta(days=entry.agreement.dispute_days)
    if entry.status is HourStatus.CREDITED:
        euros = None if entry.credited_cents is None else from_cents(entry.credited_cents)
    elif entry.status in (HourStatus.VERIFIED, HourStatus.DISPUTED):
        euros = None if entry.creditable_cents is None else from_cents(entry.creditable_cents)
    else:
        euros = None
    over = Decimal("0.00")
    if entry.creditable_hours is not None and entry.status is not HourStatus.REJECTED:
        over = entry.hours - entry.creditable_hours
    return Line(
        id=entry.id,
        work_date=entry.work_date,
        activity=entry.activity,
        hours=entry.hours,
        description=entry.description,
        status=entry.status,
        rate=None if entry.rate_cents is None else from_cents(entry.rate_cents),
        euros=euros,
        over_cap=over,
        capped_by_debt=entry.status is HourStatus.CREDITED
        and (entry.credited_cents or 0) < (entry.creditable_cents or 0),
        reason=entry.reason,
        contest_until=until,
        can_contest=until is not None and today <= until,
    )


def household_agreements(session: Session, household_id: int, today: date) -> list[AgreementView]:
    """Every agreement of the household, the running one first, with its figures on ``today``."""
    agreements = list(
        session.scalars(
            select(Agreement)
            .where(Agreement.household_id == household_id)
            .options(
                selectinload(Agreement.activities),
                selectinload(Agreement.debtor_account).selectinload(DebtorAccount.account),
                selectinload(Agreement.household),
            )
            .order_by(
                case(_STATUS_ORDER, value=Agreement.status, else_=9),
                Agreement.start_date.desc(),
                Agreement.id,
            )
        )
    )
    if not agreements:
        return []
    entries = session.scalars(
        select(HourEntry)
        .where(HourEntry.agreement_id.in_([a.id for a in agreements]))
        .options(selectinload(HourEntry.activity))
        .order_by(HourEntry.work_date.desc(), HourEntry.id.desc())
    ).all()
    book_ids = {a.debtor_account.book_id for a in agreements}
    creditors = _creditors(session, book_ids)
    views = []
    for agreement in agreements:
        # The rates of today, or of the agreement's last day once it is over.
        day = min(max(today, agreement.start_date), agreement.end_date)
        rates = _rates(session, {a.id for a in agreement.activities}, day)
        figures = agreement_figures(session, agreement, today)
        mine = [e for e in entries if e.agreement_id == agreement.id]
        groups = [
            (status, [_line(e, today) for e in mine if e.status is status]) for status in GROUPS
        ]
        debtor = agreement.debtor_account
        purpose, creditor = creditors.get(debtor.book_id) or (None, debtor.book.name)
        views.append(
            AgreementView(
                agreement=agreement,
                creditor=creditor,
                purpose=purpose,
                figures=figures,
                rates=[Rate(a, rates.get(a.id)) for a in agreement.activities],
                caps=_caps(agreement, mine, day.year),
                groups=[(status, lines) for status, lines in groups if lines],
                can_submit=agreement.status is AgreementStatus.ACTIVE
                and agreement.start_date <= today,
                default_day=min(today, agreement.end_date),
            )
        )
    return views


__all__ = ["GROUPS", "AgreementView", "Cap", "Line", "Rate", "household_agreements"]
