"""Budgets (*preventivi*): categories split by share tables, then into dated installments.

A budget is drafted, then approved. Approval splits every category over its share table by the
largest-remainder method and keeps each unit's yearly part (*riparto*); from then on the budget
cannot change, so what a charge run posts is exactly what the assembly approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from condo_admin.accounting.debtors import Debtors
from condo_admin.accounting.errors import (
    BudgetAlreadyApproved,
    CategoryWithoutTable,
    InvalidBudget,
)
from condo_admin.accounting.models import (
    BookPurpose,
    Budget,
    BudgetAllotment,
    BudgetInstallment,
    BudgetLine,
    BudgetStatus,
    CreditorBook,
    ShareTable,
)
from condo_admin.accounting.shares import split_by_table
from condo_admin.accounting.splitting import split_installments
from condo_admin.audit.operations import record as audit
from condo_admin.registry import validate as v
from condo_admin.registry.models import Building, Unit
from ledger.errors import N_, Phrase
from ledger.models import Book
from ledger.money import to_cents

MAX_INSTALLMENTS = 12


@dataclass(frozen=True)
class LineSpec:
    """One expense category of a budget as the administrator enters it."""

    category: str
    name: str
    amount: Decimal | str
    share_table: ShareTable | None


def create_budget(
    session: Session,
    building: Building,
    year: int,
    *,
    book: Book,
    lines: Sequence[LineSpec],
    due_dates: Sequence[date],
    actor: str,
) -> Budget:
    """A draft budget; everything is checked before anything is written."""
    label = f"{building.code} {year}"
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidBudget(
            budget=label, problem=Phrase(N_("%(year)r is not a financial year"), year=year)
        )
    creditor = session.get(CreditorBook, book.id)
    if (
        creditor is None
        or creditor.building_id != building.id
        or creditor.purpose is not BookPurpose.SERVICE_CHARGES
    ):
        raise InvalidBudget(
            budget=label,
            problem=Phrase(
                N_("book %(book)s is not this building's service-charge book"), book=book.code
            ),
        )
    if session.scalar(
        select(Budget.id).where(Budget.building_id == building.id, Budget.year == year)
    ):
        raise InvalidBudget(
            budget=label, problem=Phrase(N_("a budget for %(year)s already exists"), year=year)
        )
    if not due_dates or len(due_dates) > MAX_INSTALLMENTS:
        raise InvalidBudget(
            budget=label,
            problem=Phrase(
                N_("give between 1 and %(most)s installment due dates"), most=MAX_INSTALLMENTS
            ),
        )
    dates = [v.day(d, "installment due date") for d in due_dates]
    if any(later <= earlier for earlier, later in pairwise(dates)):
        raise InvalidBudget(
            budget=label, problem=N_("installment due dates must be in order, no repeats")
        )
    if not lines:
        raise InvalidBudget(
            budget=label, problem=N_("a budget needs at least one expense category")
        )
    seen: set[str] = set()
    checked: list[BudgetLine] = []
    for spec in lines:
        category = v.code(spec.category, "expense category").upper()
        if category in seen:
            raise InvalidBudget(
                budget=label,
                problem=Phrase(N_("category %(category)s appears twice"), category=category),
            )
        seen.add(category)
        if spec.share_table is None:
            raise CategoryWithoutTable(budget=label, category=category)
        if spec.share_table.building_id != building.id:
            raise InvalidBudget(
                budget=label,
                problem=Phrase(
                    N_(
                        "share table %(table)s of category %(category)s belongs to another building"
                    ),
                    table=spec.share_table.code,
                    category=category,
                ),
            )
        cents = to_cents(
            spec.amount, field=Phrase(N_("category %(category)s amount"), category=category)
        )
        if cents <= 0:
            raise InvalidBudget(
                budget=label,
                problem=Phrase(
                    N_("category %(category)s amount must be positive"), category=category
                ),
            )
        checked.append(
            BudgetLine(
                category=category,
                name=v.text(spec.name, f"category {category} name"),
                amount_cents=cents,
                share_table_id=spec.share_table.id,
            )
        )
    budget = Budget(
        building_id=building.id,
        book_id=book.id,
        year=year,
        status=BudgetStatus.DRAFT,
        created_at=datetime.now(UTC),
        lines=checked,
        installments=[BudgetInstallment(number=n, due_date=d) for n, d in enumerate(dates, 1)],
    )
    session.add(budget)
    session.flush()
    audit(session, actor, "budget.create", budget)
    return budget


def approve_budget(session: Session, budget: Budget, *, actor: str) -> Budget:
    """Split every category over its share table and freeze the budget."""
    if budget.status is BudgetStatus.APPROVED:
        raise BudgetAlreadyApproved(
            budget=f"{budget.building.code} {budget.year}", when=budget.approved_at
        )
    if budget.status is BudgetStatus.CLOSED:
        raise InvalidBudget(
            budget=f"{budget.building.code} {budget.year}",
            problem=N_("it is closed and can no longer change"),
        )
    income = Debtors(session, budget.book, actor)
    for line in budget.lines:
        parts = split_by_table(session, line.share_table, line.amount_cents)
        session.add_all(
            BudgetAllotment(line_id=line.id, unit_id=unit_id, amount_cents=cents)
            for unit_id, cents in parts.items()
        )
        opened_on = min(date(budget.year, 1, 1), budget.installments[0].due_date)
        income.income(line.category, open_as=(line.name, opened_on))
    before = {"status": budget.status.value}
    budget.status = BudgetStatus.APPROVED
    budget.approved_at = datetime.now(UTC)
    budget.approved_by = actor
    session.flush()
    audit(session, actor, "budget.approve", budget, before=before)
    return budget


@dataclass(frozen=True)
class InstallmentCharge:
    """What one unit owes for one installment, by category (cents)."""

    unit_id: int
    number: int
    due_date: date
    by_category: dict[str, int]

    @property
    def total_cents(self) -> int:
        return sum(self.by_category.values())


def installment_charges(
    session: Session, budget: Budget, *, unit_id: int | None = None
) -> list[InstallmentCharge]:
    """Every unit's installments of an approved budget (or one unit's), each category split
    exactly.

    A unit's yearly part of a category is split into the budget's installments with the odd cents
    on the first ones, so the installments of a category add up to its allotment to the cent.
    """
    if budget.status is BudgetStatus.DRAFT:
        raise InvalidBudget(
            budget=f"{budget.building.code} {budget.year}", problem=N_("it is not approved yet")
        )
    rows = session.execute(
        select(BudgetAllotment.unit_id, BudgetLine.category, BudgetAllotment.amount_cents)
        .join(BudgetLine, BudgetLine.id == BudgetAllotment.line_id)
        .join(Unit, Unit.id == BudgetAllotment.unit_id)
        .where(
            BudgetLine.budget_id == budget.id,
            true() if unit_id is None else BudgetAllotment.unit_id == unit_id,
        )
        .order_by(Unit.code, BudgetLine.category)
    ).all()
    installments = budget.installments
    charges: dict[tuple[int, int], InstallmentCharge] = {}
    for unit_id, category, cents in rows:
        for installment, part in zip(
            installments, split_installments(cents, len(installments)), strict=True
        ):
            key = (unit_id, installment.number)
            if key not in charges:
                charges[key] = InstallmentCharge(
                    unit_id, installment.number, installment.due_date, {}
                )
            if part:
                charges[key].by_category[category] = part
    return [charge for charge in charges.values() if charge.total_cents]
