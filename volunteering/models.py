"""Tables of community-service restitution (PRODUCT.md 4.5).

An agreement lets one household repay part of one debt (a debtor account) with agreed activities,
at the rate in force on the day of the work, within caps. Hour entries move through states and
every move is kept in :class:`HourEvent`; a credited entry points at the ledger entry that credited
the debtor, which is the only place money moves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from condo_admin.accounting.models import DebtorAccount
from condo_admin.registry.models import Agency, Household, Person
from ledger.base import Base, BigId, enum_column

#: Hours are kept to two decimals (quarter hours are 0.25, 0.50, 0.75).
Hours = Numeric(6, 2)


class Activity(Base):
    """One kind of community work, with what it may never include."""

    __tablename__ = "vol_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    restrictions: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    rates: Mapped[list[ActivityRate]] = relationship(
        back_populates="activity", order_by="ActivityRate.valid_from"
    )


class ActivityRate(Base):
    """The hourly credit of an activity from ``valid_from`` until the next rate starts."""

    __tablename__ = "vol_activity_rates"
    __table_args__ = (UniqueConstraint("activity_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("vol_activities.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    hourly_cents: Mapped[int] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    activity: Mapped[Activity] = relationship(back_populates="rates")


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class Agreement(Base):
    """A signed restitution agreement: who, which debt, which activities, caps and dates."""

    __tablename__ = "vol_agreements"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    #: The debt it repays: one debtor account (a creditor book and an occupancy).
    debtor_account_id: Mapped[int] = mapped_column(ForeignKey("debtor_accounts.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    insurance_ref: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[AgreementStatus] = mapped_column(enum_column(AgreementStatus))
    #: Caps; ``None`` means no cap of that kind.
    cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    cap_hours: Mapped[Decimal | None] = mapped_column(Hours)
    yearly_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    yearly_cap_hours: Mapped[Decimal | None] = mapped_column(Hours)
    daily_max_hours: Mapped[Decimal] = mapped_column(Hours)
    #: Days a resident has to contest a decision on their hours.
    dispute_days: Mapped[int] = mapped_column(default=14)
    signed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()
    household: Mapped[Household] = relationship()
    debtor_account: Mapped[DebtorAccount] = relationship()
    supervisor: Mapped[Person] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        secondary="vol_agreement_activities", order_by="Activity.code"
    )


class AgreementActivity(Base):
    __tablename__ = "vol_agreement_activities"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("vol_agreements.id"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("vol_activities.id"), primary_key=True)


class HourStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    CREDITED = "credited"
    REJECTED = "rejected"
    DISPUTED = "disputed"


class SubmitterRole(enum.StrEnum):
    RESIDENT = "resident"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"


class HourEntry(Base):
    """Hours of one activity on one day under one agreement, and what became of them."""

    __tablename__ = "vol_hour_entries"
    __table_args__ = (Index("ix_vol_hour_entries_agreement_day", "agreement_id", "work_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("vol_agreements.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("vol_activities.id"))
    work_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Hours)
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[HourStatus] = mapped_column(enum_column(HourStatus))
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_role: Mapped[SubmitterRole] = mapped_column(enum_column(SubmitterRole))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Set at verification: the rate in force on ``work_date`` and what the caps allow.
    rate_cents: Mapped[int | None] = mapped_column(BigInteger)
    creditable_hours: Mapped[Decimal | None] = mapped_column(Hours)
    creditable_cents: Mapped[int | None] = mapped_column(BigInteger)
    #: The caps that kept some hours from being creditable, named; ``None`` when none did.
    cap_note: Mapped[str | None] = mapped_column(String(300))
    #: Who decided (verified or rejected) and when: a dispute goes to someone else.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(500))
    #: Set while credited: the ledger entry and the amount it credited.
    credit_entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_entries.id"))
    credited_cents: Mapped[int | None] = mapped_column(BigInteger)

    agreement: Mapped[Agreement] = relationship()
    activity: Mapped[Activity] = relationship()
    decided_by: Mapped[Person | None] = relationship()


class HourEvent(Base):
    """Every transition of an hour entry or an agreement: who moved it, when, from what to what."""

    __tablename__ = "vol_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("vol_agreements.id"), index=True)
    hour_entry_id: Mapped[int | None] = mapped_column(ForeignKey("vol_hour_entries.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(500))
