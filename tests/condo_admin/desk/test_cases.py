"""Cases: the early-warning list made workable, one open file per household, every change in its
diary, closed with an outcome.

The household of :class:`~tests.condo_admin.desk.office.Office` owes six monthly charges of
€100.00 (January to June 2024): on 15 July it is on the early-warning list (arrears above two
months of charges, growing three months in a row); its neighbour owes nothing and is not.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.early_warning import Rule
from condo_admin.audit.models import AuditEvent
from condo_admin.desk import cases
from condo_admin.desk.errors import CaseRefused
from condo_admin.desk.models import Case, CaseEntry, CaseStatus, ContactKind, Outcome
from condo_admin.desk.warnings import desk_warnings
from ledger.errors import NotFound
from tests import factories
from tests.condo_admin.desk.office import Office
from tests.factories import ACTOR

DAY = date(2024, 7, 15)


@pytest.fixture
def office(session: Session) -> Office:
    return Office(session)


@pytest.fixture
def case(office: Office) -> Case:
    return cases.open_case(office.session, office.household, on=DAY, actor=ACTOR)


def written(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model))
        for model in (Case, CaseEntry, AuditEvent)
    )


def diary(case: Case) -> list[tuple[ContactKind, str]]:
    return [(entry.kind, entry.text) for entry in case.diary]


# --- opening ---------------------------------------------------------------------------------


def test_a_case_is_opened_from_the_early_warning_list_with_the_flags_reasons(
    office: Office,
) -> None:
    (warning,) = [
        w for w in desk_warnings(office.session, DAY) if w.household_id == office.household.id
    ]
    assert {f.rule for f in warning.flags} >= {Rule.OVER_TWO_MONTHS}
    result = cases.open_from_warnings(office.session, office.agency, DAY, actor="desk")
    (case,) = result.opened
    assert result.already_open == []
    assert case.household_id == office.household.id
    assert (case.status, case.opened_on, case.opened_by) == (CaseStatus.NEW, DAY, "desk")
    assert [(f["rule"], f["reason"]) for f in case.flags] == [
        (f.rule.value, f.reason()) for f in warning.flags
    ]
    assert [cases.stored_flag(f) for f in case.flags] == warning.flags  # to be read in any language
    reasons = "; ".join(f.reason() for f in warning.flags)
    assert diary(case) == [(ContactKind.CHANGE, f"case opened: {reasons}")]


def test_households_not_on_the_list_get_no_case(office: Office) -> None:
    cases.open_from_warnings(office.session, office.agency, DAY, actor=ACTOR)
    assert cases.open_case_of(office.session, office.other.household.id) is None


def test_households_of_another_agency_get_no_case(office: Office) -> None:
    elsewhere = Office(office.session)
    opened = cases.open_from_warnings(office.session, office.agency, DAY, actor=ACTOR).opened
    assert [c.household_id for c in opened] == [office.household.id]
    assert cases.open_case_of(office.session, elsewhere.household.id) is None


def test_opening_from_the_list_again_opens_nothing_new(office: Office) -> None:
    first = cases.open_from_warnings(office.session, office.agency, DAY, actor=ACTOR)
    before = written(office.session)
    again = cases.open_from_warnings(office.session, office.agency, date(2024, 8, 15), actor=ACTOR)
    assert again.opened == [] and again.already_open == first.opened
    assert written(office.session) == before


def test_a_household_whose_case_was_closed_can_have_a_new_one(office: Office) -> None:
    (old,) = cases.open_from_warnings(office.session, office.agency, DAY, actor=ACTOR).opened
    cases.close_case(office.session, old, on=DAY, outcome=Outcome.OTHER, note="errore", actor=ACTOR)
    (new,) = cases.open_from_warnings(
        office.session, office.agency, date(2024, 8, 15), actor=ACTOR
    ).opened
    assert new.id != old.id and cases.open_case_of(office.session, office.household.id) is new


def test_a_case_opened_by_hand_says_so_and_keeps_the_note(office: Office) -> None:
    case = cases.open_case(
        office.session,
        office.household,
        on=DAY,
        actor=ACTOR,
        assigned_to="giulia",
        note="segnalata dal portiere",
    )
    assert case.flags == [] and case.assigned_to == "giulia"
    assert diary(case) == [
        (ContactKind.CHANGE, "case opened: opened by hand"),
        (ContactKind.NOTE, "segnalata dal portiere"),
    ]


def test_a_household_has_one_open_case_at_most(office: Office, case: Case) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused) as caught:
        cases.open_case(office.session, office.household, on=date(2024, 8, 1), actor=ACTOR)
    assert f"Case #{case.id}: household {office.household.code} already has this case open" in str(
        caught.value
    )
    assert "(new) since 2024-07-15" in str(caught.value)
    assert written(office.session) == before


def test_opening_a_case_writes_an_audit_event(office: Office, case: Case) -> None:
    actions = office.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.target_type == "Case", AuditEvent.target_id == case.id
        )
    ).all()
    assert actions == ["case.open"]


# --- the diary -------------------------------------------------------------------------------


def test_a_first_contact_moves_a_new_case_to_contacted(office: Office, case: Case) -> None:
    cases.add_entry(
        office.session,
        case,
        on=date(2024, 7, 16),
        kind="call",
        text=" Nessuna risposta ",
        actor="giulia",
    )
    assert case.status is CaseStatus.CONTACTED
    assert diary(case)[1:] == [
        (ContactKind.CALL, "Nessuna risposta"),
        (ContactKind.CHANGE, "status new → contacted"),
    ]
    assert {e.author for e in case.diary[1:]} == {"giulia"}


def test_a_note_is_not_a_contact(office: Office, case: Case) -> None:
    cases.add_entry(
        office.session, case, on=DAY, kind=ContactKind.NOTE, text="da chiamare", actor=ACTOR
    )
    assert case.status is CaseStatus.NEW


def test_later_contacts_leave_the_status_alone(office: Office, case: Case) -> None:
    cases.set_status(office.session, case, CaseStatus.IN_RESTITUTION, on=DAY, actor=ACTOR)
    cases.add_entry(office.session, case, on=DAY, kind="visit", text="a casa", actor=ACTOR)
    assert case.status is CaseStatus.IN_RESTITUTION
    assert diary(case)[-1] == (ContactKind.VISIT, "a casa")


def test_add_entry_returns_the_entry_it_wrote(office: Office, case: Case) -> None:
    entry = cases.add_entry(office.session, case, on=DAY, kind="call", text="ok", actor=ACTOR)
    assert (entry.kind, entry.text) == (ContactKind.CALL, "ok")


def test_add_entry_returns_a_later_entry(office: Office, case: Case) -> None:
    cases.add_entry(office.session, case, on=DAY, kind="call", text="primo", actor=ACTOR)
    entry = cases.add_entry(office.session, case, on=DAY, kind="email", text="mail", actor=ACTOR)
    assert (entry.kind, entry.text, entry.day) == (ContactKind.EMAIL, "mail", DAY)


def test_the_diary_reads_in_date_order(office: Office, case: Case) -> None:
    cases.add_entry(office.session, case, on=date(2024, 7, 20), kind="note", text="b", actor=ACTOR)
    cases.add_entry(office.session, case, on=date(2024, 7, 18), kind="note", text="a", actor=ACTOR)
    office.session.expire(case, ["diary"])
    assert [e.text for e in case.diary][1:] == ["a", "b"]


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("change", "cambiato", "changes are written by the system only"),
        ("fax", "inviato", "'fax' is not a kind of contact"),
        ("call", "   ", "a diary entry needs some text"),
    ],
)
def test_bad_diary_entries_are_refused(
    office: Office, case: Case, kind: str, text: str, problem: str
) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused, match=problem):
        cases.add_entry(office.session, case, on=DAY, kind=kind, text=text, actor=ACTOR)
    assert written(office.session) == before and case.status is CaseStatus.NEW


# --- status, assignment, next action, letters ------------------------------------------------


def test_set_status_moves_between_working_statuses_and_writes_it_down(
    office: Office, case: Case
) -> None:
    cases.set_status(office.session, case, "in_restitution", on=DAY, actor="giulia")
    assert case.status is CaseStatus.IN_RESTITUTION
    assert diary(case)[-1] == (ContactKind.CHANGE, "status new → in_restitution")
    event = office.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "case.status", AuditEvent.target_id == case.id
        )
    )
    assert event is not None and event.before["status"] == "new"
    assert event.after["status"] == "in_restitution"


def test_setting_the_same_status_writes_nothing(office: Office, case: Case) -> None:
    before = written(office.session)
    cases.set_status(office.session, case, CaseStatus.NEW, on=DAY, actor=ACTOR)
    assert written(office.session) == before


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        ("resolved", "close the case with an outcome to make it resolved"),
        ("referred", "close the case with an outcome to make it referred"),
        ("forgotten", "'forgotten' is not a case status"),
    ],
)
def test_closing_statuses_and_unknown_ones_are_refused(
    office: Office, case: Case, status: str, problem: str
) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused, match=problem):
        cases.set_status(office.session, case, status, on=DAY, actor=ACTOR)
    assert case.status is CaseStatus.NEW and written(office.session) == before


def test_a_case_is_assigned_and_unassigned(office: Office, case: Case) -> None:
    cases.assign(office.session, case, "giulia", on=DAY, actor="capo")
    assert case.assigned_to == "giulia"
    cases.assign(office.session, case, None, on=DAY, actor="capo")
    assert case.assigned_to is None
    assert diary(case)[-2:] == [
        (ContactKind.CHANGE, "assigned to giulia"),
        (ContactKind.CHANGE, "assigned to nobody"),
    ]


def test_a_next_action_is_set_for_today_or_later(office: Office, case: Case) -> None:
    cases.plan_next_action(office.session, case, on=DAY, what=" richiamare ", when=DAY, actor=ACTOR)
    assert (case.next_action, case.next_action_on) == ("richiamare", DAY)
    cases.plan_next_action(
        office.session, case, on=DAY, what="visita", when=date(2024, 7, 22), actor=ACTOR
    )
    assert (case.next_action, case.next_action_on) == ("visita", date(2024, 7, 22))
    assert diary(case)[-1] == (ContactKind.CHANGE, "next action on 2024-07-22: visita")


def test_a_next_action_in_the_past_is_refused(office: Office, case: Case) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused, match=r"the next action cannot be in the past \(2024-07-14\)"):
        cases.plan_next_action(
            office.session, case, on=DAY, what="richiamare", when=date(2024, 7, 14), actor=ACTOR
        )
    assert case.next_action_on is None and written(office.session) == before


def test_letters_are_held_and_released_with_a_reason(office: Office, case: Case) -> None:
    cases.hold_letters(office.session, case, True, on=DAY, reason="ricoverato", actor=ACTOR)
    assert case.hold_letters
    cases.hold_letters(office.session, case, False, on=DAY, reason=" dimesso ", actor=ACTOR)
    assert not case.hold_letters
    assert diary(case)[-2:] == [
        (ContactKind.CHANGE, "letters held: ricoverato"),
        (ContactKind.CHANGE, "letters allowed again: dimesso"),
    ]


def test_holding_letters_without_a_reason_is_refused(office: Office, case: Case) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused, match="say why letters are held or released"):
        cases.hold_letters(office.session, case, True, on=DAY, reason="  ", actor=ACTOR)
    assert not case.hold_letters and written(office.session) == before


# --- closing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (Outcome.REFERRED, CaseStatus.REFERRED),
        (Outcome.PAID, CaseStatus.RESOLVED),
        ("plan_completed", CaseStatus.RESOLVED),
        ("restitution", CaseStatus.RESOLVED),
        ("moved_out", CaseStatus.RESOLVED),
        ("unreachable", CaseStatus.RESOLVED),
        ("other", CaseStatus.RESOLVED),
    ],
)
def test_closing_with_an_outcome_resolves_or_refers_the_case(
    office: Office, case: Case, outcome: Outcome | str, status: CaseStatus
) -> None:
    cases.plan_next_action(office.session, case, on=DAY, what="visita", when=DAY, actor=ACTOR)
    cases.close_case(
        office.session, case, on=date(2024, 9, 1), outcome=outcome, note=" fatto ", actor=ACTOR
    )
    assert case.status is status and case.outcome is Outcome(outcome)
    assert case.closed_on == date(2024, 9, 1)
    assert case.next_action is None and case.next_action_on is None
    assert diary(case)[-1] == (ContactKind.CHANGE, f"closed, {Outcome(outcome).value}: fatto")
    assert cases.open_case_of(office.session, office.household.id) is None


@pytest.mark.parametrize(
    ("outcome", "note", "on", "problem"),
    [
        ("won", "fatto", DAY, "'won' is not an outcome"),
        ("paid", "  ", DAY, "closing needs a note on the outcome"),
        ("paid", "fatto", date(2024, 7, 14), "it cannot close on 2024-07-14, before it opened"),
    ],
)
def test_closing_wrongly_is_refused(
    office: Office, case: Case, outcome: str, note: str, on: date, problem: str
) -> None:
    before = written(office.session)
    with pytest.raises(CaseRefused, match=problem):
        cases.close_case(office.session, case, on=on, outcome=outcome, note=note, actor=ACTOR)
    assert case.closed_on is None and case.status is CaseStatus.NEW
    assert written(office.session) == before


def test_a_closed_case_refuses_every_change(office: Office, case: Case) -> None:
    cases.close_case(office.session, case, on=DAY, outcome="paid", note="saldato", actor=ACTOR)
    before = written(office.session)
    s = office.session
    attempts = [
        lambda: cases.add_entry(s, case, on=DAY, kind="call", text="ciao", actor=ACTOR),
        lambda: cases.set_status(s, case, "contacted", on=DAY, actor=ACTOR),
        lambda: cases.assign(s, case, "giulia", on=DAY, actor=ACTOR),
        lambda: cases.plan_next_action(s, case, on=DAY, what="x", when=DAY, actor=ACTOR),
        lambda: cases.hold_letters(s, case, True, on=DAY, reason="x", actor=ACTOR),
        lambda: cases.close_case(s, case, on=DAY, outcome="other", note="x", actor=ACTOR),
    ]
    for attempt in attempts:
        with pytest.raises(CaseRefused, match=r"it was closed on 2024-07-15 \(resolved\)"):
            attempt()
    assert written(s) == before
    assert (case.status, case.outcome, case.assigned_to) == (
        CaseStatus.RESOLVED,
        Outcome.PAID,
        None,
    )


# --- finding ---------------------------------------------------------------------------------


def test_a_case_is_found_by_its_number_within_its_agency(office: Office, case: Case) -> None:
    assert cases.find_case(office.session, office.agency, case.id) is case
    with pytest.raises(NotFound):
        cases.find_case(office.session, factories.agency(office.session), case.id)


def test_the_worklist_puts_the_earliest_next_action_first_then_the_oldest_case(
    office: Office,
) -> None:
    """Dated next actions in date order, then undated cases oldest first; closed ones left out
    unless asked for."""
    s = office.session
    households = [factories.household(s, office.agency) for _ in range(5)]
    opened = [date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3), date(2024, 6, 1), DAY]
    pairs = zip(households, opened, strict=True)
    made = [cases.open_case(s, h, on=day, actor=ACTOR) for h, day in pairs]
    late, early, undated_new, undated_old, closed = made
    cases.plan_next_action(s, late, on=DAY, what="b", when=date(2024, 8, 10), actor=ACTOR)
    cases.plan_next_action(s, early, on=DAY, what="a", when=date(2024, 7, 20), actor=ACTOR)
    cases.close_case(s, closed, on=DAY, outcome="other", note="x", actor=ACTOR)
    assert cases.cases(s, office.agency) == [early, late, undated_old, undated_new]
    assert cases.cases(s, office.agency, open_only=False) == [
        early,
        late,
        undated_old,
        undated_new,
        closed,
    ]
    assert cases.cases(s, office.agency, due_by=date(2024, 7, 31)) == [early]


def test_the_worklist_of_one_operator(office: Office) -> None:
    s = office.session
    mine = cases.open_case(s, office.household, on=DAY, actor=ACTOR, assigned_to="giulia")
    cases.open_case(s, office.other.household, on=DAY, actor=ACTOR, assigned_to="marco")
    assert cases.cases(s, office.agency, assigned_to="giulia") == [mine]
    assert cases.cases(s, factories.agency(s)) == []


def test_nothing_is_written_in_the_diary_before_the_case_opened(office: Office, case: Case) -> None:
    before = len(case.diary)
    with pytest.raises(CaseRefused, match="is before the case was opened"):
        cases.add_entry(
            office.session,
            case,
            on=case.opened_on - timedelta(days=1),
            kind="call",
            text="too early",
            actor=ACTOR,
        )
    assert len(case.diary) == before


def test_a_next_action_must_say_what_it_is(office: Office, case: Case) -> None:
    with pytest.raises(CaseRefused, match="say what the next action is"):
        cases.plan_next_action(
            office.session, case, on=DAY, what="  ", when=DAY + timedelta(days=3), actor=ACTOR
        )
    assert case.next_action is None
