"""Read side of the ledger: balances, statements and trial balances, all derived from postings.

Statements page by keyset on ``(entry_date, posting id)`` rather than OFFSET, so page 500 costs
what page 1 costs; the running balance is carried by summing what precedes the page on the same
index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from ledger.errors import InvalidCursor
from ledger.models import Account, AccountKind, Book, JournalEntry, Posting
from ledger.money import from_cents


def balance(session: Session, account: Account | int, as_of: date | None = None) -> Decimal:
    """Debit-positive balance of one account, including everything dated on or before ``as_of``."""
    account_id = account if isinstance(account, int) else account.id
    query = select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
        Posting.account_id == account_id
    )
    if as_of is not None:
        query = query.where(Posting.entry_date <= as_of)
    return from_cents(session.scalar(query))


def balances(
    session: Session, account_ids: list[int], as_of: date | None = None
) -> dict[int, Decimal]:
    """Balances of many accounts in one query; accounts without postings get 0.00."""
    query = (
        select(Posting.account_id, func.sum(Posting.amount_cents))
        .where(Posting.account_id.in_(account_ids))
        .group_by(Posting.account_id)
    )
    if as_of is not None:
        query = query.where(Posting.entry_date <= as_of)
    found: dict[int, int] = {row[0]: row[1] for row in session.execute(query)}
    return {account_id: from_cents(found.get(account_id, 0)) for account_id in account_ids}


@dataclass(frozen=True)
class StatementLine:
    posting_id: int
    entry_id: int
    entry_date: date
    memo: str
    reference: str | None
    amount: Decimal
    #: The account's balance right after this line.
    balance: Decimal
    reverses_id: int | None


@dataclass(frozen=True)
class StatementPage:
    account_id: int
    lines: list[StatementLine]
    #: Balance before the first line of this page.
    opening_balance: Decimal
    #: Balance after the last line of this page (equal to the opening when the page is empty).
    closing_balance: Decimal
    #: Pass as ``after`` to get the next page; ``None`` on the last page.
    next_cursor: str | None


def cursor_of(entry_date: date, posting_id: int) -> str:
    """The keyset cursor of a statement line: ``YYYY-MM-DD.<posting id>``."""
    return f"{entry_date.isoformat()}.{posting_id}"


def parse_cursor(cursor: str) -> tuple[date, int]:
    """The day and posting id of a cursor; a malformed one is refused (InvalidCursor)."""
    try:
        day, posting_id = cursor.split(".")
        return date.fromisoformat(day), int(posting_id)
    except (ValueError, AttributeError):
        raise InvalidCursor(cursor=cursor) from None


def statement(
    session: Session,
    account: Account | int,
    *,
    start: date | None = None,
    end: date | None = None,
    after: str | None = None,
    limit: int = 50,
) -> StatementPage:
    """One page of an account's statement with running balance, oldest first.

    ``start`` and ``end`` bound the period (inclusive); the running balance always includes
    everything before the period, so the balance on a line is the account's true balance then.
    """
    account_id = account if isinstance(account, int) else account.id
    limit = max(1, min(limit, 1000))
    if after is not None:
        cursor_date, cursor_id = parse_cursor(after)
        # Row-value comparisons, so both databases seek straight into the index.
        position = tuple_(Posting.entry_date, Posting.id)
        before_page = position <= tuple_(literal(cursor_date), literal(cursor_id))
        on_page = position > tuple_(literal(cursor_date), literal(cursor_id))
    elif start is not None:
        before_page = Posting.entry_date < start
        on_page = Posting.entry_date >= start
    else:
        before_page = None
        on_page = None

    opening_cents = 0
    if before_page is not None:
        opening_cents = session.scalar(
            select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
                Posting.account_id == account_id, before_page
            )
        )

    query = (
        select(
            Posting.id,
            Posting.entry_id,
            Posting.entry_date,
            Posting.amount_cents,
            Posting.memo,
            JournalEntry.memo,
            JournalEntry.reference,
            JournalEntry.reverses_id,
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.account_id == account_id)
        .order_by(Posting.entry_date, Posting.id)
        .limit(limit + 1)
    )
    if on_page is not None:
        query = query.where(on_page)
    if start is not None:
        query = query.where(Posting.entry_date >= start)
    if end is not None:
        query = query.where(Posting.entry_date <= end)
    rows = session.execute(query).all()

    lines: list[StatementLine] = []
    running = opening_cents
    for row in rows[:limit]:
        running += row[3]
        lines.append(
            StatementLine(
                posting_id=row[0],
                entry_id=row[1],
                entry_date=row[2],
                memo=row[4] or row[5],
                reference=row[6],
                amount=from_cents(row[3]),
                balance=from_cents(running),
                reverses_id=row[7],
            )
        )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = cursor_of(last[2], last[0])
    return StatementPage(
        account_id=account_id,
        lines=lines,
        opening_balance=from_cents(opening_cents),
        closing_balance=from_cents(running),
        next_cursor=next_cursor,
    )


@dataclass(frozen=True)
class TrialBalanceRow:
    account_id: int
    code: str
    name: str
    kind: AccountKind
    debits: Decimal
    credits: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debits - self.credits


@dataclass(frozen=True)
class TrialBalance:
    book_code: str
    as_of: date | None
    rows: list[TrialBalanceRow]

    @property
    def total_debits(self) -> Decimal:
        return sum((r.debits for r in self.rows), Decimal("0.00"))

    @property
    def total_credits(self) -> Decimal:
        return sum((r.credits for r in self.rows), Decimal("0.00"))


def trial_balance(session: Session, book: Book, as_of: date | None = None) -> TrialBalance:
    """Debits and credits per account of a book; in a sound ledger the two totals are equal.

    Postings are summed per account first (from the covering index) and only then joined to the
    accounts, which is several times faster than grouping the join.
    """
    debit = func.sum(Posting.amount_cents).filter(Posting.amount_cents > 0)
    credit = -func.sum(Posting.amount_cents).filter(Posting.amount_cents < 0)
    sums = (
        select(Posting.account_id, debit.label("debits"), credit.label("credits"))
        .where(Posting.account_id.in_(select(Account.id).where(Account.book_id == book.id)))
        .group_by(Posting.account_id)
    )
    if as_of is not None:
        sums = sums.where(Posting.entry_date <= as_of)
    sums = sums.subquery()
    query = (
        select(
            Account.id,
            Account.code,
            Account.name,
            Account.kind,
            func.coalesce(sums.c.debits, 0),
            func.coalesce(sums.c.credits, 0),
        )
        .outerjoin(sums, sums.c.account_id == Account.id)
        .where(Account.book_id == book.id)
        .order_by(Account.code)
    )
    rows = [
        TrialBalanceRow(a_id, code, name, kind, from_cents(d), from_cents(c))
        for a_id, code, name, kind, d, c in session.execute(query)
    ]
    return TrialBalance(book.code, as_of, rows)


def book_total(session: Session, book: Book) -> Decimal:
    """Sum of every posting of a book: zero unless the ledger is broken."""
    return from_cents(
        session.scalar(
            select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
                Posting.book_id == book.id
            )
        )
    )
