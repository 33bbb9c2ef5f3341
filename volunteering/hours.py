"""Hour entries: submitted, then verified or rejected, possibly disputed, then credited.

```
submitted --verify--> verified --credit--> credited --uncredit--> verified
    |                    |  ^                                   (crediting.py)
    +--reject--> rejected|  |
                   |     v  |
                   +--> disputed --resolve (another reviewer)--> verified | rejected
```

Verification fixes the rate in force on the day of the work and applies the caps. Hours over a
cap are kept as *verified, not creditable*, with the cap named: they are never trimmed away, so
the resident sees every hour they worked and why part of it earned nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.registry import validate as v
from condo_admin.registry.models import Person
from ledger.errors import N_, Phrase, either
from ledger.money import format_amount
from volunteering import events
from volunteering.agreements import QUARTER, is_member, quarter_hours
from volunteering.catalogue import rate_on
from volunteering.errors import (
    AgreementRefused,
    HoursRefused,
    ReviewerRefused,
    TransitionRefused,
)
from volunteering.models import (
    Activity,
    Agreement,
    AgreementStatus,
    HourEntry,
    HourStatus,
    SubmitterRole,
)

#: States whose creditable hours and euros count against the caps.
COUNTED = (HourStatus.VERIFIED, HourStatus.CREDITED)


def _entry_label(entry: HourEntry) -> str:
    return Phrase(N_("Hour entry #%(id)s"), id=entry.id)


def submit(
    session: Session,
    agreement: Agreement,
    *,
    work_date: date,
    activity: Activity,
    hours: Decimal | str,
    description: str,
    role: SubmitterRole | str,
    actor: str,
    today: date,
) -> HourEntry:
    """Log hours worked; refused outside the agreement's terms, with the reason."""
    label = agreement.code
    work_date = v.day(work_date, "work date")

    def refuse(problem: str) -> HoursRefused:
        return HoursRefused(date=work_date, agreement=label, problem=problem)

    if agreement.status is not AgreementStatus.ACTIVE:
        raise refuse(
            Phrase(N_("the agreement is %(status)s, not active"), status=agreement.status.value)
        )
    if not agreement.start_date <= work_date <= agreement.end_date:
        raise refuse(
            Phrase(
                N_("the agreement runs from %(start)s to %(end)s"),
                start=agreement.start_date,
                end=agreement.end_date,
            )
        )
    if work_date > today:
        raise refuse(N_("hours cannot be logged before they are worked"))
    if activity not in agreement.activities:
        allowed = ", ".join(a.code for a in agreement.activities)
        raise refuse(
            Phrase(
                N_("activity %(activity)s is not allowed (allowed: %(allowed)s)"),
                activity=activity.code,
                allowed=allowed,
            )
        )
    try:
        amount = quarter_hours(hours, N_("hours"), label)
    except AgreementRefused:
        raise refuse(
            Phrase(N_("'%(hours)s' is not a positive number of quarter hours"), hours=str(hours))
        ) from None
    logged = session.scalar(
        select(func.coalesce(func.sum(HourEntry.hours), 0))
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .where(
            Agreement.household_id == agreement.household_id,
            HourEntry.work_date == work_date,
            HourEntry.status != HourStatus.REJECTED,
        )
    )
    if Decimal(logged) + amount > agreement.daily_max_hours:
        raise refuse(
            Phrase(
                N_(
                    "%(more)s h more would make %(total)s h that day, over the daily maximum of "
                    "%(most)s h"
                ),
                more=str(amount),  # hours, not money: as they are written
                total=str(Decimal(logged) + amount),
                most=str(agreement.daily_max_hours),
            )
        )
    entry = HourEntry(
        agreement_id=agreement.id,
        activity_id=activity.id,
        work_date=work_date,
        hours=amount,
        description=v.text(description, "description", 500),
        status=HourStatus.SUBMITTED,
        submitted_by=actor,
        submitted_role=v.choice(role, SubmitterRole, "submitted as"),
        submitted_at=events.now(),
    )
    session.add(entry)
    session.flush()
    _event(session, entry, "submit", None, actor)
    return entry


def _event(
    session: Session, entry: HourEntry, action: str, before: HourStatus | None, actor: str,
    note: str | None = None,
) -> None:  # fmt: skip
    events.record(
        session,
        agreement_id=entry.agreement_id,
        hour_entry_id=entry.id,
        action=action,
        from_status=None if before is None else before.value,
        to_status=entry.status.value,
        actor=actor,
        note=note,
    )


def _require(entry: HourEntry, action: str, *allowed: HourStatus) -> HourStatus:
    if entry.status not in allowed:
        raise TransitionRefused(
            what=_entry_label(entry),
            status=entry.status.value,
            action=action,
            allowed=either([s.value for s in allowed]),
        )
    return entry.status


def _reviewer(session: Session, entry: HourEntry, reviewer: Person, action: str) -> None:
    agreement = entry.agreement
    if is_member(session, reviewer, agreement.household, entry.work_date, entry.work_date):
        raise ReviewerRefused(
            person=f"{reviewer.first_name} {reviewer.last_name}",
            action=action,
            entry=entry.id,
            problem=Phrase(
                N_("they belong to household %(household)s, whose hours these are"),
                household=agreement.household.code,
            ),
        )


@dataclass(frozen=True)
class Allowance:
    """What the caps let one entry earn."""

    hours: Decimal
    cents: int
    #: The caps that bound, named; empty when the whole entry is creditable.
    caps: list[str]


def allowance(session: Session, entry: HourEntry, rate_cents: int) -> Allowance:
    """Creditable hours and euros of ``entry`` given what the agreement's other entries used."""
    agreement = entry.agreement
    year_start, year_end = date(entry.work_date.year, 1, 1), date(entry.work_date.year, 12, 31)
    used_hours, used_cents, year_hours, year_cents = session.execute(
        select(
            func.coalesce(func.sum(HourEntry.creditable_hours), 0),
            func.coalesce(func.sum(HourEntry.creditable_cents), 0),
            func.coalesce(
                func.sum(HourEntry.creditable_hours).filter(
                    HourEntry.work_date.between(year_start, year_end)
                ),
                0,
            ),
            func.coalesce(
                func.sum(HourEntry.creditable_cents).filter(
                    HourEntry.work_date.between(year_start, year_end)
                ),
                0,
            ),
        ).where(
            HourEntry.agreement_id == agreement.id,
            HourEntry.id != entry.id,
            HourEntry.status.in_(COUNTED),
        )
    ).one()
    hours = entry.hours
    caps: list[str] = []
    hour_limits = [
        (agreement.cap_hours, Decimal(used_hours), f"agreement cap of {agreement.cap_hours} h"),
        (
            agreement.yearly_cap_hours,
            Decimal(year_hours),
            f"{entry.work_date.year} cap of {agreement.yearly_cap_hours} h",
        ),
    ]
    cent_limits = [
        (agreement.cap_cents, int(used_cents), "agreement cap of €%s"),
        (agreement.yearly_cap_cents, int(year_cents), f"{entry.work_date.year} cap of €%s"),
    ]
    for cap, used, name in hour_limits:
        if cap is not None and hours > cap - used:
            hours = max(Decimal(0), cap - used)
            caps.append(name)
    for cap, used, name in cent_limits:
        if cap is None:
            continue
        left = max(0, cap - used)
        if hours * rate_cents > left:
            # Whole quarter hours that still fit under the euro cap.
            fitting = (Decimal(left) / rate_cents / QUARTER).to_integral_value(ROUND_FLOOR)
            hours = min(hours, fitting * QUARTER)
            caps.append(name % format_amount(cap))
    cents = int((hours * rate_cents).to_integral_value(ROUND_HALF_UP))
    return Allowance(hours.quantize(Decimal("0.01")), cents, caps)


def _decide_verified(session: Session, entry: HourEntry, reviewer: Person) -> None:
    rate = rate_on(session, entry.activity, entry.work_date)
    allowed = allowance(session, entry, rate.hourly_cents)
    entry.rate_cents = rate.hourly_cents
    entry.creditable_hours = allowed.hours
    entry.creditable_cents = allowed.cents
    entry.cap_note = None
    if allowed.caps:
        over = entry.hours - allowed.hours
        entry.cap_note = f"{over} h verified, not creditable: over the {', '.join(allowed.caps)}"
    entry.status = HourStatus.VERIFIED
    entry.decided_by_id = reviewer.id
    entry.decided_at = events.now()


def verify(
    session: Session, entry: HourEntry, *, reviewer: Person, actor: str, note: str | None = None
) -> HourEntry:
    """Confirm the hours were worked; fixes the rate and what the caps allow."""
    before = _require(entry, N_("verified"), HourStatus.SUBMITTED)
    _reviewer(session, entry, reviewer, N_("verify"))
    _decide_verified(session, entry, reviewer)
    entry.reason = v.text(note, "note", 500, required=False)
    session.flush()
    _event(session, entry, "verify", before, actor, entry.cap_note or entry.reason)
    return entry


def _clear_decision(entry: HourEntry) -> None:
    entry.rate_cents = entry.creditable_hours = entry.creditable_cents = None
    entry.cap_note = None


def reject(
    session: Session, entry: HourEntry, *, reviewer: Person, reason: str, actor: str
) -> HourEntry:
    """Refuse the hours; the reason is required and shown to the resident."""
    why = v.text(reason, "reason", 500)
    before = _require(entry, N_("rejected"), HourStatus.SUBMITTED)
    _reviewer(session, entry, reviewer, N_("reject"))
    _clear_decision(entry)
    entry.status = HourStatus.REJECTED
    entry.reason = why
    entry.decided_by_id = reviewer.id
    entry.decided_at = events.now()
    session.flush()
    _event(session, entry, "reject", before, actor, why)
    return entry


def dispute(
    session: Session, entry: HourEntry, *, reason: str, actor: str, today: date
) -> HourEntry:
    """The resident contests a decision, within the agreement's dispute period."""
    why = v.text(reason, "reason", 500)
    before = _require(entry, N_("disputed"), HourStatus.VERIFIED, HourStatus.REJECTED)
    assert entry.decided_at is not None
    deadline = entry.decided_at.date() + timedelta(days=entry.agreement.dispute_days)
    if today > deadline:
        raise HoursRefused(
            date=entry.work_date,
            agreement=entry.agreement.code,
            problem=Phrase(
                N_("the decision could be contested until %(deadline)s"), deadline=deadline
            ),
        )
    entry.status = HourStatus.DISPUTED
    entry.reason = why
    session.flush()
    _event(session, entry, "dispute", before, actor, why)
    return entry


def resolve(
    session: Session,
    entry: HourEntry,
    *,
    reviewer: Person,
    accept: bool,
    reason: str,
    actor: str,
) -> HourEntry:
    """Decide a dispute: verified (``accept``) or rejected, by someone other than the first."""
    why = v.text(reason, "reason", 500)
    before = _require(entry, N_("resolved"), HourStatus.DISPUTED)
    if entry.decided_by_id == reviewer.id:
        raise ReviewerRefused(
            person=f"{reviewer.first_name} {reviewer.last_name}",
            action=N_("resolve the dispute on"),
            entry=entry.id,
            problem=N_("they made the decision being contested; another reviewer must decide"),
        )
    _reviewer(session, entry, reviewer, N_("resolve the dispute on"))
    if accept:
        _decide_verified(session, entry, reviewer)
    else:
        _clear_decision(entry)
        entry.status = HourStatus.REJECTED
        entry.decided_by_id = reviewer.id
        entry.decided_at = events.now()
    entry.reason = why
    session.flush()
    _event(session, entry, "resolve", before, actor, why)
    return entry


__all__ = ["allowance", "dispute", "reject", "resolve", "submit", "verify"]
