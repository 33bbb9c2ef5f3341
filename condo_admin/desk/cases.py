"""Cases: the early-warning list made workable (PRODUCT.md 4.3).

A case is the desk's file on one household: opened from the flags that put the household on the
list (kept as they read that day), assigned to an operator, worked through contacts and notes in a
diary, given a next action and a date, and closed with an outcome. A household has at most one
open case. Every change the system makes (status, assignment, hold on letters) is written in the
diary as well, so the diary alone tells the story.

The system's diary lines and the flags are stored in English, as the audit trail and the CLI read
them; :func:`system_line` and :func:`stored_flag` give a screen their template and parameters back,
to say them in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from condo_admin.accounting.early_warning import Flag, HouseholdWarning, Rule, Settings
from condo_admin.audit.operations import record as audit
from condo_admin.audit.operations import snapshot
from condo_admin.desk.errors import CaseRefused
from condo_admin.desk.models import Case, CaseEntry, CaseStatus, ContactKind, Outcome
from condo_admin.registry.models import Agency, Household
from ledger.errors import N_, NotFound, Phrase

OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.CONTACTED,
    CaseStatus.IN_PLAN,
    CaseStatus.IN_RESTITUTION,
)
#: Closing with these outcomes leaves the case *referred*; any other leaves it *resolved*.
_REFERRED = (Outcome.REFERRED,)

# --- the lines the system writes in the diary (kind ``change``) -----------------------------

OPENED = N_("case opened: %(reasons)s")
OPENED_BY_HAND = N_("case opened: opened by hand")
STATUS = N_("status %(old)s → %(new)s")
ASSIGNED = N_("assigned to %(operator)s")
UNASSIGNED = N_("assigned to nobody")
NEXT_ACTION = N_("next action on %(when)s: %(what)s")
LETTERS_HELD = N_("letters held: %(reason)s")
LETTERS_ALLOWED = N_("letters allowed again: %(reason)s")
CLOSED = N_("closed, %(outcome)s: %(note)s")
#: Tried in this order when a line is read back: the lines without parameters first.
_SYSTEM_LINES = (
    OPENED_BY_HAND,
    UNASSIGNED,
    OPENED,
    STATUS,
    ASSIGNED,
    NEXT_ACTION,
    LETTERS_HELD,
    LETTERS_ALLOWED,
    CLOSED,
)
#: How a parameter is read back from the stored text (any other stays text).
_READ_BACK: dict[str, Callable[[str], Any]] = {
    "old": CaseStatus,
    "new": CaseStatus,
    "outcome": Outcome,
    "when": date.fromisoformat,
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile(
        "".join(f"(?P<{p}>.*?)" if i % 2 else re.escape(p) for i, p in enumerate(parts)),
        re.DOTALL,
    )


_PATTERNS = [(template, _pattern(template)) for template in _SYSTEM_LINES]


@dataclass(frozen=True)
class SystemLine:
    """A diary line the system wrote: its English template and its parameters."""

    template: str
    params: dict[str, Any]


def system_line(entry: CaseEntry) -> SystemLine | None:
    """The template and parameters of a line the system wrote, read back from its stored text.

    None for a contact or a note, and for a text that none of the lines above makes (written by an
    older version): a screen shows that as it is.
    """
    if entry.kind is not ContactKind.CHANGE:
        return None
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(entry.text)
        if found is None:
            continue
        try:
            params = {k: _READ_BACK.get(k, str)(v) for k, v in found.groupdict().items()}
        except ValueError:
            continue
        return SystemLine(template, params)
    return None


# --- the flags a case keeps --------------------------------------------------------------------


def _stored(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _read(value: Any) -> Any:
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    if isinstance(value, dict) and "date" in value:
        return date.fromisoformat(value["date"])
    return value


def flag_record(flag: Flag, locale: str | None = None) -> dict[str, Any]:
    """A flag as a case keeps it: its rule, its reason in English as it read that day, and its
    parameters (amounts and dates tagged, to be JSON), so a screen can say it in any language."""
    return {
        "rule": flag.rule.value,
        "reason": flag.reason(locale),
        "params": {key: _stored(value) for key, value in flag.params.items()},
    }


def stored_flag(record: Mapping[str, Any]) -> Flag | None:
    """The flag a case keeps, with its parameters; None for one kept without them."""
    if not isinstance(record.get("params"), dict):
        return None
    try:
        rule = Rule(record.get("rule"))
    except ValueError:
        return None
    return Flag(rule, {key: _read(value) for key, value in record["params"].items()})


def _now() -> datetime:
    return datetime.now(UTC)


def _diary(
    session: Session, case: Case, on: date, kind: ContactKind, text: str, actor: str
) -> CaseEntry:
    if on < case.opened_on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("%(day)s is before the case was opened (%(opened)s)"),
                day=on,
                opened=case.opened_on,
            ),
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
    flags: list[dict[str, Any]] | None = None,
    assigned_to: str | None = None,
    note: str | None = None,
) -> Case:
    """A new case for the household; refused while it has another one open."""
    existing = open_case_of(session, household.id)
    if existing is not None:
        raise CaseRefused(
            case=f"#{existing.id}",
            problem=Phrase(
                N_(
                    "household %(household)s already has this case open (%(status)s) "
                    "since %(since)s"
                ),
                household=household.code,
                status=existing.status.value,
                since=existing.opened_on,
            ),
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
    reasons = "; ".join(f["reason"] for f in case.flags)
    opened = OPENED % {"reasons": reasons} if reasons else OPENED_BY_HAND
    _diary(session, case, on, ContactKind.CHANGE, opened, actor)
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
        flags = [flag_record(f, locale) for f in warning.flags]
        opened.append(open_case(session, household, on=as_of, actor=actor, flags=flags))
    return Opened(opened, already)


def _must_be_open(case: Case, action: str) -> None:
    if case.closed_on is not None:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("it was closed on %(closed)s (%(status)s); it cannot be %(action)s"),
                closed=case.closed_on,
                status=case.status.value,
                action=action,
            ),
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
    _must_be_open(case, N_("written in"))
    try:
        kind = ContactKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in ContactKind if k is not ContactKind.CHANGE)
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("%(kind)r is not a kind of contact (%(allowed)s)"), kind=kind, allowed=allowed
            ),
        ) from None
    if kind is ContactKind.CHANGE:
        raise CaseRefused(case=f"#{case.id}", problem=N_("changes are written by the system only"))
    if not text.strip():
        raise CaseRefused(case=f"#{case.id}", problem=N_("a diary entry needs some text"))
    entry = _diary(session, case, on, kind, text.strip(), actor)
    if case.status is CaseStatus.NEW and kind is not ContactKind.NOTE:
        set_status(session, case, CaseStatus.CONTACTED, on=on, actor=actor)
    session.flush()
    return entry


def set_status(
    session: Session, case: Case, status: CaseStatus | str, *, on: date, actor: str
) -> Case:
    """Move an open case between the working statuses; closing goes through :func:`close_case`."""
    _must_be_open(case, N_("changed"))
    try:
        status = CaseStatus(status)
    except ValueError:
        raise CaseRefused(
            case=f"#{case.id}", problem=Phrase(N_("%(status)r is not a case status"), status=status)
        ) from None
    if status not in OPEN_STATUSES:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("close the case with an outcome to make it %(status)s"), status=status.value
            ),
        )
    if status is case.status:
        return case
    before = snapshot(case)
    line = STATUS % {"old": case.status.value, "new": status.value}
    _diary(session, case, on, ContactKind.CHANGE, line, actor)
    case.status = status
    session.flush()
    audit(session, actor, "case.status", case, before=before)
    return case


def assign(session: Session, case: Case, operator: str | None, *, on: date, actor: str) -> Case:
    _must_be_open(case, N_("assigned"))
    before = snapshot(case)
    case.assigned_to = operator
    line = ASSIGNED % {"operator": operator} if operator else UNASSIGNED
    _diary(session, case, on, ContactKind.CHANGE, line, actor)
    session.flush()
    audit(session, actor, "case.assign", case, before=before)
    return case


def plan_next_action(
    session: Session, case: Case, *, on: date, what: str, when: date, actor: str
) -> Case:
    _must_be_open(case, N_("given a next action"))
    if not what.strip():
        raise CaseRefused(case=f"#{case.id}", problem=N_("say what the next action is"))
    if when < on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(N_("the next action cannot be in the past (%(when)s)"), when=when),
        )
    before = snapshot(case)
    case.next_action, case.next_action_on = what.strip(), when
    line = NEXT_ACTION % {"when": when.isoformat(), "what": what}
    _diary(session, case, on, ContactKind.CHANGE, line, actor)
    session.flush()
    audit(session, actor, "case.next_action", case, before=before)
    return case


def hold_letters(
    session: Session, case: Case, hold: bool, *, on: date, reason: str, actor: str
) -> Case:
    """Stop (or allow again) reminder letters to the household while the case is open."""
    _must_be_open(case, N_("changed"))
    if not reason.strip():
        raise CaseRefused(case=f"#{case.id}", problem=N_("say why letters are held or released"))
    before = snapshot(case)
    case.hold_letters = hold
    line = (LETTERS_HELD if hold else LETTERS_ALLOWED) % {"reason": reason.strip()}
    _diary(session, case, on, ContactKind.CHANGE, line, actor)
    session.flush()
    audit(session, actor, "case.hold_letters", case, before=before)
    return case


def close_case(
    session: Session, case: Case, *, on: date, outcome: Outcome | str, note: str, actor: str
) -> Case:
    _must_be_open(case, N_("closed again"))
    try:
        outcome = Outcome(outcome)
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome)
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("%(outcome)r is not an outcome (%(allowed)s)"), outcome=outcome, allowed=allowed
            ),
        ) from None
    if not note.strip():
        raise CaseRefused(case=f"#{case.id}", problem=N_("closing needs a note on the outcome"))
    if on < case.opened_on:
        raise CaseRefused(
            case=f"#{case.id}",
            problem=Phrase(
                N_("it cannot close on %(day)s, before it opened (%(opened)s)"),
                day=on,
                opened=case.opened_on,
            ),
        )
    before = snapshot(case)
    closed = CaseStatus.REFERRED if outcome in _REFERRED else CaseStatus.RESOLVED
    line = CLOSED % {"outcome": outcome.value, "note": note.strip()}
    _diary(session, case, on, ContactKind.CHANGE, line, actor)
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
