"""Registry tables. History is kept: occupancies and memberships end, they are not deleted."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.base import Base, enum_column


class BodyKind(enum.StrEnum):
    PUBLIC = "public"  # ALER and other public housing companies
    MUNICIPALITY = "municipality"
    COOPERATIVE = "cooperative"
    PRIVATE = "private"


class UnitKind(enum.StrEnum):
    FLAT = "flat"
    SHOP = "shop"
    GARAGE = "garage"
    STORAGE = "storage"
    OTHER = "other"


class UnitStatus(enum.StrEnum):
    OCCUPIED = "occupied"
    VACANT = "vacant"
    UNDER_RENOVATION = "under_renovation"


class MemberRole(enum.StrEnum):
    HOLDER = "holder"  # the account holder (intestatario)
    MEMBER = "member"


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HousingBody(Base):
    __tablename__ = "housing_bodies"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    #: Partita IVA / codice fiscale numerico of the body, validated when given.
    vat_number: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()
    staircases: Mapped[list[Staircase]] = relationship(
        back_populates="building", order_by="Staircase.code"
    )
    units: Mapped[list[Unit]] = relationship(back_populates="building", order_by="Unit.code")


class Staircase(Base):
    __tablename__ = "staircases"
    __table_args__ = (UniqueConstraint("building_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))

    building: Mapped[Building] = relationship(back_populates="staircases")


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("building_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    staircase_id: Mapped[int | None] = mapped_column(ForeignKey("staircases.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    status: Mapped[UnitStatus] = mapped_column(enum_column(UnitStatus))
    owner_body_id: Mapped[int | None] = mapped_column(ForeignKey("housing_bodies.id"), index=True)
    floor: Mapped[str | None] = mapped_column(String(8))
    area_sqm: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))

    building: Mapped[Building] = relationship(back_populates="units")
    staircase: Mapped[Staircase | None] = relationship()
    owner_body: Mapped[HousingBody | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.building.code}/{self.code}"


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("agency_id", "tax_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    #: Codice fiscale; optional only for minors.
    tax_code: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: Language for letters and the portal: ``it`` or ``en``.
    language: Mapped[str] = mapped_column(String(5), default="it")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="it")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", order_by="HouseholdMember.start_date"
    )
    occupancies: Mapped[list[Occupancy]] = relationship(
        back_populates="household", order_by="Occupancy.start_date"
    )


class HouseholdMember(Base):
    __tablename__ = "household_members"
    __table_args__ = (Index("ix_household_members_person", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    household: Mapped[Household] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class Occupancy(Base):
    """A household living in a unit from ``start_date`` to ``end_date`` (inclusive, None: open)."""

    __tablename__ = "occupancies"
    __table_args__ = (Index("ix_occupancies_unit_dates", "unit_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    household: Mapped[Household] = relationship(back_populates="occupancies")

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)
