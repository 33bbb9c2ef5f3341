"""Repayment plans: checked when made, measured on the ledger, watched by the plans monitor.

The default story (see :mod:`tests.condo_admin.desk.office`): the household owes €600.00 on
30 June 2024 and agrees to repay it in three installments of €200.00 due on 31 July, 31 August and
30 September 2024, with 5 days of grace each.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from condo_admin.accounting.early_warning import Rule
from condo_admin.desk import cases, plans
from condo_admin.desk.errors import DebtAboveArrears, PlanRefused, PlanTransitionRefused
from condo_admin.desk.household_budgets import Line, record_budget
from condo_admin.desk.models import CaseStatus, ContactKind, Means, PlanStatus
from condo_admin.desk.plans import InstallmentDraft, InstallmentState, Settings
from condo_admin.desk.warnings import desk_warnings
from tests import factories
from tests.condo_admin.desk.office import AS_OF, FIRST_DUE, Office
from tests.factories import ACTOR
from tests.volunteering.programme import Programme
from volunteering import agreements

JUL31, AUG31, SEP30 = FIRST_DUE, date(2024, 8, 31), date(2024, 9, 30)


@pytest.fixture
def office(session: Session) -> Office:
    return Office(session)


def cash(*pairs: tuple[date, str]) -> list[InstallmentDraft]:
    return [InstallmentDraft(day, amount) for day, amount in pairs]


def refused(office: Office, error: type[Exception], **draft) -> str:  # type: ignore[no-untyped-def]
    """Try to draft a plan, expect ``error``, check nothing was written; the message."""
    before = office.written()
    with pytest.raises(error) as caught:
        office.draft(**draft)
    assert office.written() == before
    return str(caught.value)


# --- making a plan ---------------------------------------------------------------------------


def test_a_plan_is_drafted_with_its_installments_and_a_create_event(office: Office) -> None:
    plan = office.draft(count=3)
    assert plan.status is PlanStatus.DRAFT
    assert plan.code == "PR2024-0001"
    assert plan.debt_cents == 60000 and plan.as_of == AS_OF
    assert plan.grace_days == 5 and plan.break_after == 2
    assert [(i.seq, i.due_date, i.amount_cents, i.means) for i in plan.installments] == [
        (1, JUL31, 20000, Means.CASH),
        (2, AUG31, 20000, Means.CASH),
        (3, SEP30, 20000, Means.CASH),
    ]
    assert office.actions(plan) == ["create"]


def test_plan_codes_count_up_within_the_year_of_the_stated_debt(office: Office) -> None:
    first = office.draft()
    plans.cancel_plan(office.session, first, on=AS_OF, reason="sbagliato", actor=ACTOR)
    second = office.draft()
    assert (first.code, second.code) == ("PR2024-0001", "PR2024-0002")


def test_plan_codes_are_counted_per_agency(session: Session) -> None:
    first, second = Office(session), Office(session)
    assert first.draft().code == second.draft().code == "PR2024-0001"


def test_an_equal_schedule_needs_one_installment_at_least() -> None:
    with pytest.raises(PlanRefused, match="at least one installment"):
        plans.equal_installments("600.00", 0, FIRST_DUE)


def test_an_equal_schedule_keeps_to_the_day_of_the_month_or_the_months_end() -> None:
    drafts = plans.equal_installments("100.00", 3, date(2024, 1, 31))
    assert [(d.due_date, d.amount) for d in drafts] == [
        (date(2024, 1, 31), Decimal("33.34")),
        (date(2024, 2, 29), Decimal("33.33")),
        (date(2024, 3, 31), Decimal("33.33")),
    ]


def test_installments_that_do_not_sum_to_the_debt_are_refused_showing_both_and_the_gap(
    office: Office,
) -> None:
    message = refused(
        office,
        PlanRefused,
        debt="600.00",
        installments=cash((JUL31, "200.00"), (AUG31, "200.00"), (SEP30, "150.00")),
    )
    assert "the installments sum to 550.00, the debt is 600.00 (difference -50.00)" in message


def test_installments_out_of_date_order_are_refused(office: Office) -> None:
    message = refused(
        office,
        PlanRefused,
        installments=cash((AUG31, "200.00"), (JUL31, "200.00"), (SEP30, "200.00")),
    )
    assert "installment 2 is due on 2024-07-31, not after installment 1 (2024-08-31)" in message


def test_two_installments_on_the_same_day_are_refused(office: Office) -> None:
    message = refused(
        office,
        PlanRefused,
        installments=cash((JUL31, "300.00"), (JUL31, "300.00")),
    )
    assert "dates must be in order" in message


def test_an_installment_due_on_the_day_the_debt_is_stated_is_refused(office: Office) -> None:
    message = refused(
        office,
        PlanRefused,
        installments=cash((AS_OF, "300.00"), (JUL31, "300.00")),
    )
    assert "installment 1 is due on 2024-06-30, not after the day the debt was stated" in message


@pytest.mark.parametrize("amount", ["0.00", "-100.00"])
def test_an_installment_of_zero_or_less_is_refused(office: Office, amount: str) -> None:
    message = refused(
        office,
        PlanRefused,
        installments=cash((JUL31, "600.00"), (AUG31, amount)),
    )
    assert f"installment 2 must be more than zero, not {amount}" in message


def test_an_installment_amount_that_is_not_a_number_is_refused(office: Office) -> None:
    message = refused(office, PlanRefused, installments=cash((JUL31, "12,5,0")))
    assert "installment 1" in message


def test_a_plan_without_installments_is_refused(office: Office) -> None:
    assert "at least one installment" in refused(office, PlanRefused, installments=[])


def test_a_debt_of_zero_is_refused(office: Office) -> None:
    message = refused(office, PlanRefused, debt="0.00", installments=cash((JUL31, "1.00")))
    assert "the debt must be more than zero" in message


def test_a_negative_grace_period_or_breaking_after_no_miss_is_refused(office: Office) -> None:
    refused(office, PlanRefused, settings=Settings(grace_days=-1))
    refused(office, PlanRefused, settings=Settings(break_after=0))


def test_a_debt_above_the_arrears_on_the_day_is_refused_without_an_override_note(
    office: Office,
) -> None:
    """On 15 March only January to March were charged: €300.00, not €400.00."""
    march = date(2024, 3, 15)
    schedule = cash((date(2024, 4, 15), "200.00"), (date(2024, 5, 15), "200.00"))
    message = refused(office, DebtAboveArrears, debt="400.00", as_of=march, installments=schedule)
    assert "stated debt of 400.00" in message and "(300.00)" in message
    assert "on 2024-03-15" in message
    # A blank note is no note.
    refused(
        office,
        DebtAboveArrears,
        debt="400.00",
        as_of=march,
        installments=schedule,
        override_note="   ",
    )
    plan = office.draft(
        debt="400.00",
        as_of=march,
        installments=schedule,
        override_note="spese legali non ancora a bilancio",
    )
    assert plan.override_note == "spese legali non ancora a bilancio"
    assert plans.events_of(office.session, plan)[0].note == "spese legali non ancora a bilancio"


def test_a_debt_up_to_the_arrears_needs_no_override_note(office: Office) -> None:
    plan = office.draft(debt="250.00", installments=cash((JUL31, "250.00")))
    assert plan.debt_cents == 25000 and plan.override_note is None


def test_hours_installments_need_a_restitution_agreement(office: Office) -> None:
    message = refused(
        office,
        PlanRefused,
        installments=[
            InstallmentDraft(JUL31, "300.00"),
            InstallmentDraft(AUG31, "300.00", "hours"),
        ],
    )
    assert "installment 2 is to be met with hours, but the plan names no restitution" in message


def test_an_installment_neither_cash_nor_hours_is_refused(office: Office) -> None:
    message = refused(office, PlanRefused, installments=[InstallmentDraft(JUL31, "600.00", "gold")])
    assert "'gold' is neither cash nor hours" in message


def test_the_agreement_of_another_household_is_refused(session: Session) -> None:
    p = Programme(session)
    agreement = p.agreement()
    office = Office(session, estate=p.estate)
    office.charge(date(2024, 1, 1), "600.00", debtor=office.other)
    message = refused(
        office, PlanRefused, household=office.other.household, debt="600.00", agreement=agreement
    )
    assert f"agreement {agreement.code} is of another household" in message


def test_the_agreement_of_a_debt_in_another_book_is_refused(session: Session) -> None:
    p = Programme(session)
    agreement = p.agreement()
    office = Office(session, estate=p.estate)
    rent, _ = office.rent_book()
    office.charge_rent(date(2024, 1, 1), "600.00")
    message = refused(office, PlanRefused, book=rent, debt="600.00", agreement=agreement)
    assert f"agreement {agreement.code} repays a debt in another book, not {rent.code}" in message


def test_a_suspended_agreement_is_refused(session: Session) -> None:
    p = Programme(session)
    agreement = p.agreement()
    agreements.suspend(session, agreement, reason="pausa", actor=ACTOR)
    office = Office(session, estate=p.estate)
    message = refused(office, PlanRefused, agreement=agreement)
    assert f"agreement {agreement.code} is suspended" in message


def test_a_draft_agreement_may_back_a_mixed_plan(session: Session) -> None:
    p = Programme(session)
    agreement = p.agreement(active=False)
    plan = Office(session, estate=p.estate).draft(agreement=agreement)
    assert plan.agreement_id == agreement.id


def test_a_second_live_plan_for_the_same_household_and_book_is_refused(office: Office) -> None:
    draft = office.draft()
    message = refused(office, PlanRefused)
    assert f"already has plan {draft.code} (draft)" in message
    plans.activate_plan(office.session, draft, on=AS_OF, actor=ACTOR)
    assert f"already has plan {draft.code} (active)" in refused(office, PlanRefused)


def test_a_plan_in_another_book_may_run_beside_one_in_the_first(office: Office) -> None:
    office.plan()
    rent, _ = office.rent_book()
    office.charge_rent(date(2024, 1, 1), "300.00")
    other = office.draft(book=rent, debt="300.00")
    assert other.status is PlanStatus.DRAFT


def test_a_closed_plan_does_not_stop_a_new_one(office: Office) -> None:
    first = office.plan()
    plans.cancel_plan(office.session, first, on=JUL31, reason="errore", actor=ACTOR)
    assert office.draft().status is PlanStatus.DRAFT


def test_a_household_without_an_account_in_the_book_is_refused(office: Office) -> None:
    stranger = factories.household(office.session, office.agency)
    message = refused(office, PlanRefused, household=stranger, debt="600.00")
    assert f"household {stranger.code} has no account in book {office.book.code}" in message


def test_a_household_of_another_agency_is_refused(office: Office) -> None:
    stranger = factories.household(office.session, factories.agency(office.session))
    message = refused(office, PlanRefused, household=stranger, debt="600.00")
    assert "is of another agency" in message


def test_a_code_already_taken_is_refused(office: Office) -> None:
    office.plan(code="PR-X")
    rent, _ = office.rent_book()
    office.charge_rent(date(2024, 1, 1), "300.00")
    assert "already exists" in refused(office, PlanRefused, book=rent, debt="300.00", code="PR-X")


# --- expected against repaid -----------------------------------------------------------------


def test_repaid_is_the_fall_of_the_balance_since_the_debt_was_stated(office: Office) -> None:
    plan = office.plan()
    office.pay(date(2024, 7, 10), "150.00")
    before_due = office.standing(plan, date(2024, 7, 15))
    assert (before_due.expected, before_due.repaid) == (Decimal("0.00"), Decimal("150.00"))
    after_due = office.standing(plan, date(2024, 8, 1))
    assert after_due.expected == Decimal("200.00") and after_due.repaid == Decimal("150.00")
    assert after_due.behind == Decimal("50.00") and after_due.remaining == Decimal("450.00")
    assert after_due.repaid == office.balance(AS_OF) - office.balance(date(2024, 8, 1))


def test_a_payment_before_the_debt_was_stated_is_not_repayment(office: Office) -> None:
    office.pay(AS_OF, "100.00")
    plan = office.plan()  # the debt stated is what is left: €500.00
    assert plan.debt_cents == 50000
    assert office.standing(plan, date(2024, 7, 15)).repaid == Decimal("0.00")


def test_paying_new_charges_is_not_repayment(office: Office) -> None:
    """The ledger books the July payment against January's charge (oldest first), but the
    household only kept up: what it owes did not fall."""
    plan = office.plan()
    office.charge(date(2024, 7, 1), "100.00")
    office.pay(date(2024, 7, 5), "100.00")
    assert office.standing(plan, date(2024, 7, 10)).repaid == Decimal("0.00")
    office.pay(date(2024, 7, 20), "250.00")
    assert office.standing(plan, date(2024, 7, 25)).repaid == Decimal("250.00")


def test_a_reversed_payment_no_longer_counts_from_the_day_it_was_reversed(office: Office) -> None:
    plan = office.plan()
    payment = office.pay(date(2024, 7, 20), "200.00")
    office.bounce(payment, on=date(2024, 8, 2))
    assert office.standing(plan, date(2024, 7, 25)).repaid == Decimal("200.00")
    assert office.standing(plan, date(2024, 8, 2)).repaid == Decimal("0.00")
    later = office.standing(plan, date(2024, 8, 10))
    assert later.repaid == Decimal("0.00")
    assert [line.state for line in later.lines][:1] == [InstallmentState.MISSED]


def test_repaid_is_capped_at_the_debt(office: Office) -> None:
    plan = office.plan()
    office.pay(date(2024, 7, 10), "750.00")
    found = office.standing(plan, date(2024, 7, 15))
    assert found.repaid == Decimal("600.00") and found.remaining == Decimal("0.00")
    assert [line.state for line in found.lines] == [InstallmentState.PAID] * 3


def test_another_households_payments_do_not_count(office: Office) -> None:
    plan = office.plan()
    office.charge(date(2024, 7, 1), "300.00", debtor=office.other)
    office.pay(date(2024, 7, 10), "300.00", debtor=office.other)
    assert office.standing(plan, date(2024, 7, 15)).repaid == Decimal("0.00")


# --- missed, broken, completed ---------------------------------------------------------------


def test_an_installment_is_in_grace_after_its_due_date_and_upcoming_before(office: Office) -> None:
    plan = office.plan()
    states = [line.state for line in office.standing(plan, date(2024, 8, 3)).lines]
    assert states == [
        InstallmentState.IN_GRACE,
        InstallmentState.UPCOMING,
        InstallmentState.UPCOMING,
    ]


def test_an_installment_paid_on_the_last_day_of_grace_is_met(office: Office) -> None:
    plan = office.plan()
    office.pay(date(2024, 8, 5), "200.00")  # 31 July + 5 days
    results = office.check(date(2024, 8, 6))
    assert [r.newly_missed for r in results] == [[]]
    assert plan.installments[0].missed_on is None
    assert office.standing(plan, date(2024, 8, 6)).lines[0].state is InstallmentState.PAID


def test_an_installment_paid_the_day_after_its_grace_is_missed(office: Office) -> None:
    plan = office.plan()
    office.pay(date(2024, 8, 6), "200.00")
    (result,) = office.check(date(2024, 8, 6))
    assert [line.seq for line in result.newly_missed] == [1]
    assert result.became is None and plan.status is PlanStatus.ACTIVE
    assert plan.installments[0].missed_on == date(2024, 8, 6)
    assert office.actions(plan) == ["create", "activate", "missed"]


def test_an_installment_is_not_missed_before_its_grace_period_runs_out(office: Office) -> None:
    plan = office.plan()
    assert [r.newly_missed for r in office.check(date(2024, 8, 5))] == [[]]
    assert plan.installments[0].missed_on is None


@pytest.mark.parametrize(
    ("grace", "paid_on", "missed"),
    [
        (0, date(2024, 7, 31), False),
        (0, date(2024, 8, 1), True),
        (10, date(2024, 8, 10), False),
        (10, date(2024, 8, 11), True),
    ],
)
def test_the_grace_period_is_a_setting_of_the_plan(
    office: Office, grace: int, paid_on: date, missed: bool
) -> None:
    plan = office.plan(settings=Settings(grace_days=grace))
    assert plan.grace_days == grace
    office.pay(paid_on, "200.00")
    office.check(date(2024, 8, 20))
    assert (plan.installments[0].missed_on is not None) is missed


def test_two_missed_installments_break_the_plan(office: Office) -> None:
    plan = office.plan()
    office.check(date(2024, 8, 6))
    assert plan.status is PlanStatus.ACTIVE
    (result,) = office.check(date(2024, 9, 6))
    assert result.became is PlanStatus.BROKEN
    assert plan.status is PlanStatus.BROKEN and plan.closed_on == date(2024, 9, 6)
    assert [i.missed_on for i in plan.installments] == [date(2024, 8, 6), date(2024, 9, 6), None]
    assert office.actions(plan) == ["create", "activate", "missed", "missed", "break"]


def test_a_plan_checked_late_has_each_miss_dated_when_its_grace_ran_out(office: Office) -> None:
    plan = office.plan()
    (result,) = office.check(date(2024, 9, 20))
    assert [line.seq for line in result.newly_missed] == [1, 2]
    assert [i.missed_on for i in plan.installments] == [date(2024, 8, 6), date(2024, 9, 6), None]
    assert result.became is PlanStatus.BROKEN


def test_the_number_of_misses_that_breaks_a_plan_is_a_setting(office: Office) -> None:
    plan = office.plan(settings=Settings(break_after=1))
    assert plan.break_after == 1
    (result,) = office.check(date(2024, 8, 6))
    assert result.became is PlanStatus.BROKEN and plan.status is PlanStatus.BROKEN


def test_a_plan_with_three_misses_allowed_survives_two(office: Office) -> None:
    plan = office.plan(settings=Settings(break_after=3))
    office.check(date(2024, 9, 6))
    assert plan.status is PlanStatus.ACTIVE
    office.check(date(2024, 10, 6))
    assert plan.status is PlanStatus.BROKEN


def test_checking_twice_on_the_same_day_changes_nothing(office: Office) -> None:
    plan = office.plan()
    first = office.check(date(2024, 8, 6))
    written = office.written()
    again = office.check(date(2024, 8, 6))
    assert [line.seq for line in first[0].newly_missed] == [1]
    assert [r.newly_missed for r in again] == [[]] and again[0].became is None
    assert office.written() == written
    assert office.actions(plan) == ["create", "activate", "missed"]


def test_a_miss_is_marked_once_though_checked_on_later_days(office: Office) -> None:
    plan = office.plan()
    office.check(date(2024, 8, 6))
    office.check(date(2024, 8, 20))
    assert office.actions(plan).count("missed") == 1
    assert plan.installments[0].missed_on == date(2024, 8, 6)


def test_checking_a_broken_plan_again_writes_nothing(office: Office) -> None:
    plan = office.plan()
    office.check(date(2024, 9, 6))
    written = office.written()
    assert office.check(date(2024, 9, 6)) == []
    assert office.check(date(2024, 10, 6)) == []
    assert office.written() == written and plan.status is PlanStatus.BROKEN


def test_a_plan_is_completed_when_the_debt_is_repaid(office: Office) -> None:
    plan = office.plan()
    for day in (date(2024, 7, 30), date(2024, 8, 30)):
        office.pay(day, "200.00")
        office.check(day)
    assert plan.status is PlanStatus.ACTIVE
    office.pay(date(2024, 9, 29), "200.00")
    (result,) = office.check(date(2024, 9, 29))
    assert result.became is PlanStatus.COMPLETED
    assert plan.status is PlanStatus.COMPLETED and plan.closed_on == date(2024, 9, 29)
    assert office.actions(plan)[-1] == "complete"


def test_a_plan_kept_to_the_end_is_completed_though_new_charges_are_owed(
    office: Office,
) -> None:
    """Every installment met in time: the plan was kept, whatever was charged since."""
    plan = office.plan()
    for day in (date(2024, 7, 30), date(2024, 8, 30), date(2024, 9, 29)):
        office.pay(day, "200.00")
    office.charge(date(2024, 10, 7), "100.00")  # after the last grace period ran out
    assert office.standing(plan, date(2024, 10, 10)).repaid == Decimal("500.00")
    (result,) = office.check(date(2024, 10, 10))
    # It closes on the day the last grace period ran out, not on the day the monitor ran.
    last_deadline = plan.installments[-1].due_date + timedelta(days=plan.grace_days)
    assert result.became is PlanStatus.COMPLETED and plan.closed_on == last_deadline


def test_a_plan_is_not_completed_while_an_installment_is_still_to_come(office: Office) -> None:
    plan = office.plan()
    for day in (date(2024, 7, 30), date(2024, 8, 30)):
        office.pay(day, "200.00")
    assert [r.became for r in office.check(date(2024, 9, 20))] == [None]
    assert plan.status is PlanStatus.ACTIVE


def test_a_plan_repaid_early_is_completed_early(office: Office) -> None:
    plan = office.plan()
    office.pay(date(2024, 7, 5), "600.00")
    (result,) = office.check(date(2024, 7, 6))
    assert result.became is PlanStatus.COMPLETED and plan.closed_on == date(2024, 7, 6)


def test_a_broken_plan_closes_when_the_grace_of_its_second_miss_ran_out(office: Office) -> None:
    plan = office.plan()
    (result,) = office.check(date(2024, 12, 1))  # nothing paid; checked long after
    second = plan.installments[1]
    assert result.became is PlanStatus.BROKEN
    assert plan.closed_on == second.due_date + timedelta(days=plan.grace_days + 1)


def test_a_plan_with_one_miss_that_is_then_repaid_is_completed(office: Office) -> None:
    plan = office.plan()
    office.check(date(2024, 8, 6))
    office.pay(date(2024, 8, 10), "600.00")
    (result,) = office.check(date(2024, 8, 10))
    assert result.became is PlanStatus.COMPLETED and plan.status is PlanStatus.COMPLETED


def test_a_caught_up_plan_is_in_good_standing_despite_a_past_miss(office: Office) -> None:
    plan = office.plan()
    office.check(date(2024, 8, 6))
    assert plan.installments[0].missed_on == date(2024, 8, 6)
    assert not plans.in_good_standing(office.session, plan, date(2024, 8, 7))
    office.pay(date(2024, 8, 10), "200.00")
    assert plans.in_good_standing(office.session, plan, date(2024, 8, 10))
    found = office.standing(plan, date(2024, 8, 10))
    assert [(line.state, line.caught_up) for line in found.lines[:1]] == [
        (InstallmentState.MISSED, True)
    ]


def test_a_plan_in_grace_is_in_good_standing(office: Office) -> None:
    plan = office.plan()
    assert plans.in_good_standing(office.session, plan, date(2024, 8, 5))


def test_only_an_active_plan_is_in_good_standing(office: Office) -> None:
    plan = office.draft()
    office.pay(date(2024, 7, 10), "600.00")
    assert not plans.in_good_standing(office.session, plan, date(2024, 7, 15))
    plans.activate_plan(office.session, plan, on=AS_OF, actor=ACTOR)
    assert plans.in_good_standing(office.session, plan, date(2024, 7, 15))
    office.check(date(2024, 7, 15))
    assert plan.status is PlanStatus.COMPLETED
    assert not plans.in_good_standing(office.session, plan, date(2024, 7, 15))


def test_the_monitor_checks_active_plans_only(office: Office) -> None:
    office.draft()
    assert office.check(date(2024, 9, 6)) == []


# --- renegotiation, cancellation, transitions ------------------------------------------------


def test_a_renegotiated_plan_supersedes_the_old_one_when_activated(office: Office) -> None:
    old = office.plan()
    office.pay(date(2024, 7, 20), "200.00")
    new = plans.renegotiate(
        office.session,
        old,
        as_of=date(2024, 8, 15),
        installments=plans.equal_installments("400.00", 4, date(2024, 9, 15)),
        actor=ACTOR,
    )
    assert new.debt_cents == 40000  # what the ledger shows on the new day
    assert new.supersedes is old and new.status is PlanStatus.DRAFT
    assert old.status is PlanStatus.ACTIVE  # until the household signs
    plans.activate_plan(office.session, new, on=date(2024, 8, 20), actor=ACTOR)
    assert old.status is PlanStatus.SUPERSEDED and old.closed_on == date(2024, 8, 20)
    assert new.status is PlanStatus.ACTIVE
    assert office.actions(old) == ["create", "activate", "supersede"]
    assert plans.events_of(office.session, old)[-1].note == f"renegotiated as {new.code}"
    assert office.actions(new) == ["create", "activate"]
    assert plans.plans_of(office.session, office.household.id) == [new, old]


def test_a_renegotiation_keeps_the_grace_and_break_settings(office: Office) -> None:
    old = office.plan(settings=Settings(grace_days=9, break_after=3))
    new = plans.renegotiate(
        office.session,
        old,
        as_of=date(2024, 7, 15),
        installments=plans.equal_installments("600.00", 6, date(2024, 8, 15)),
        actor=ACTOR,
    )
    assert (new.grace_days, new.break_after) == (9, 3)


def test_a_renegotiation_for_a_debt_above_the_balance_needs_an_override_note(
    office: Office,
) -> None:
    old = office.plan()
    office.pay(date(2024, 7, 20), "200.00")
    before = office.written()
    with pytest.raises(DebtAboveArrears):
        plans.renegotiate(
            office.session,
            old,
            as_of=date(2024, 8, 15),
            debt="600.00",
            installments=plans.equal_installments("600.00", 3, date(2024, 9, 15)),
            actor=ACTOR,
        )
    assert office.written() == before


def test_a_broken_plan_can_be_renegotiated_and_stays_broken(office: Office) -> None:
    old = office.plan()
    office.check(date(2024, 9, 6))
    assert old.status is PlanStatus.BROKEN
    new = plans.renegotiate(
        office.session,
        old,
        as_of=date(2024, 9, 10),
        installments=plans.equal_installments("600.00", 12, date(2024, 10, 10)),
        actor=ACTOR,
    )
    plans.activate_plan(office.session, new, on=date(2024, 9, 10), actor=ACTOR)
    assert new.status is PlanStatus.ACTIVE and new.supersedes is old
    assert old.status is PlanStatus.BROKEN


@pytest.mark.parametrize("closing", ["complete", "cancel", "supersede"])
def test_a_closed_plan_cannot_be_renegotiated(office: Office, closing: str) -> None:
    old = office.plan()
    if closing == "complete":
        office.pay(date(2024, 7, 5), "600.00")
        office.check(date(2024, 7, 6))
    elif closing == "cancel":
        plans.cancel_plan(office.session, old, on=JUL31, reason="trasloco", actor=ACTOR)
    else:
        new = plans.renegotiate(
            office.session,
            old,
            as_of=date(2024, 7, 15),
            installments=plans.equal_installments("600.00", 6, date(2024, 8, 15)),
            actor=ACTOR,
        )
        plans.activate_plan(office.session, new, on=date(2024, 7, 15), actor=ACTOR)
    before = office.written()
    with pytest.raises(PlanTransitionRefused) as caught:
        plans.renegotiate(
            office.session,
            old,
            as_of=date(2024, 10, 1),
            debt="100.00",
            installments=cash((date(2024, 11, 1), "100.00")),
            actor=ACTOR,
        )
    assert "cannot be renegotiated (only when draft, active or broken)" in str(caught.value)
    assert office.written() == before


def test_a_cancellation_needs_a_reason(office: Office) -> None:
    plan = office.plan()
    before = office.written()
    for reason in ("", "   "):
        with pytest.raises(PlanRefused, match="a cancellation needs a reason"):
            plans.cancel_plan(office.session, plan, on=JUL31, reason=reason, actor=ACTOR)
    assert office.written() == before and plan.status is PlanStatus.ACTIVE
    plans.cancel_plan(office.session, plan, on=JUL31, reason="trasferiti", actor=ACTOR)
    assert plan.status is PlanStatus.CANCELLED and plan.closed_on == JUL31
    assert plans.events_of(office.session, plan)[-1].note == "trasferiti"


def test_a_draft_can_be_cancelled(office: Office) -> None:
    plan = office.draft()
    plans.cancel_plan(office.session, plan, on=AS_OF, reason="non firmato", actor=ACTOR)
    assert plan.status is PlanStatus.CANCELLED


def test_transitions_from_the_wrong_state_are_refused_and_write_nothing(office: Office) -> None:
    plan = office.plan()
    before = office.written()
    with pytest.raises(PlanTransitionRefused, match="is active"):
        plans.activate_plan(office.session, plan, on=JUL31, actor=ACTOR)
    plans.cancel_plan(office.session, plan, on=JUL31, reason="errore", actor=ACTOR)
    after_cancel = office.written()
    assert after_cancel["PlanEvent"] == before["PlanEvent"] + 1
    with pytest.raises(PlanTransitionRefused, match="is cancelled"):
        plans.cancel_plan(office.session, plan, on=AUG31, reason="di nuovo", actor=ACTOR)
    with pytest.raises(PlanTransitionRefused, match="is cancelled"):
        plans.activate_plan(office.session, plan, on=AUG31, actor=ACTOR)
    assert office.written() == after_cancel
    assert plan.status is PlanStatus.CANCELLED and plan.closed_on == JUL31


def test_a_refused_transition_reads_as_english(office: Office) -> None:
    plan = office.plan()
    with pytest.raises(PlanTransitionRefused) as caught:
        plans.activate_plan(office.session, plan, on=JUL31, actor=ACTOR)
    assert "it cannot be activated (only when draft)" in str(caught.value)


def test_activating_a_plan_moves_the_households_open_case_to_in_plan(office: Office) -> None:
    case = cases.open_case(office.session, office.household, on=AS_OF, actor=ACTOR)
    cases.add_entry(office.session, case, on=AS_OF, kind=ContactKind.CALL, text="ok", actor=ACTOR)
    assert case.status is CaseStatus.CONTACTED
    office.plan(on=date(2024, 7, 1))
    assert case.status is CaseStatus.IN_PLAN
    assert case.diary[-1].text == "status contacted → in_plan"
    assert case.diary[-1].day == date(2024, 7, 1)


def test_activating_a_plan_leaves_a_closed_case_and_other_households_alone(
    office: Office,
) -> None:
    closed = cases.open_case(office.session, office.household, on=AS_OF, actor=ACTOR)
    cases.close_case(office.session, closed, on=AS_OF, outcome="paid", note="pagato", actor=ACTOR)
    other = cases.open_case(office.session, office.other.household, on=AS_OF, actor=ACTOR)
    office.plan()
    assert closed.status is CaseStatus.RESOLVED and other.status is CaseStatus.NEW


# --- mixed plans: hours credited under a restitution agreement -------------------------------


@pytest.fixture
def mixed(session: Session) -> tuple[Programme, Office]:
    """The programme's household owes €600.00 on 30 June 2024 and has an active agreement."""
    p = Programme(session)
    p.agreement()
    return p, Office(session, estate=p.estate)


def mixed_plan(p: Programme, office: Office):  # type: ignore[no-untyped-def]
    return office.plan(
        installments=[
            InstallmentDraft(JUL31, "200.00"),
            InstallmentDraft(AUG31, "60.00", Means.HOURS),
            InstallmentDraft(SEP30, "340.00"),
        ],
        debt="600.00",
        agreement=p.current,
    )


def worked(p: Programme, *days: date, hours: str = "4") -> None:
    """``hours`` of painting on each day (€7.50 an hour in 2024), verified."""
    for day in days:
        p.verify(p.submit(day, hours))


def test_credited_hours_count_toward_a_mixed_plan_once(mixed: tuple[Programme, Office]) -> None:
    p, office = mixed
    plan = mixed_plan(p, office)
    assert plan.agreement is p.current
    office.pay(date(2024, 7, 20), "200.00")
    worked(p, date(2024, 8, 5), date(2024, 8, 6))  # 8 h = €60.00
    p.credit(date(2024, 8, 10))
    found = office.standing(plan, AUG31)
    assert found.repaid == office.balance(AS_OF) - office.balance(AUG31) == Decimal("260.00")
    assert found.repaid_by_hours == Decimal("60.00")
    assert found.repaid_in_cash == Decimal("200.00")
    assert found.repaid_in_cash + found.repaid_by_hours == found.repaid
    assert found.expected_by_means == {Means.CASH: Decimal("200.00"), Means.HOURS: Decimal("60.00")}
    assert [line.state for line in found.lines] == [
        InstallmentState.PAID,
        InstallmentState.PAID,
        InstallmentState.UPCOMING,
    ]
    assert [r.newly_missed for r in office.check(date(2024, 9, 6))] == [[]]


def test_uncredited_hours_stop_counting(mixed: tuple[Programme, Office]) -> None:
    p, office = mixed
    plan = mixed_plan(p, office)
    worked(p, date(2024, 7, 5), date(2024, 7, 6))
    p.credit(date(2024, 7, 10))
    first = p.entries()[0]
    p.uncredit(first, on=date(2024, 7, 20))
    found = office.standing(plan, date(2024, 7, 25))
    assert found.repaid == found.repaid_by_hours == Decimal("30.00")
    assert found.repaid == office.balance(AS_OF) - office.balance(date(2024, 7, 25))


def test_hours_that_only_offset_new_charges_repay_nothing(mixed: tuple[Programme, Office]) -> None:
    p, office = mixed
    plan = mixed_plan(p, office)
    office.charge(date(2024, 7, 1), "100.00")
    worked(p, date(2024, 7, 5), date(2024, 7, 6))
    p.credit(date(2024, 7, 10))  # €60.00 of hours against €100.00 of new charges
    found = office.standing(plan, date(2024, 7, 15))
    assert found.repaid == Decimal("0.00") and found.repaid_by_hours == Decimal("0.00")
    office.pay(date(2024, 7, 20), "140.00")
    found = office.standing(plan, date(2024, 7, 25))
    assert found.repaid == Decimal("100.00")
    assert found.repaid_by_hours <= found.repaid
    assert found.repaid_in_cash + found.repaid_by_hours == found.repaid


def test_hours_credited_before_the_debt_was_stated_are_not_repayment(
    mixed: tuple[Programme, Office],
) -> None:
    p, office = mixed
    worked(p, date(2024, 6, 3), date(2024, 6, 4))
    p.credit(date(2024, 6, 10))
    plan = office.plan(debt="540.00", count=3, agreement=p.current)
    found = office.standing(plan, date(2024, 7, 15))
    assert found.repaid == found.repaid_by_hours == Decimal("0.00")


# --- affordability ---------------------------------------------------------------------------


def budget(office: Office, income: str, expenses: str, on: date = AS_OF) -> None:
    record_budget(
        office.session,
        office.household,
        [Line("income", "wages", income), Line("expense", "housing", expenses)],
        valid_from=on,
        actor=ACTOR,
    )


def test_affordability_is_the_heaviest_month_against_disposable_income(office: Office) -> None:
    plan = office.plan()
    budget(office, "1500.00", "500.00")
    found = plans.affordability(office.session, plan, on=JUL31)
    assert found.monthly_installment == Decimal("200.00")
    assert found.disposable == Decimal("1000.00")
    assert found.share == Decimal("0.2000") and found.warning is None


def test_an_installment_above_thirty_percent_of_disposable_income_is_flagged(
    office: Office,
) -> None:
    plan = office.plan()
    budget(office, "1100.00", "500.00")
    found = plans.affordability(office.session, plan, on=JUL31)
    assert found.share == Decimal("0.3333") and found.threshold == Decimal("0.30")
    assert found.warning == "the installment takes 33% of disposable income (above 30%)"


def test_an_installment_of_exactly_the_threshold_is_not_flagged(office: Office) -> None:
    plan = office.plan(installments=cash((JUL31, "300.00"), (AUG31, "300.00")))
    budget(office, "1500.00", "500.00")
    found = plans.affordability(office.session, plan, on=JUL31)
    assert found.share == Decimal("0.3000") and found.warning is None


def test_the_affordability_threshold_is_a_setting(office: Office) -> None:
    plan = office.plan()
    budget(office, "1100.00", "500.00")
    found = plans.affordability(
        office.session, plan, on=JUL31, settings=Settings(affordability_threshold=Decimal("0.40"))
    )
    assert found.warning is None


def test_installments_due_in_the_same_month_are_added_up(office: Office) -> None:
    plan = office.plan(
        installments=cash(
            (date(2024, 7, 10), "150.00"), (date(2024, 7, 25), "150.00"), (AUG31, "300.00")
        )
    )
    budget(office, "1500.00", "500.00")
    assert plans.affordability(office.session, plan, on=JUL31).monthly_installment == Decimal(
        "300.00"
    )


def test_hours_installments_are_not_paid_out_of_income(mixed: tuple[Programme, Office]) -> None:
    p, office = mixed
    plan = office.plan(
        installments=[
            InstallmentDraft(JUL31, "100.00"),
            InstallmentDraft(AUG31, "500.00", Means.HOURS),
        ],
        debt="600.00",
        agreement=p.current,
    )
    budget(office, "1500.00", "500.00")
    assert plans.affordability(office.session, plan, on=JUL31).monthly_installment == Decimal(
        "100.00"
    )


def test_without_a_budget_affordability_cannot_be_judged(office: Office) -> None:
    plan = office.plan()
    found = plans.affordability(office.session, plan, on=JUL31)
    assert found.disposable is None and found.share is None
    assert found.warning == "no household budget is recorded: affordability cannot be judged"


def test_a_budget_recorded_after_the_day_does_not_count(office: Office) -> None:
    plan = office.plan()
    budget(office, "1500.00", "500.00", on=AUG31)
    assert plans.affordability(office.session, plan, on=JUL31).disposable is None
    assert plans.affordability(office.session, plan, on=AUG31).disposable == Decimal("1000.00")


@pytest.mark.parametrize("expenses", ["800.00", "900.00"])
def test_no_disposable_income_is_flagged(office: Office, expenses: str) -> None:
    plan = office.plan()
    budget(office, "800.00", expenses)
    found = plans.affordability(office.session, plan, on=JUL31)
    assert found.share is None
    assert found.warning is not None and "no disposable income" in found.warning


# --- the plans' early-warning rule -----------------------------------------------------------


def plan_flags(office: Office, day: date) -> list[dict]:  # type: ignore[type-arg]
    return [
        flag.params
        for warning in desk_warnings(office.session, day)
        if warning.household_id == office.household.id
        for flag in warning.flags
        if flag.rule is Rule.PLAN_MISSED
    ]


def test_a_plan_behind_on_a_missed_installment_is_flagged(office: Office) -> None:
    plan = office.plan()
    assert plan_flags(office, date(2024, 8, 5)) == []  # still in grace
    flags = plan_flags(office, date(2024, 8, 10))
    assert flags == [
        {
            "plan": plan.code,
            "seq": 1,
            "amount": Decimal("200.00"),
            "due": JUL31,
            "repaid": Decimal("0.00"),
            "expected": Decimal("200.00"),
        }
    ]
    listed = desk_warnings(office.session, date(2024, 8, 10))
    (warning,) = [w for w in listed if w.household_id == office.household.id]
    reasons = [f.reason() for f in warning.flags if f.rule is Rule.PLAN_MISSED]
    assert len(reasons) == 1 and plan.code in reasons[0]


def test_a_caught_up_plan_is_not_flagged(office: Office) -> None:
    office.plan()
    office.pay(date(2024, 8, 8), "200.00")
    assert plan_flags(office, date(2024, 8, 10)) == []


def test_the_latest_missed_installment_is_the_one_flagged(office: Office) -> None:
    office.plan(settings=Settings(break_after=3))
    office.pay(date(2024, 8, 20), "100.00")
    (flag,) = plan_flags(office, date(2024, 9, 10))
    assert (flag["seq"], flag["repaid"], flag["expected"]) == (
        2,
        Decimal("100.00"),
        Decimal("400.00"),
    )


def test_a_plan_no_longer_active_is_not_flagged(office: Office) -> None:
    plan = office.plan()
    plans.cancel_plan(office.session, plan, on=date(2024, 8, 1), reason="trasloco", actor=ACTOR)
    assert plan_flags(office, date(2024, 8, 10)) == []


def test_a_plan_behind_is_flagged_even_when_the_ledger_shows_nothing_owed(
    office: Office,
) -> None:
    """A debt stated above the ledger (with an override note) can be behind with nothing owed."""
    plan = office.plan(
        debt="700.00",
        installments=cash((JUL31, "350.00"), (AUG31, "350.00")),
        override_note="spese legali da addebitare",
    )
    office.pay(date(2024, 7, 20), "600.00")
    assert office.balance(date(2024, 9, 10)) == Decimal("0.00")
    behind = office.standing(plan, date(2024, 9, 10)).missed
    assert [(line.seq, line.caught_up) for line in behind] == [(2, False)]
    assert [f["seq"] for f in plan_flags(office, date(2024, 9, 10))] == [2]


def test_a_plan_behind_is_flagged_when_the_ledger_has_been_quiet_for_a_year(
    office: Office,
) -> None:
    plan = office.plan(
        debt="700.00",
        installments=cash((JUL31, "350.00"), (date(2025, 8, 31), "350.00")),
        override_note="spese legali da addebitare",
    )
    office.pay(date(2024, 7, 20), "600.00")
    day = date(2025, 9, 10)  # no charge for over a year, no move for over three months
    behind = office.standing(plan, day).missed
    assert [(line.seq, line.caught_up) for line in behind] == [(2, False)]
    assert [f["seq"] for f in plan_flags(office, day)] == [2]
