"""Restitution agreements: no hours without one (PRODUCT.md 4.5, "agreement first").

An agreement is drafted, then activated once signed; it may be suspended (hours refused until it
is reactivated) and ends for good. It names the debt it repays (one debtor account of the
household), the activities allowed, the caps, the insurance and the supervisor, who must not be a
member of the household. Two active agreements on the same debt with overlapping dates would let
the caps be doubled, so that is refused at activation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.audit.operations import record as audit
from condo_admin.registry import validate as v
from condo_admin.registry.models import Agency, Household, HouseholdMember, Person
from ledger.errors import N_, NotFound, Phrase, either
from ledger.money import to_cents
from volunteering import events
from volunteering.errors import AgreementRefused, TransitionRefused
from volunteering.models import Activity, Agreement, AgreementStatus

QUARTER = Decimal("0.25")
DEFAULT_DAILY_MAX = Decimal("4")


@dataclass(frozen=True)
class Caps:
    """What an agreement may credit at most; ``None`` is no cap of that kind."""

    euros: Decimal | str | None = None
    hours: Decimal | str | None = None
    euros_per_year: Decimal | str | None = None
    hours_per_year: Decimal | str | None = None
    daily_max_hours: Decimal | str = DEFAULT_DAILY_MAX


#: More hours than any agreement could hold (a year of whole days is 8,784): a typing slip.
_MOST_HOURS = Decimal(100_000)


def quarter_hours(value: Decimal | str | int, what: str, label: str) -> Decimal:
    """Hours as a positive multiple of a quarter hour, or a refusal naming ``what``."""
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        raise AgreementRefused(
            agreement=label,
            problem=Phrase(N_("%(what)s %(value)r is not a number"), what=what, value=value),
        ) from None
    # Bounded before the remainder: "1e30" hours would overflow the decimal context.
    if not hours.is_finite() or hours <= 0 or hours > _MOST_HOURS or hours % QUARTER:
        raise AgreementRefused(
            agreement=label,
            problem=Phrase(
                N_("%(what)s must be a positive number of quarter hours, %(value)s was given"),
                what=what,
                value=value,
            ),
        )
    return hours.quantize(Decimal("0.01"))


def is_member(
    session: Session, person: Person, household: Household, start: date, end: date
) -> bool:
    """Whether ``person`` belongs to ``household`` on any day of ``[start, end]``."""
    return (
        session.scalar(
            select(HouseholdMember.id).where(
                HouseholdMember.household_id == household.id,
                HouseholdMember.person_id == person.id,
                HouseholdMember.start_date <= end,
                (HouseholdMember.end_date.is_(None)) | (HouseholdMember.end_date >= start),
            )
        )
        is not None
    )


def create_agreement(
    session: Session,
    agency: Agency,
    code: str,
    *,
    household: Household,
    debtor: DebtorAccount | None,
    supervisor: Person,
    activities: Sequence[Activity],
    start: date,
    end: date,
    insurance_ref: str,
    caps: Caps | None = None,
    dispute_days: int = 14,
    signed_on: date | None = None,
    actor: str,
) -> Agreement:
    """A draft agreement; every rule is checked before anything is written."""
    label = str(code)
    code = v.code(code, "agreement code")
    caps = caps or Caps()
    if debtor is None:
        raise AgreementRefused(agreement=label, problem=N_("the debt it targets does not exist"))
    if debtor.household_id != household.id:
        raise AgreementRefused(
            agreement=label,
            problem=Phrase(
                N_(
                    "debtor account %(account)s is not a debt of household %(household)s "
                    "(it is %(owner)s's)"
                ),
                account=debtor.account.code,
                household=household.code,
                owner=debtor.household.code,
            ),
        )
    start = v.day(start, "start date")
    end = v.day(end, "end date")
    if end < start:
        raise AgreementRefused(
            agreement=label,
            problem=Phrase(
                N_("it ends (%(end)s) before it starts (%(start)s)"), end=end, start=start
            ),
        )
    if not activities:
        raise AgreementRefused(agreement=label, problem=N_("it allows no activity"))
    if is_member(session, supervisor, household, start, end):
        raise AgreementRefused(
            agreement=label,
            problem=Phrase(
                N_("the supervisor %(person)s is a member of household %(household)s"),
                person=f"{supervisor.first_name} {supervisor.last_name}",
                household=household.code,
            ),
        )
    if not 1 <= int(dispute_days) <= 90:
        raise AgreementRefused(agreement=label, problem=N_("the dispute period must be 1-90 days"))
    exists = session.scalar(
        select(Agreement.id).where(Agreement.agency_id == agency.id, Agreement.code == code)
    )
    if exists is not None:
        raise AgreementRefused(agreement=label, problem=N_("an agreement with this code exists"))
    agreement = Agreement(
        agency_id=agency.id,
        code=code,
        household_id=household.id,
        debtor_account_id=debtor.id,
        supervisor_id=supervisor.id,
        insurance_ref=v.text(insurance_ref, "insurance reference", 100),
        start_date=start,
        end_date=end,
        status=AgreementStatus.DRAFT,
        cap_cents=_cap_cents(caps.euros, N_("the euro cap"), label),
        cap_hours=_cap_hours(caps.hours, N_("the hour cap"), label),
        yearly_cap_cents=_cap_cents(caps.euros_per_year, N_("the yearly euro cap"), label),
        yearly_cap_hours=_cap_hours(caps.hours_per_year, N_("the yearly hour cap"), label),
        daily_max_hours=quarter_hours(caps.daily_max_hours, N_("the daily maximum"), label),
        dispute_days=int(dispute_days),
        signed_on=v.day(signed_on, "signing date", required=False),
        created_by=actor,
        created_at=events.now(),
        activities=list(activities),
    )
    if agreement.daily_max_hours > 24:
        raise AgreementRefused(agreement=label, problem=N_("the daily maximum exceeds 24 hours"))
    session.add(agreement)
    session.flush()
    events.record(
        session, agreement_id=agreement.id, action="create", from_status=None, to_status="draft",
        actor=actor,
    )  # fmt: skip
    audit(session, actor, "agreement.create", agreement)
    return agreement


def _cap_cents(value: Decimal | str | None, what: str, label: str) -> int | None:
    if value is None:
        return None
    cents = to_cents(
        value, field=Phrase(N_("agreement %(agreement)s: %(what)s"), agreement=label, what=what)
    )
    if cents <= 0:
        raise AgreementRefused(
            agreement=label, problem=Phrase(N_("%(what)s must be positive"), what=what)
        )
    return cents


def _cap_hours(value: Decimal | str | None, what: str, label: str) -> Decimal | None:
    return None if value is None else quarter_hours(value, what, label)


#: The trail's verb for reaching each state (hour entries use "submit", "verify", ...).
_EVENT = {
    AgreementStatus.ACTIVE: "activate",
    AgreementStatus.SUSPENDED: "suspend",
    AgreementStatus.ENDED: "end",
}


def _move(
    session: Session,
    agreement: Agreement,
    action: str,
    allowed: tuple[AgreementStatus, ...],
    to: AgreementStatus,
    actor: str,
    note: str | None = None,
) -> Agreement:
    if agreement.status not in allowed:
        raise TransitionRefused(
            what=Phrase(N_("Agreement %(code)s"), code=agreement.code),
            status=agreement.status.value,
            action=action,
            allowed=either([s.value for s in allowed]),
        )
    before = agreement.status
    agreement.status = to
    session.flush()
    events.record(
        session,
        agreement_id=agreement.id,
        action=_EVENT[to],
        from_status=before.value,
        to_status=to.value,
        actor=actor,
        note=note,
    )
    audit(session, actor, f"agreement.{to.value}", agreement, before={"status": before.value})
    return agreement


def activate(session: Session, agreement: Agreement, *, actor: str) -> Agreement:
    """Signed (or back from a suspension): hours can now be logged."""
    overlapping = session.scalar(
        select(Agreement.code).where(
            Agreement.debtor_account_id == agreement.debtor_account_id,
            Agreement.id != agreement.id,
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.start_date <= agreement.end_date,
            Agreement.end_date >= agreement.start_date,
        )
    )
    if overlapping is not None:
        raise AgreementRefused(
            agreement=agreement.code,
            problem=Phrase(
                N_(
                    "agreement %(agreement)s is already active on the same debt for "
                    "overlapping dates"
                ),
                agreement=overlapping,
            ),
        )
    return _move(
        session,
        agreement,
        N_("activated"),
        (AgreementStatus.DRAFT, AgreementStatus.SUSPENDED),
        AgreementStatus.ACTIVE,
        actor,
    )


def suspend(session: Session, agreement: Agreement, *, reason: str, actor: str) -> Agreement:
    note = v.text(reason, "reason", 500)
    return _move(
        session, agreement, N_("suspended"), (AgreementStatus.ACTIVE,), AgreementStatus.SUSPENDED,
        actor, note,
    )  # fmt: skip


def end(session: Session, agreement: Agreement, *, reason: str, actor: str) -> Agreement:
    note = v.text(reason, "reason", 500)
    return _move(
        session,
        agreement,
        N_("ended"),
        (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED),
        AgreementStatus.ENDED,
        actor,
        note,
    )


def find(session: Session, agency: Agency, code: str) -> Agreement:
    found = session.scalar(
        select(Agreement).where(Agreement.agency_id == agency.id, Agreement.code == code)
    )
    if found is None:
        raise NotFound(what="Agreement", ref=code)
    return found


__all__ = ["Caps", "activate", "create_agreement", "end", "find", "suspend"]
