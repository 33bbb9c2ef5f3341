"""Tables of the ledger: plain records, no behaviour beyond what SQLAlchemy maps.

Postings carry a copy of their entry's date and book. The copy can never drift because neither
table is ever updated (see :mod:`ledger.guard`), and it lets a balance be answered from one index
on ``(account_id, entry_date, id, amount_cents)`` without touching the entries table.
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
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.base import Base, BigId, enum_column

__all__ = [
    "Account",
    "AccountKind",
    "Allocation",
    "AllocationKind",
    "Base",
    "Book",
    "JournalEntry",
    "LockEvent",
    "OpenItem",
    "OperationKey",
    "Posting",
]


class AccountKind(enum.StrEnum):
    """The five classic kinds; a positive balance is a debit balance whatever the kind."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Book(Base):
    """One set of balanced accounts per creditor (a condominium fund, a housing body's rent)."""

    __tablename__ = "ledger_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: Nothing may be posted or reversed on or before this date.
    lock_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    accounts: Mapped[list[Account]] = relationship(back_populates="book")

    def __repr__(self) -> str:
        return f"<Book {self.code}>"


class Account(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("book_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind, 16))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: Open-item account (a debtor's): each posting is an item that credits settle, see
    #: :mod:`ledger.openitems`. Fixed when the account is opened.
    tracks_items: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    book: Mapped[Book] = relationship(back_populates="accounts")

    @property
    def qualified_code(self) -> str:
        return f"{self.book.code}:{self.code}"

    def __repr__(self) -> str:
        return f"<Account {self.code}>"


class OperationKey(Base):
    """One row per business operation that may be repeated from outside.

    A repeat with the same key and the same data returns the first result; with other data it is
    refused. ``fingerprint`` is a hash of the operation's data, ``result`` what it produced.
    """

    __tablename__ = "operation_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    operation: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[Any | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))


class JournalEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_book_date", "book_id", "entry_date", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    entry_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500))
    #: Free reference from the caller (a charge run, a bank line id, a payment number).
    reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    #: Set on a reversing entry: the entry it cancels. Unique, so an entry is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ledger_entries.id"), unique=True
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    operation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("operation_keys.id"), index=True
    )

    book: Mapped[Book] = relationship()
    postings: Mapped[list[Posting]] = relationship(back_populates="entry", order_by="Posting.id")
    reverses: Mapped[JournalEntry | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<JournalEntry #{self.id} {self.entry_date}>"


class Posting(Base):
    __tablename__ = "ledger_postings"
    #: ``amount_cents`` last makes the index covering: balances, running balances and trial
    #: balances are summed from the index alone.
    __table_args__ = (
        Index("ix_ledger_postings_account_date", "account_id", "entry_date", "id", "amount_cents"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    #: Copies of the entry's book and date (never updated, so they never drift).
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    entry_date: Mapped[date] = mapped_column(Date)
    #: Positive is a debit, negative a credit.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str | None] = mapped_column(String(200))

    entry: Mapped[JournalEntry] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship()


class LockEvent(Base):
    """History of a book's lock date: who moved it, when, from what to what."""

    __tablename__ = "ledger_lock_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"), index=True)
    previous_lock_date: Mapped[date | None] = mapped_column(Date)
    lock_date: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OpenItem(Base):
    """A posting of an open-item account and how much of it is still unsettled.

    The one mutable ledger table: ``open_cents`` and ``last_allocated`` follow the append-only
    :class:`Allocation` rows and can always be recomputed from them. ``open_cents`` is positive for
    an unpaid charge and negative for unused credit; ``last_allocated`` is the latest effective
    date of any allocation touching the item, which lets a report as of a past date skip every
    item that was already settled by then.
    """

    __tablename__ = "ledger_open_items"
    __table_args__ = (
        # Covering: a report reads the unsettled items from this small index alone.
        Index(
            "ix_ledger_open_items_unsettled",
            "account_id",
            "item_date",
            "posting_id",
            "amount_cents",
            "open_cents",
            "last_allocated",
            postgresql_where=text("open_cents <> 0"),
            sqlite_where=text("open_cents <> 0"),
        ),
        Index(
            "ix_ledger_open_items_credit",
            "book_id",
            "account_id",
            postgresql_where=text("open_cents < 0"),
            sqlite_where=text("open_cents < 0"),
        ),
        Index("ix_ledger_open_items_last_allocated", "last_allocated"),
    )

    posting_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ledger_postings.id"), primary_key=True, autoincrement=False
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("ledger_books.id"))
    #: The posting's date: for a charge, its due date.
    item_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    open_cents: Mapped[int] = mapped_column(BigInteger)
    last_allocated: Mapped[date | None] = mapped_column(Date)


class AllocationKind(enum.StrEnum):
    DESIGNATED = "designated"  # the payer named the charge (art. 1193 c.c., first paragraph)
    OLDEST_FIRST = "oldest_first"  # no designation: the oldest due charge first
    REVERSAL = "reversal"  # an entry and its reversal settle each other
    RELEASE = "release"  # undoes an earlier allocation because one side was reversed


class Allocation(Base):
    """How much of a credit settled a charge, from which date, and why. Append-only.

    ``amount_cents`` is positive when a credit settles a charge and negative when a reversal
    releases an earlier allocation, so the settled part of a charge as of any date is the sum of
    its rows with ``effective_date`` up to that date.
    """

    __tablename__ = "ledger_allocations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    debit_posting_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ledger_postings.id"), index=True
    )
    credit_posting_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ledger_postings.id"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: Never before either posting's date, so both sides exist on any date the row counts.
    effective_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[AllocationKind] = mapped_column(enum_column(AllocationKind, 16))
    #: The entry whose posting caused this allocation.
    entry_id: Mapped[int] = mapped_column(BigId, ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
