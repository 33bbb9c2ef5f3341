"""The ledger as a plain-text hledger journal, so an independent tool can recompute every balance.

Account names are ``BOOK:ACCOUNT`` codes (codes are restricted to characters hledger accepts in
names). Each transaction carries its entry id as the code in parentheses, and tags linking
reversals to what they reverse. Entries are streamed, so memory stays flat as the ledger grows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import NotFound
from ledger.models import Account, Book, JournalEntry, Posting
from ledger.money import format_amount


def _clean(text: str) -> str:
    # ';' starts a comment in hledger and newlines end the transaction line.
    return " ".join(text.replace(";", ",").split())


def _account_names(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(Account.id, Book.code, Account.code).join(Book, Book.id == Account.book_id)
    )
    return {account_id: f"{book}:{code}" for account_id, book, code in rows}


def journal_lines(session: Session, book_code: str | None = None) -> Iterator[str]:
    books = session.scalars(
        select(Book)
        .order_by(Book.code)
        .where(*([Book.code == book_code] if book_code is not None else []))
    ).all()
    if book_code is not None and not books:
        raise NotFound(what="Book", ref=book_code)
    names = _account_names(session)
    yield "; condo-admin ledger export — amounts in the book's currency, debits positive"
    for currency in sorted({b.currency for b in books}):
        yield f"commodity 1000.00 {currency}"
    for book in books:
        yield ""
        yield f"; book {book.code}: {_clean(book.name)}"
        for name in sorted(names.values()):
            if name.startswith(f"{book.code}:"):
                yield f"account {name}"
        postings = session.execute(
            select(
                JournalEntry.id,
                JournalEntry.entry_date,
                JournalEntry.memo,
                JournalEntry.reverses_id,
                Posting.account_id,
                Posting.amount_cents,
            )
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .where(JournalEntry.book_id == book.id)
            .order_by(JournalEntry.entry_date, JournalEntry.id, Posting.id)
            .execution_options(yield_per=5000)
        )
        current = None
        for entry_id, entry_date, memo, reverses_id, account_id, cents in postings:
            if entry_id != current:
                current = entry_id
                yield ""
                tags = f"entry:{entry_id}"
                if reverses_id is not None:
                    tags += f", reverses:{reverses_id}"
                yield f"{entry_date.isoformat()} ({entry_id}) {_clean(memo)}  ; {tags}"
            yield f"    {names[account_id]}  {format_amount(cents)} {book.currency}"


def write_hledger(session: Session, out: TextIO, book_code: str | None = None) -> int:
    """Write the journal to ``out``; returns the number of lines written."""
    count = 0
    for line in journal_lines(session, book_code):
        out.write(line + "\n")
        count += 1
    return count
