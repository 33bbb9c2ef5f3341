"""What a household owes to each of its creditors, what falls due next and how to pay it.

A household pays up to three creditors: the housing body (rent), the building (service charges)
and, through a repayment plan, either of them again. The portal's home says for each one, in
plain words, whether the household is up to date or how much it owes and since when, and gives
what a bank needs to pay it. Everything is read from the ledger's open items (``age_bands``), so
"overdue since" is the due date of the oldest charge still unpaid, however the payments in
between were allocated. Read-only, no Flask: the views and the tests call it with a Session.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.budgets import installment_charges
from condo_admin.accounting.models import (
    BookPurpose,
    Budget,
    BudgetStatus,
    CreditorBook,
    DebtorAccount,
    UnitRent,
)
from condo_admin.desk.models import PlanStatus, RepaymentPlan
from condo_admin.desk.plans import InstallmentState, standing
from condo_admin.registry.models import Building, HousingBody, Occupancy, Unit
from ledger import openitems
from ledger.models import Book
from ledger.money import from_cents

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class NextDue:
    """The next amount falling due to a creditor: what for, how much, by when."""

    kind: str  # "rent", "installment" (service charges) or "plan"
    due_date: date
    amount: Decimal
    number: int | None = None  # the installment's number, for a budget or a plan


@dataclass(frozen=True)
class Position:
    """The household's position towards one creditor (one book) on a day."""

    book_id: int
    purpose: BookPurpose
    creditor: str  # the housing body's or the building's name
    balance: Decimal  # positive: owed; negative: credit
    overdue: Decimal  # open charges due before the day
    overdue_since: date | None  # due date of the oldest of them
    iban: str | None
    reference: str  # the RF reference of the household's current account
    next_due: list[NextDue]

    @property
    def up_to_date(self) -> bool:
        return self.overdue <= 0

    @property
    def to_pay(self) -> Decimal:
        """What a payment today should be: everything owed, or nothing when in credit."""
        return max(self.balance, ZERO)


@dataclass(frozen=True)
class _Account:
    """One debtor account of the household, with its creditor and where it lived."""

    account_id: int
    book_id: int
    reference: str
    start: date
    end: date | None
    unit_id: int
    building_id: int
    purpose: BookPurpose
    creditor: str
    iban: str | None


def _accounts(session: Session, household_id: int) -> list[_Account]:
    """Every debtor account of the household with its creditor's name and bank account, in one
    read (the portal's home is its most visited page)."""
    rows = session.execute(
        select(
            DebtorAccount.account_id,
            DebtorAccount.book_id,
            DebtorAccount.rf_reference,
            Occupancy.start_date,
            Occupancy.end_date,
            Occupancy.unit_id,
            Unit.building_id,
            CreditorBook.purpose,
            func.coalesce(HousingBody.name, Building.name, Book.name),
            CreditorBook.iban,
        )
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Unit, Unit.id == Occupancy.unit_id)
        .join(CreditorBook, CreditorBook.book_id == DebtorAccount.book_id)
        .join(Book, Book.id == DebtorAccount.book_id)
        .outerjoin(Building, Building.id == CreditorBook.building_id)
        .outerjoin(HousingBody, HousingBody.id == CreditorBook.housing_body_id)
        .where(DebtorAccount.household_id == household_id)
        .order_by(Occupancy.start_date, DebtorAccount.id)
    )
    return [_Account(*row) for row in rows]


def _first_of_next_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) + timedelta(days=1)


def _next_rent(session: Session, unit_id: int, today: date) -> NextDue | None:
    month = _first_of_next_month(today)
    cents = session.scalar(
        select(UnitRent.monthly_cents)
        .where(UnitRent.unit_id == unit_id, UnitRent.valid_from <= month)
        .order_by(UnitRent.valid_from.desc())
        .limit(1)
    )
    return NextDue("rent", month, from_cents(cents)) if cents else None


def _next_installment(
    session: Session, unit_id: int, building_id: int, today: date
) -> NextDue | None:
    budgets = session.scalars(
        select(Budget)
        .where(
            Budget.building_id == building_id,
            Budget.status != BudgetStatus.DRAFT,
            Budget.year.in_([today.year, today.year + 1]),
        )
        .order_by(Budget.year)
    )
    for budget in budgets:
        upcoming = [
            c for c in installment_charges(session, budget, unit_id=unit_id) if c.due_date > today
        ]
        if upcoming:
            first = min(upcoming, key=lambda c: c.due_date)
            return NextDue(
                "installment", first.due_date, from_cents(first.total_cents), first.number
            )
    return None


def _next_plan_installment(session: Session, plan: RepaymentPlan, today: date) -> NextDue | None:
    found = standing(session, plan, today)
    for line in found.lines:
        if line.state in (InstallmentState.UPCOMING, InstallmentState.IN_GRACE):
            return NextDue("plan", line.due_date, line.amount, line.seq)
    return None


def positions(session: Session, household_id: int, today: date) -> list[Position]:
    """The household's position towards each creditor it has an account with, rent first."""
    accounts = _accounts(session, household_id)
    if not accounts:
        return []
    bands = openitems.age_bands(session, today, [today], accounts=[a.account_id for a in accounts])
    by_book: dict[int, list[_Account]] = defaultdict(list)
    for account in accounts:
        by_book[account.book_id].append(account)
    plans = {
        plan.book_id: plan
        for plan in session.scalars(
            select(RepaymentPlan).where(
                RepaymentPlan.household_id == household_id,
                RepaymentPlan.status == PlanStatus.ACTIVE,
            )
        )
    }
    found: list[Position] = []
    for book_id, mine in by_book.items():
        balance = overdue = 0
        since: date | None = None
        for account in mine:
            row = bands.get(account.account_id)
            if row is None:
                continue
            balance += sum(row.bands.values()) + row.credit_cents
            if 1 in row.bands:
                overdue += row.bands[1]
                since = row.first[1] if since is None else min(since, row.first[1])
        # The account of the occupancy that is still running (the latest otherwise) is the one
        # a payment goes to: its reference is the one to quote.
        current = next((a for a in reversed(mine) if a.end is None or a.end >= today), mine[-1])
        upcoming: list[NextDue] = []
        if current.end is None or current.end > today:
            regular = (
                _next_rent(session, current.unit_id, today)
                if current.purpose is BookPurpose.RENT
                else _next_installment(session, current.unit_id, current.building_id, today)
            )
            if regular is not None:
                upcoming.append(regular)
        if book_id in plans:
            step = _next_plan_installment(session, plans[book_id], today)
            if step is not None:
                upcoming.append(step)
        found.append(
            Position(
                book_id=book_id,
                purpose=current.purpose,
                creditor=current.creditor,
                balance=from_cents(balance),
                overdue=from_cents(overdue),
                overdue_since=since,
                iban=current.iban,
                reference=current.reference,
                next_due=sorted(upcoming, key=lambda n: n.due_date),
            )
        )
    found.sort(key=lambda p: (p.purpose is not BookPurpose.RENT, p.creditor))
    return found
