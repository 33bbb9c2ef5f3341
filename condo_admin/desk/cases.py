"""Cases: the early-warning list made workable (PRODUCT.md 4.3).

A case is the desk's file on one household: opened from the flags that put the household on the
list (kept as they read that day), assigned to an operator, worked through contacts and notes in a
diary, given a next action and a date, and closed with an outcome. A household has at most one
open case. Every change the system makes (status, assignment, hold on letters) is written in the
diary as well, so the diary alone tells the story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from condo_admin.accounting.early_warning import HouseholdWarning, Settings
from condo_admin.audit.operations import record as audit
from condo_admin.audit.operations import snapshot
from condo_admin.desk.errors import CaseRefused
from condo_admin.desk.models import Case, CaseEntry, CaseStatus, ContactKind, Outcome
from condo_admin.registry.models import Agency, Household
from ledger.errors import NotFound

OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.CONTACTED,
    CaseStatus.IN_PLAN,
    CaseStatus.IN_RESTITUTION,
)
#: Closing with these outcomes leaves the case *referred*; any other leaves it *resolved*.
_REFERRED = (Outcome.REFERRED,)


def _now() -> datetime:
    return datetime.now(UTC)


def _diary(
    session: Session, case: Case, on: date, kind: ContactKind, text: str, actor: str
) -> CaseEntry:
    if on < case.opened_on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=f"{on.isoformat()} is before the case was opened "
            f"({case.opened_on.isoformat()})",
        )
    entry = CaseEntry(day=on, kind=kind, text=text, author=actor, at=_now())
    case.diary.append(entry)
    return entry


def open_case_of(session: Session, household_id: int) -> Case | None:
    return session.scalar(
        select(Case).where(Case.household_id == household_id, Case.closed_on.is_(None))
    )


def open_case(
    session: Session,
    household: Household,
    *,
    on: date,
    actor: str,
    flags: list[dict[str, str]] | None = None,
    assigned_to: str | None = None,
    note: str | None = None,
) -> Case:
    """A new case for the household; refused while it has another one open."""
    existing = open_case_of(session, household.id)
    if existing is not None:
        raise CaseRefused(
            case=f"#{existing.id}",
            problem=f"household {household.code} already has this case open "
            f"({existing.status.value}) since {existing.opened_on.isoformat()}",
        )
    case = Case(
        agency_id=household.agency_id,
        household_id=household.id,
        status=CaseStatus.NEW,
        assigned_to=assigned_to,
        opened_on=on,
        opened_by=actor,
        flags=flags or [],
        hold_letters=False,
    )
    session.add(case)
    session.flush()
    reasons = "; ".join(f["reason"] for f in case.flags) or "opened by hand"
    _diary(session, case, on, ContactKind.CHANGE, f"case opened: {reasons}", actor)
    if note:
        _diary(session, case, on, ContactKind.NOTE, note, actor)
    session.flush()
    audit(session, actor, "case.open", case)
    return case


@dataclass(frozen=True)
class Opened:
    opened: list[Case]
    already_open: list[Case]


def open_from_warnings(
    session: Session,
    agency: Agency,
    as_of: date,
    *,
    actor: str,
    warnings: list[HouseholdWarning] | None = None,
    settings: Settings | None = None,
    locale: str | None = None,
) -> Opened:
    """A case for every flagged household of the agency that has none open.

    ``warnings`` defaults to the early-warning list on ``as_of`` (with the desk's plan rule, see
    :mod:`condo_admin.desk.warnings`).
    """
    if warnings is None:
        from condo_admin.desk.warnings import desk_warnings

        warnings = desk_warnings(session, as_of, settings)
    households = {
        h.id: h
        for h in session.scalars(
            select(Household).where(
                Household.agency_id == agency.id,
                Household.id.in_([w.household_id for w in warnings]),
            )
        )
    }
    opened: list[Case] = []
    already: list[Case] = []
    for warning in warnings:
        household = households.get(warning.household_id)
        if household is None:
            continue
        existing = open_case_of(session, household.id)
        if existing is not None:
            already.append(existing)
            continue
        flags = [{"rule": f.rule.value, "reason": f.reason(locale)} for f in warning.flags]
        opened.append(open_case(session, household, on=as_of, actor=actor, flags=flags))
    return Opened(opened, already)


def _must_be_open(case: Case, action: str) -> None:
    if case.closed_on is not None:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=f"it was closed on {case.closed_on.isoformat()} ({case.status.value}); "
            f"it cannot be {action}",
        )


def add_entry(
    session: Session,
    case: Case,
    *,
    on: date,
    kind: ContactKind | str,
    text: str,
    actor: str,
) -> CaseEntry:
    """A contact or a note in the diary; a first contact moves a new case to *contacted*."""
    _must_be_open(case, "written in")
    try:
        kind = ContactKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in ContactKind if k is not ContactKind.CHANGE)
        raise CaseRefused(
            case=f"#{case.id}", problem=f"{kind!r} is not a kind of contact ({allowed})"
        ) from None
    if kind is ContactKind.CHANGE:
        raise CaseRefused(case=f"#{case.id}", problem="changes are written by the system only")
    if not text.strip():
        raise CaseRefused(case=f"#{case.id}", problem="a diary entry needs some text")
    entry = _diary(session, case, on, kind, text.strip(), actor)
    if case.status is CaseStatus.NEW and kind is not ContactKind.NOTE:
        set_status(session, case, CaseStatus.CONTACTED, on=on, actor=actor)
    session.flush()
    return entry


def set_status(
    session: Session, case: Case, status: CaseStatus | str, *, on: date, actor: str
) -> Case:
    """Move an open case between the working statuses; closing goes through :func:`close_case`."""
    _must_be_open(case, "changed")
    try:
        status = CaseStatus(status)
    except ValueError:
        raise CaseRefused(case=f"#{case.id}", problem=f"{status!r} is not a case status") from None
    if status not in OPEN_STATUSES:
        raise CaseRefused(
            case=f"#{case.id}", problem=f"close the case with an outcome to make it {status.value}"
        )
    if status is case.status:
        return case
    before = snapshot(case)
    _diary(
        session, case, on, ContactKind.CHANGE, f"status {case.status.value} → {status.value}", actor
    )
    case.status = status
    session.flush()
    audit(session, actor, "case.status", case, before=before)
    return case


def assign(session: Session, case: Case, operator: str | None, *, on: date, actor: str) -> Case:
    _must_be_open(case, "assigned")
    before = snapshot(case)
    case.assigned_to = operator
    _diary(session, case, on, ContactKind.CHANGE, f"assigned to {operator or 'nobody'}", actor)
    session.flush()
    audit(session, actor, "case.assign", case, before=before)
    return case


def plan_next_action(
    session: Session, case: Case, *, on: date, what: str, when: date, actor: str
) -> Case:
    _must_be_open(case, "given a next action")
    if not what.strip():
        raise CaseRefused(case=f"#{case.id}", problem="say what the next action is")
    if when < on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=f"the next action cannot be in the past ({when.isoformat()})",
        )
    before = snapshot(case)
    case.next_action, case.next_action_on = what.strip(), when
    _diary(
        session, case, on, ContactKind.CHANGE, f"next action on {when.isoformat()}: {what}", actor
    )
    session.flush()
    audit(session, actor, "case.next_action", case, before=before)
    return case


def hold_letters(
    session: Session, case: Case, hold: bool, *, on: date, reason: str, actor: str
) -> Case:
    """Stop (or allow again) reminder letters to the household while the case is open."""
    _must_be_open(case, "changed")
    if not reason.strip():
        raise CaseRefused(case=f"#{case.id}", problem="say why letters are held or released")
    before = snapshot(case)
    case.hold_letters = hold
    verb = "letters held" if hold else "letters allowed again"
    _diary(session, case, on, ContactKind.CHANGE, f"{verb}: {reason.strip()}", actor)
    session.flush()
    audit(session, actor, "case.hold_letters", case, before=before)
    return case


def close_case(
    session: Session, case: Case, *, on: date, outcome: Outcome | str, note: str, actor: str
) -> Case:
    _must_be_open(case, "closed again")
    try:
        outcome = Outcome(outcome)
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome)
        raise CaseRefused(
            case=f"#{case.id}", problem=f"{outcome!r} is not an outcome ({allowed})"
        ) from None
    if not note.strip():
        raise CaseRefused(case=f"#{case.id}", problem="closing needs a note on the outcome")
    if on < case.opened_on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=f"it cannot close on {on.isoformat()}, before it opened "
            f"({case.opened_on.isoformat()})",
        )
    before = snapshot(case)
    closed = CaseStatus.REFERRED if outcome in _REFERRED else CaseStatus.RESOLVED
    _diary(session, case, on, ContactKind.CHANGE, f"closed, {outcome.value}: {note.strip()}", actor)
    case.status, case.outcome, case.closed_on = closed, outcome, on
    case.next_action = case.next_action_on = None
    session.flush()
    audit(session, actor, "case.close", case, before=before)
    return case


def find_case(session: Session, agency: Agency, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.agency_id != agency.id:
        raise NotFound(what="Case", ref=f"#{case_id}")
    return case


def cases(
    session: Session,
    agency: Agency,
    *,
    open_only: bool = True,
    assigned_to: str | None = None,
    due_by: date | None = None,
) -> list[Case]:
    """The desk's worklist: next action first (undated last), then oldest."""
    query = select(Case).where(Case.agency_id == agency.id)
    if open_only:
        query = query.where(Case.closed_on.is_(None))
    if assigned_to is not None:
        query = query.where(Case.assigned_to == assigned_to)
    if due_by is not None:
        query = query.where(Case.next_action_on <= due_by)
    query = query.order_by(
        Case.next_action_on.is_(None), Case.next_action_on, Case.opened_on, Case.id
    ).options(selectinload(Case.household))
    return list(session.scalars(query))
