"""The independent check: hledger, a separate accounting tool, recomputes every balance.

A ledger with several books, hundreds of entries and reversals is exported as an hledger journal;
hledger parses it (refusing any transaction that does not balance), and its balance of every
account must equal ours to the cent.

hledger is required in CI: there a missing binary fails these tests. Elsewhere they are skipped.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import queries
from ledger.errors import NotFound
from ledger.export import write_hledger
from ledger.models import Account, Book, JournalEntry, Posting
from ledger.money import format_amount, from_cents
from ledger.posting import EntryDraft, Leg, lock_book, post, post_many, reverse
from tests import factories
from tests.ledger.support import ACTOR

ACCOUNT_CODES = ("BANK", "DEBTOR", "INC.RENT", "INC.FEES", "EXP.REPAIRS", "SUSPENSE", "UNUSED")
ACTIVE_CODES = ACCOUNT_CODES[:-1]
START = date(2023, 1, 1)
ZERO = Decimal("0.00")
#: Memos that a careless export would break: a comment marker, a lone code, non-ASCII, a huge one.
AWKWARD_MEMOS = (
    "Rent; January",
    "(42) Refund",
    "Caffè ☕ e brioche",
    "Spese | condominio",
    "x" * 400,
)


# --- running hledger --------------------------------------------------------------------------


def require_hledger() -> str:
    """The hledger binary; skipped when absent, except in CI where its absence is a failure."""
    path = shutil.which("hledger")
    if path is not None:
        return path
    if "CI" in os.environ:
        pytest.fail(
            "hledger is not installed, but CI is set: the independent check of the ledger must "
            "run in CI. Install hledger (e.g. apt-get install hledger)."
        )
    pytest.skip("hledger is not installed; the independent export check runs only where it is")


def run_hledger(binary: str, journal: Path, *args: str) -> list[dict[str, str]]:
    completed = subprocess.run(
        [binary, "-f", str(journal), *args, "-O", "csv"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, f"hledger refused the journal:\n{completed.stderr}"
    return list(csv.DictReader(io.StringIO(completed.stdout)))


def parse_amount(text: str, currency: str = "EUR") -> Decimal:
    """hledger's rendering of one amount: ``"-1234.50 EUR"``, or a bare ``"0"`` for zero."""
    if text == "0":
        return ZERO
    number, commodity = text.split(" ")
    assert commodity == currency, f"unexpected commodity in {text!r}"
    assert number == format_amount(int(Decimal(number) * 100)), f"not plain cents: {text!r}"
    return Decimal(number)


def hledger_balances(binary: str, journal: Path, *args: str) -> dict[str, Decimal]:
    rows = run_hledger(binary, journal, "balance", "--flat", "-E", "-N", *args)
    return {row["account"]: parse_amount(row["balance"]) for row in rows}


def export(session: Session, path: Path, book_code: str | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        lines = write_hledger(session, out, book_code=book_code)
    assert lines == len(path.read_text(encoding="utf-8").splitlines())
    return path


# --- building a ledger worth checking ---------------------------------------------------------


@dataclass
class Built:
    books: list[Book]
    accounts: dict[str, Account]  # "BOOK:ACCOUNT" -> account
    entries: int
    reversals: int


def random_legs(rng: random.Random, accounts: dict[str, Account]) -> list[Leg]:
    codes = rng.sample(ACTIVE_CODES, rng.randint(2, 4))
    magnitude = rng.choice([100, 10_000, 1_000_000, 100_000_000, 10_000_000_000])
    amounts = [rng.randint(1, magnitude) * rng.choice([-1, 1]) for _ in codes[1:]]
    if sum(amounts) == 0:
        amounts[0] += 2 if amounts[0] == -1 else 1
    amounts.insert(0, -sum(amounts))
    return [
        Leg(accounts[code], from_cents(cents)) for code, cents in zip(codes, amounts, strict=True)
    ]


def random_day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randint(0, 364))


def build_ledger(session: Session, seed: int, books: int = 3, per_book: int = 110) -> Built:
    """Books with ``per_book`` entries each (most through post_many) and reversals across books."""
    rng = random.Random(seed)
    built = Built([], {}, 0, 0)
    posted: list[JournalEntry] = []
    for _ in range(books):
        book, accounts = factories.book(session, *ACCOUNT_CODES)
        built.books.append(book)
        built.accounts.update({f"{book.code}:{code}": a for code, a in accounts.items()})
        drafts = [
            EntryDraft(
                random_day(rng), random_legs(rng, accounts), rng.choice((*AWKWARD_MEMOS, "Charge"))
            )
            for _ in range(per_book - 10)
        ]
        half = len(drafts) // 2
        for batch in (drafts[:half], drafts[half:]):
            result = post_many(session, book, batch, actor=ACTOR)
            posted.extend(session.get_one(JournalEntry, i) for i in result.entry_ids)
        for _ in range(10):
            posted.append(
                post(
                    session,
                    book,
                    random_day(rng),
                    random_legs(rng, accounts),
                    memo="One",
                    actor=ACTOR,
                )
            )
        built.entries += per_book

    for original in rng.sample(posted, len(posted) // 8):
        later = original.entry_date + timedelta(days=rng.choice([0, 0, 3, 40]))
        reverse(session, original, reason="correction; see ticket", actor=ACTOR, on=later)
        built.reversals += 1
    reversed_books = session.scalars(
        select(JournalEntry.book_id).where(JournalEntry.reverses_id.is_not(None)).distinct()
    )
    assert set(reversed_books) == {b.id for b in built.books}, "reversals in every book"
    return built


def our_postings(session: Session, books: list[Book]) -> list[tuple[str, str, str, str]]:
    """(entry id, date, account, amount) of every posting of the books, as hledger prints them."""
    rows = session.execute(
        select(Posting.entry_id, Posting.entry_date, Book.code, Account.code, Posting.amount_cents)
        .join(Account, Account.id == Posting.account_id)
        .join(Book, Book.id == Posting.book_id)
        .where(Posting.book_id.in_([b.id for b in books]))
    )
    return sorted((str(e), d.isoformat(), f"{b}:{a}", format_amount(c)) for e, d, b, a, c in rows)


# --- the checks -------------------------------------------------------------------------------


@pytest.mark.hledger
def test_hledger_recomputes_every_balance_of_every_book_to_the_cent(
    session: Session, tmp_path: Path
) -> None:
    hledger = require_hledger()
    built = build_ledger(session, seed=20240115)
    assert built.entries + built.reversals > 300
    journal = export(session, tmp_path / "all.journal")

    theirs = hledger_balances(hledger, journal)

    # hledger lists every account with postings (with -E even when they net to zero), no other.
    with_postings = {
        f"{book_code}:{account_code}"
        for book_code, account_code in session.execute(
            select(Book.code, Account.code)
            .join(Account, Account.book_id == Book.id)
            .where(Account.id.in_(select(Posting.account_id)))
        )
    }
    assert set(theirs) == with_postings
    assert not any(name.endswith(":UNUSED") for name in theirs)
    for name, account in built.accounts.items():
        assert theirs.get(name, ZERO) == queries.balance(session, account), name
    for book in built.books:
        book_sum = sum((v for k, v in theirs.items() if k.startswith(f"{book.code}:")), ZERO)
        assert book_sum == ZERO == queries.book_total(session, book)


@pytest.mark.hledger
def test_hledger_reads_back_every_posting_and_reversal_link(
    session: Session, tmp_path: Path
) -> None:
    hledger = require_hledger()
    built = build_ledger(session, seed=7, books=2, per_book=60)
    journal = export(session, tmp_path / "all.journal")

    printed = run_hledger(hledger, journal, "print")

    theirs = sorted((r["code"], r["date"], r["account"], r["amount"]) for r in printed)
    assert theirs == our_postings(session, built.books)
    entries = {e.id: e for e in session.scalars(select(JournalEntry))}
    for row in printed:
        entry = entries[int(row["code"])]
        tags = f"entry:{entry.id}"
        if entry.reverses_id is not None:
            tags += f", reverses:{entry.reverses_id}"
        assert row["comment"] == tags
        assert row["description"] == " ".join(entry.memo.replace(";", ",").split())
        assert row["commodity"] == "EUR"


@pytest.mark.hledger
def test_hledger_balances_as_of_a_date_match_ours(session: Session, tmp_path: Path) -> None:
    hledger = require_hledger()
    built = build_ledger(session, seed=99, books=2, per_book=60)
    journal = export(session, tmp_path / "all.journal")
    for as_of in (date(2023, 3, 31), date(2023, 6, 30), date(2023, 12, 31)):
        # hledger's end date is exclusive; ours is inclusive.
        theirs = hledger_balances(hledger, journal, "-e", (as_of + timedelta(days=1)).isoformat())
        for name, account in built.accounts.items():
            assert theirs.get(name, ZERO) == queries.balance(session, account, as_of=as_of), name


@pytest.mark.hledger
def test_exporting_one_book_leaves_the_others_out(session: Session, tmp_path: Path) -> None:
    hledger = require_hledger()
    built = build_ledger(session, seed=3, books=3, per_book=30)
    chosen = built.books[1]
    lock_book(session, chosen, date(2023, 6, 30), actor=ACTOR)
    journal = export(session, tmp_path / "one.journal", book_code=chosen.code)

    theirs = hledger_balances(hledger, journal)

    prefix = f"{chosen.code}:"
    assert theirs, "the chosen book has postings"
    assert all(name.startswith(prefix) for name in theirs)
    for name, account in built.accounts.items():
        if name.startswith(prefix):
            assert theirs.get(name, ZERO) == queries.balance(session, account), name
    text = journal.read_text(encoding="utf-8")
    for other in built.books:
        if other is not chosen:
            assert f"{other.code}:" not in text
    printed = run_hledger(hledger, journal, "print")
    assert {r["code"] for r in printed} == {
        str(i)
        for i in session.scalars(select(JournalEntry.id).where(JournalEntry.book_id == chosen.id))
    }


def test_exporting_an_unknown_book_is_refused(session: Session) -> None:
    factories.book(session, "BANK")
    out = io.StringIO()
    with pytest.raises(NotFound, match=re.escape("Book NO-SUCH-BOOK does not exist.")):
        write_hledger(session, out, book_code="NO-SUCH-BOOK")
    assert out.getvalue() == ""


def test_an_empty_book_exports_as_a_journal_without_transactions(session: Session) -> None:
    book, _ = factories.book(session, "BANK", "DEBTOR")
    out = io.StringIO()
    write_hledger(session, out, book_code=book.code)
    lines = out.getvalue().splitlines()
    assert f"account {book.code}:BANK" in lines
    assert f"account {book.code}:DEBTOR" in lines
    assert not any(line.startswith("    ") for line in lines)


# --- when hledger is missing ------------------------------------------------------------------


def test_without_hledger_the_check_is_skipped_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="hledger is not installed"):
        require_hledger()


@pytest.mark.parametrize("ci", ["true", "1"])
def test_without_hledger_the_check_fails_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_hledger()
