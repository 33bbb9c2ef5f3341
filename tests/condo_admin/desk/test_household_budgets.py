"""Household budgets: dated versions, never edited; the one in force on a day; disposable income."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent
from condo_admin.desk.errors import BudgetRefused
from condo_admin.desk.household_budgets import Line, budget_on, history, means, record_budget
from condo_admin.desk.models import HouseholdBudget, HouseholdBudgetLine, LineKind
from condo_admin.registry.models import Household
from tests import factories
from tests.factories import ACTOR

JAN, APR, SEP = date(2024, 1, 15), date(2024, 4, 1), date(2024, 9, 1)

FAMILY = [
    Line("income", "wages", "1250.00", "operaio"),
    Line("income", "benefits", "350.00", "assegno unico"),
    Line(LineKind.EXPENSE, "housing", "420.00"),
    Line("expense", "food", "600.00"),
    Line("expense", "utilities", "130.50"),
]


@pytest.fixture
def household(session: Session) -> Household:
    return factories.household(session, factories.agency(session))


def written(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model))
        for model in (HouseholdBudget, HouseholdBudgetLine, AuditEvent)
    )


def test_a_budget_is_saved_with_its_lines_and_reduced_to_its_means(
    session: Session, household: Household
) -> None:
    budget = record_budget(session, household, FAMILY, valid_from=JAN, actor="desk", note="primo")
    assert (budget.household_id, budget.valid_from, budget.note) == (household.id, JAN, "primo")
    assert budget.recorded_by == "desk"
    assert [(b.kind, b.category, b.label, b.monthly_cents) for b in budget.lines] == [
        (LineKind.INCOME, "wages", "operaio", 125000),
        (LineKind.INCOME, "benefits", "assegno unico", 35000),
        (LineKind.EXPENSE, "housing", None, 42000),
        (LineKind.EXPENSE, "food", None, 60000),
        (LineKind.EXPENSE, "utilities", None, 13050),
    ]
    found = means(budget)
    assert (found.valid_from, found.income, found.expenses) == (
        JAN,
        Decimal("1600.00"),
        Decimal("1150.50"),
    )
    assert found.disposable == Decimal("449.50")
    assert found.by_category[("income", "benefits")] == Decimal("350.00")
    assert found.by_category[("expense", "utilities")] == Decimal("130.50")


def test_lines_of_one_category_add_up(session: Session, household: Household) -> None:
    budget = record_budget(
        session,
        household,
        [
            Line("income", "wages", "900.00", "lui"),
            Line("income", "wages", "700.00", "lei"),
            Line("expense", "debts", "150.00", "finanziaria"),
            Line("expense", "debts", "50.00", "telefono a rate"),
        ],
        valid_from=JAN,
        actor=ACTOR,
    )
    found = means(budget)
    assert found.by_category == {
        ("income", "wages"): Decimal("1600.00"),
        ("expense", "debts"): Decimal("200.00"),
    }
    assert found.disposable == Decimal("1400.00")


def test_disposable_income_can_be_negative(session: Session, household: Household) -> None:
    budget = record_budget(
        session,
        household,
        [Line("income", "pension", "600.00"), Line("expense", "housing", "650.00")],
        valid_from=JAN,
        actor=ACTOR,
    )
    assert means(budget).disposable == Decimal("-50.00")


def test_a_new_version_is_added_and_the_old_one_kept(
    session: Session, household: Household
) -> None:
    first = record_budget(session, household, FAMILY, valid_from=JAN, actor=ACTOR)
    lost_job = [Line("income", "benefits", "350.00"), Line("expense", "housing", "420.00")]
    second = record_budget(session, household, lost_job, valid_from=APR, actor=ACTOR)
    assert history(session, household.id) == [first, second]
    assert means(first).income == Decimal("1600.00")  # untouched
    assert len(first.lines) == 5 and len(second.lines) == 2


def test_the_version_in_force_is_the_latest_starting_on_or_before_the_day(
    session: Session, household: Household
) -> None:
    first = record_budget(session, household, FAMILY, valid_from=JAN, actor=ACTOR)
    later = record_budget(
        session, household, [Line("income", "wages", "2000.00")], valid_from=SEP, actor=ACTOR
    )
    middle = record_budget(
        session, household, [Line("income", "wages", "1000.00")], valid_from=APR, actor=ACTOR
    )
    assert budget_on(session, household.id, date(2024, 1, 14)) is None
    assert budget_on(session, household.id, JAN) is first
    assert budget_on(session, household.id, date(2024, 3, 31)) is first
    assert budget_on(session, household.id, APR) is middle
    assert budget_on(session, household.id, date(2024, 8, 31)) is middle
    assert budget_on(session, household.id, date(2030, 1, 1)) is later
    assert history(session, household.id) == [first, middle, later]


def test_of_two_versions_from_the_same_day_the_later_recorded_is_in_force(
    session: Session, household: Household
) -> None:
    record_budget(session, household, FAMILY, valid_from=APR, actor=ACTOR)
    fixed = record_budget(
        session, household, [Line("income", "wages", "1300.00")], valid_from=APR, actor=ACTOR
    )
    assert budget_on(session, household.id, APR) is fixed


def test_budgets_are_the_households_own(session: Session, household: Household) -> None:
    neighbour = factories.household(session, factories.agency(session))
    record_budget(session, neighbour, FAMILY, valid_from=JAN, actor=ACTOR)
    assert budget_on(session, household.id, SEP) is None
    assert history(session, household.id) == []


def test_saving_a_budget_writes_an_audit_event(session: Session, household: Household) -> None:
    budget = record_budget(session, household, FAMILY[:2], valid_from=JAN, actor="desk")
    session.flush()
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "household_budget.record", AuditEvent.target_id == budget.id
        )
    )
    assert event is not None
    assert (event.actor, event.target_type) == ("desk", "HouseholdBudget")
    assert event.after == {
        "household": household.code,
        "valid_from": "2024-01-15",
        "lines": [
            ["income", "wages", "operaio", 125000],
            ["income", "benefits", "assegno unico", 35000],
        ],
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (Line("income", "lottery", "10.00"), "line 2: 'lottery' is not an income category"),
        (Line("expense", "wages", "10.00"), "line 2: 'wages' is not an expense category"),
        (Line("income", "housing", "10.00"), "line 2: 'housing' is not an income category"),
        (Line("gift", "other", "10.00"), "line 2: 'gift' is neither income nor expense"),
        (Line("expense", "food", "-10.00"), "line 2: a monthly amount cannot be negative"),
        (Line("expense", "food", "12,5,0"), "line 2: "),
        (Line("expense", "food", "10.005"), "more than two decimal places"),
        (Line("expense", "food", ""), "line 2: "),
    ],
)
def test_a_bad_line_is_refused_naming_it_and_nothing_is_written(
    session: Session, household: Household, line: Line, problem: str
) -> None:
    before = written(session)
    with pytest.raises(BudgetRefused) as caught:
        record_budget(session, household, [FAMILY[0], line], valid_from=JAN, actor=ACTOR)
    message = str(caught.value)
    assert message.startswith(f"Household budget of {household.code}: ")
    assert problem in message
    assert written(session) == before


def test_a_budget_without_lines_is_refused(session: Session, household: Household) -> None:
    before = written(session)
    with pytest.raises(BudgetRefused, match="it has no lines"):
        record_budget(session, household, [], valid_from=JAN, actor=ACTOR)
    assert written(session) == before


def test_a_line_of_zero_is_accepted(session: Session, household: Household) -> None:
    budget = record_budget(
        session,
        household,
        [Line("income", "wages", "0.00"), Line("expense", "transport", "0")],
        valid_from=JAN,
        actor=ACTOR,
    )
    assert means(budget).disposable == Decimal("0.00")
