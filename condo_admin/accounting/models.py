"""How the condominium domain hangs on the ledger, which knows nothing of it.

A ledger book belongs to a creditor (a building's condominium fund, or a housing body's rent); a
debtor account is one household's occupancy of one unit towards one creditor. When a household
moves out its debt stays on that account; the incoming household gets a new one that starts at zero.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from condo_admin.registry.models import Building, Household, HousingBody, Occupancy
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

    account: Mapped[Account] = relationship()
    book: Mapped[Book] = relationship()
    household: Mapped[Household] = relationship()
    occupancy: Mapped[Occupancy] = relationship()
