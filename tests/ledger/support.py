"""Helpers shared by the ledger tests: fixed dates, common legs and row counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import Account, Book, JournalEntry, LockEvent, OperationKey, Posting
from ledger.posting import Leg, post

ACTOR = "test"
#: The day most entries are posted on; accounts of ``factories.book`` open on 2020-01-01.
DAY = date(2024, 1, 15)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def rent(accounts: dict[str, Account], amount: Decimal | int | str = "100.00") -> list[Leg]:
    """A rent charge: the debtor owes ``amount``, the rent income earns it."""
    value = Decimal(amount) if isinstance(amount, str) else amount
    return [Leg(accounts["DEBTOR"], value), Leg(accounts["INC.RENT"], -value)]


def post_rent(
    session: Session,
    book: Book,
    accounts: dict[str, Account],
    on: date = DAY,
    amount: Decimal | int | str = "100.00",
    **kwargs: object,
) -> JournalEntry:
    kwargs.setdefault("memo", "Rent")
    kwargs.setdefault("actor", ACTOR)
    return post(session, book, on, rent(accounts, amount), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RowCounts:
    """How many rows the tables that a ledger operation may write hold."""

    entries: int
    postings: int
    operation_keys: int
    lock_events: int


def row_counts(session: Session) -> RowCounts:
    def count(model: type) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return RowCounts(count(JournalEntry), count(Posting), count(OperationKey), count(LockEvent))


def cents_of(entry: JournalEntry) -> list[tuple[int, int]]:
    """An entry's postings as ``(account id, cents)`` in posting order."""
    return [(p.account_id, p.amount_cents) for p in entry.postings]
