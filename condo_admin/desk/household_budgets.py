"""Household budgets: what a family earns and must spend each month (financial education).

The desk fills one in with the household at the first meeting and again whenever things change.
Each save is a new version from a date, never an edit, so the file shows how the family's means
moved; the version in force on a day is the latest one starting on or before it. Disposable
income (income minus essential expenses) is what a repayment plan's installment is measured
against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from condo_admin.audit.operations import record as audit
from condo_admin.desk.errors import BudgetRefused
from condo_admin.desk.models import (
    ExpenseCategory,
    HouseholdBudget,
    HouseholdBudgetLine,
    IncomeSource,
    LineKind,
)
from condo_admin.registry.models import Household
from ledger.errors import N_, InvalidAmount, Phrase
from ledger.money import from_cents, to_cents

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    """One monthly figure: ``category`` is an income source or an expense category."""

    kind: LineKind | str
    category: str
    monthly: Decimal | str
    label: str | None = None


@dataclass(frozen=True)
class Means:
    """A budget version reduced to the figures the desk talks about."""

    valid_from: date
    income: Decimal
    expenses: Decimal
    by_category: dict[tuple[str, str], Decimal]

    @property
    def disposable(self) -> Decimal:
        return self.income - self.expenses


def _allowed(kind: LineKind) -> tuple[str, ...]:
    members = IncomeSource if kind is LineKind.INCOME else ExpenseCategory
    return tuple(m.value for m in members)


def record_budget(
    session: Session,
    household: Household,
    lines: Iterable[Line],
    *,
    valid_from: date,
    actor: str,
    note: str | None = None,
) -> HouseholdBudget:
    """Save a new version of the household's monthly budget, in force from ``valid_from``."""
    checked: list[HouseholdBudgetLine] = []
    for number, line in enumerate(lines, start=1):
        try:
            kind = LineKind(line.kind)
        except ValueError:
            raise BudgetRefused(
                household=household.code,
                problem=Phrase(
                    N_("line %(line)s: %(kind)r is neither income nor expense"),
                    line=number,
                    kind=line.kind,
                ),
            ) from None
        if line.category not in _allowed(kind):
            raise BudgetRefused(
                household=household.code,
                problem=Phrase(
                    N_(
                        "line %(line)s: %(category)r is not an %(kind)s category "
                        "(one of %(allowed)s)"
                    ),
                    line=number,
                    category=line.category,
                    kind=kind.value,
                    allowed=", ".join(_allowed(kind)),
                ),
            )
        try:
            cents = to_cents(line.monthly)
        except InvalidAmount as exc:
            raise BudgetRefused(
                household=household.code,
                problem=Phrase(N_("line %(line)s: %(problem)s"), line=number, problem=exc.phrase),
            ) from None
        if cents < 0:
            raise BudgetRefused(
                household=household.code,
                problem=Phrase(
                    N_("line %(line)s: a monthly amount cannot be negative (%(amount)s)"),
                    line=number,
                    amount=line.monthly,
                ),
            )
        checked.append(
            HouseholdBudgetLine(
                kind=kind, category=line.category, label=line.label, monthly_cents=cents
            )
        )
    if not checked:
        raise BudgetRefused(household=household.code, problem=N_("it has no lines"))
    budget = HouseholdBudget(
        household_id=household.id,
        valid_from=valid_from,
        note=note,
        recorded_by=actor,
        recorded_at=datetime.now(UTC),
        lines=checked,
    )
    session.add(budget)
    session.flush()
    audit(
        session,
        actor,
        "household_budget.record",
        budget,
        after={
            "household": household.code,
            "valid_from": valid_from.isoformat(),
            "lines": [[b.kind.value, b.category, b.label, b.monthly_cents] for b in checked],
        },
    )
    return budget


def budget_on(session: Session, household_id: int, day: date) -> HouseholdBudget | None:
    """The version in force on ``day``: the latest starting on or before it."""
    return session.scalar(
        select(HouseholdBudget)
        .where(HouseholdBudget.household_id == household_id, HouseholdBudget.valid_from <= day)
        .order_by(HouseholdBudget.valid_from.desc(), HouseholdBudget.id.desc())
        .options(selectinload(HouseholdBudget.lines))
        .limit(1)
    )


def history(session: Session, household_id: int) -> list[HouseholdBudget]:
    """Every version, oldest first."""
    return list(
        session.scalars(
            select(HouseholdBudget)
            .where(HouseholdBudget.household_id == household_id)
            .order_by(HouseholdBudget.valid_from, HouseholdBudget.id)
            .options(selectinload(HouseholdBudget.lines))
        )
    )


def means(budget: HouseholdBudget) -> Means:
    income = expenses = 0
    by_category: dict[tuple[str, str], Decimal] = {}
    for line in budget.lines:
        if line.kind is LineKind.INCOME:
            income += line.monthly_cents
        else:
            expenses += line.monthly_cents
        key = (line.kind.value, line.category)
        by_category[key] = by_category.get(key, ZERO) + from_cents(line.monthly_cents)
    return Means(
        valid_from=budget.valid_from,
        income=from_cents(income),
        expenses=from_cents(expenses),
        by_category=by_category,
    )
