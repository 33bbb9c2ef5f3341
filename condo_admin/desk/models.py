"""Tables of the housing advice desk (*sportello*, PRODUCT.md 4.3 and 4.4).

A household budget is kept as dated versions so the desk can show how a family's means changed;
a repayment plan keeps its installments and every transition, and a renegotiated plan points at
the one it supersedes; a case is the desk's file on a household, with a diary; every reminder
letter is logged with the PDF exactly as it was produced, so a letter is never written twice and
can always be shown again.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from condo_admin.accounting.models import DebtorAccount
from condo_admin.registry.models import Agency, Household
from ledger.base import Base, BigId, enum_column
from ledger.models import Book
from volunteering.models import Agreement

# --- household budgets ---------------------------------------------------------------------


class LineKind(enum.StrEnum):
    INCOME = "income"
    EXPENSE = "expense"


class IncomeSource(enum.StrEnum):
    WAGES = "wages"
    PENSION = "pension"
    BENEFITS = "benefits"
    SUPPORT = "support"  # maintenance or help from relatives
    OTHER = "other"


class ExpenseCategory(enum.StrEnum):
    HOUSING = "housing"  # rent and service charges
    UTILITIES = "utilities"
    FOOD = "food"
    HEALTH = "health"
    TRANSPORT = "transport"
    EDUCATION = "education"
    DEBTS = "debts"  # other loans and instalments
    OTHER = "other"


class HouseholdBudget(Base):
    """One version of a household's monthly means, in force from ``valid_from``."""

    __tablename__ = "desk_household_budgets"
    __table_args__ = (Index("ix_desk_household_budgets_household", "household_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    household: Mapped[Household] = relationship()
    lines: Mapped[list[HouseholdBudgetLine]] = relationship(
        back_populates="budget", order_by="HouseholdBudgetLine.id"
    )


class HouseholdBudgetLine(Base):
    __tablename__ = "desk_household_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("desk_household_budgets.id"), index=True)
    kind: Mapped[LineKind] = mapped_column(enum_column(LineKind))
    #: An :class:`IncomeSource` for income, an :class:`ExpenseCategory` for expenses.
    category: Mapped[str] = mapped_column(String(24))
    label: Mapped[str | None] = mapped_column(String(200))
    monthly_cents: Mapped[int] = mapped_column(BigInteger)

    budget: Mapped[HouseholdBudget] = relationship(back_populates="lines")


# --- repayment plans -----------------------------------------------------------------------


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class Means(enum.StrEnum):
    """How an installment is to be met: money, or hours credited under the plan's agreement."""

    CASH = "cash"
    HOURS = "hours"


class RepaymentPlan(Base):
    """A *piano di rientro*: a stated debt towards one creditor repaid in dated installments."""

    __tablename__ = "desk_plans"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    debt_cents: Mapped[int] = mapped_column(BigInteger)
    #: The day the debt was stated: repayment is measured from the household's balance then.
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus))
    #: A mixed plan names the restitution agreement whose credited hours count toward it.
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("vol_agreements.id"))
    grace_days: Mapped[int] = mapped_column(Integer)
    break_after: Mapped[int] = mapped_column(Integer)
    #: Why the stated debt may exceed the arrears on the ledger (required when it does).
    override_note: Mapped[str | None] = mapped_column(String(500))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("desk_plans.id"), unique=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The day it became completed, broken, superseded or cancelled.
    closed_on: Mapped[date | None] = mapped_column(Date)

    agency: Mapped[Agency] = relationship()
    household: Mapped[Household] = relationship()
    book: Mapped[Book] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    supersedes: Mapped[RepaymentPlan | None] = relationship(remote_side="RepaymentPlan.id")
    installments: Mapped[list[PlanInstallment]] = relationship(
        back_populates="plan", order_by="PlanInstallment.seq"
    )


class PlanInstallment(Base):
    __tablename__ = "desk_plan_installments"
    __table_args__ = (UniqueConstraint("plan_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("desk_plans.id"))
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    means: Mapped[Means] = mapped_column(enum_column(Means))
    #: Set by the plans monitor: the day the grace period ran out with the installment unmet.
    missed_on: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[RepaymentPlan] = relationship(back_populates="installments")


class PlanEvent(Base):
    """Every transition of a plan and every installment found missed: who, when, why."""

    __tablename__ = "desk_plan_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("desk_plans.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(500))


# --- cases ---------------------------------------------------------------------------------


class CaseStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    IN_PLAN = "in_plan"
    IN_RESTITUTION = "in_restitution"
    RESOLVED = "resolved"
    REFERRED = "referred"


class Outcome(enum.StrEnum):
    PAID = "paid"  # arrears paid
    PLAN_COMPLETED = "plan_completed"
    RESTITUTION = "restitution"  # repaid with community hours
    REFERRED = "referred"  # to social services or a lawyer
    MOVED_OUT = "moved_out"
    UNREACHABLE = "unreachable"
    OTHER = "other"


class ContactKind(enum.StrEnum):
    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    EMAIL = "email"
    LETTER = "letter"
    NOTE = "note"
    #: Written by the system: status, assignment, hold on letters.
    CHANGE = "change"


class Case(Base):
    """The desk's file on one household in difficulty, from a flag to an outcome."""

    __tablename__ = "desk_cases"
    __table_args__ = (Index("ix_desk_cases_household", "household_id", "closed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus))
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(100))
    #: The early-warning flags that opened it, as they read that day, with the values behind
    #: them so they can be said again in the reader's language: ``[{rule, reason, params}]``.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    next_action_on: Mapped[date | None] = mapped_column(Date)
    next_action: Mapped[str | None] = mapped_column(String(300))
    #: The operator asked that no reminder letter be written while the case is open.
    hold_letters: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))

    agency: Mapped[Agency] = relationship()
    household: Mapped[Household] = relationship()
    diary: Mapped[list[CaseEntry]] = relationship(
        back_populates="case", order_by="(CaseEntry.day, CaseEntry.id)"
    )


class CaseEntry(Base):
    """One line of a case's diary: a contact, a note, or a change the system recorded."""

    __tablename__ = "desk_case_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("desk_cases.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship(back_populates="diary")


# --- reminder letters ----------------------------------------------------------------------


class Stage(enum.StrEnum):
    REMINDER = "reminder"
    SECOND_REMINDER = "second_reminder"
    FORMAL_NOTICE = "formal_notice"


class ReminderStage(Base):
    """A book's setting for one stage; a book without a row uses the default (on, 30/60/90)."""

    __tablename__ = "desk_reminder_stages"

    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"), primary_key=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)


class DeskContact(Base):
    """How a household reaches the agency's advice desk, printed on every letter."""

    __tablename__ = "desk_contacts"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(200))
    hours: Mapped[str] = mapped_column(String(200))


class LetterRun(Base):
    __tablename__ = "desk_letter_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    run_by: Mapped[str] = mapped_column(String(100))
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()


class Letter(Base):
    """One reminder letter as produced: to whom, which stage, how much, and the PDF itself."""

    __tablename__ = "desk_letters"
    __table_args__ = (Index("ix_desk_letters_debtor", "debtor_account_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("desk_letter_runs.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    debtor_account_id: Mapped[int] = mapped_column(ForeignKey("debtor_accounts.id"))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    as_of: Mapped[date] = mapped_column(Date)
    #: Past due on ``as_of``, and the due date of the oldest charge it covers.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    oldest_due: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(5))
    filename: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))

    run: Mapped[LetterRun] = relationship()
    household: Mapped[Household] = relationship()
    debtor_account: Mapped[DebtorAccount] = relationship()
