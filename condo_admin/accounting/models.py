"""How the condominium domain hangs on the ledger, which knows nothing of it.

A ledger book belongs to a creditor (a building's condominium fund, or a housing body's rent); a
debtor account is one household's occupancy of one unit towards one creditor. When a household
moves out its debt stays on that account; the incoming household gets a new one that starts at zero.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from condo_admin.registry.models import Building, Household, HousingBody, Occupancy, Unit
from ledger.base import Base, enum_column
from ledger.models import Account, Book


class BookPurpose(enum.StrEnum):
    SERVICE_CHARGES = "service_charges"  # spese condominiali, a building's fund
    RENT = "rent"  # canone di locazione, owed to a housing body


class CreditorBook(Base):
    __tablename__ = "creditor_books"
    __table_args__ = (
        CheckConstraint("(building_id IS NULL) <> (housing_body_id IS NULL)", name="one_creditor"),
    )

    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    purpose: Mapped[BookPurpose] = mapped_column(enum_column(BookPurpose))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), unique=True)
    housing_body_id: Mapped[int | None] = mapped_column(
        ForeignKey("housing_bodies.id"), unique=True
    )

    #: Where households pay this creditor, printed on letters with their RF reference.
    iban: Mapped[str | None] = mapped_column(String(34))

    book: Mapped[Book] = relationship()
    building: Mapped[Building | None] = relationship()
    housing_body: Mapped[HousingBody | None] = relationship()


class DebtorAccount(Base):
    __tablename__ = "debtor_accounts"
    __table_args__ = (UniqueConstraint("book_id", "occupancy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), unique=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    occupancy_id: Mapped[int] = mapped_column(ForeignKey("occupancies.id"), index=True)
    #: Structured creditor reference (ISO 11649), fixed at opening: see accounting.references.
    rf_reference: Mapped[str] = mapped_column(String(25), unique=True)

    account: Mapped[Account] = relationship()
    book: Mapped[Book] = relationship()
    household: Mapped[Household] = relationship()
    occupancy: Mapped[Occupancy] = relationship()


class ShareTableKind(enum.StrEnum):
    GENERAL = "general"  # tabella A, proprietà generale
    STAIRCASE = "staircase"
    HEATING = "heating"
    LIFT = "lift"
    OTHER = "other"


class ShareTable(Base):
    """A *tabella millesimale*: each unit's share of an expense, in thousandths summing to 1000."""

    __tablename__ = "share_tables"
    __table_args__ = (UniqueConstraint("building_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ShareTableKind] = mapped_column(enum_column(ShareTableKind))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    building: Mapped[Building] = relationship()
    shares: Mapped[list[Share]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="Share.unit_id"
    )


class Share(Base):
    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("table_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("share_tables.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: Thousandths with up to four decimals, as Italian tables are often drawn (e.g. 12.3456).
    thousandths: Mapped[Decimal] = mapped_column(Numeric(10, 4))

    table: Mapped[ShareTable] = relationship(back_populates="shares")
    unit: Mapped[Unit] = relationship()


class BudgetStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    CLOSED = "closed"  # final accounts entered, year-end adjustment posted


class Budget(Base):
    """A *preventivo*: a building's expected expenses for a financial year, by category."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("building_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[BudgetStatus] = mapped_column(enum_column(BudgetStatus))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))

    building: Mapped[Building] = relationship()
    book: Mapped[Book] = relationship()
    lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetLine.category"
    )
    installments: Mapped[list[BudgetInstallment]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetInstallment.number"
    )


class BudgetLine(Base):
    """One expense category of a budget, split by one share table."""

    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("budget_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"))
    category: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    share_table_id: Mapped[int] = mapped_column(ForeignKey("share_tables.id"))

    budget: Mapped[Budget] = relationship(back_populates="lines")
    share_table: Mapped[ShareTable] = relationship()


class BudgetInstallment(Base):
    __tablename__ = "budget_installments"
    __table_args__ = (UniqueConstraint("budget_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)

    budget: Mapped[Budget] = relationship(back_populates="installments")


class BudgetAllotment(Base):
    """A unit's yearly part of one budget line (*riparto*), fixed when the budget is approved.

    Kept rather than recomputed so that a later revision of a share table never changes what an
    approved budget charges.
    """

    __tablename__ = "budget_allotments"
    __table_args__ = (UniqueConstraint("line_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    line: Mapped[BudgetLine] = relationship()
    unit: Mapped[Unit] = relationship()


class UnitRent(Base):
    """The monthly rent of a unit from ``valid_from`` on, as set by its housing body.

    History is kept: the rent of a month is the one with the latest ``valid_from`` on or before
    the month's first day.
    """

    __tablename__ = "unit_rents"
    __table_args__ = (UniqueConstraint("unit_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    monthly_cents: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()


class BudgetActual(Base):
    """The actual expense of one budget category (*consuntivo*), entered when the year closes."""

    __tablename__ = "budget_actuals"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"), unique=True)
    actual_cents: Mapped[int] = mapped_column(BigInteger)

    line: Mapped[BudgetLine] = relationship()
