"""Whatever valid sequence of posts and reversals happens, the books stay sound.

Each example plays a random history against a fresh book inside a savepoint that is rolled back
afterwards, and keeps its own model of what every account's balance must be. The ledger must agree
with the model, every book must sum to zero, trial balances must balance, and each account's
statement, walked page by page, must end on the account's balance.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from ledger import queries
from ledger.models import Account, Book, JournalEntry
from ledger.money import from_cents
from ledger.posting import EntryDraft, Leg, post, post_many, reverse
from tests import factories
from tests.ledger.support import ACTOR, days

START = date(2024, 1, 1)
ACCOUNT_CODES = ("BANK", "DEBTOR", "INC.RENT", "SUSPENSE")
MAX_LEG_CENTS = 5_000_000
ZERO = Decimal("0.00")

# --- strategies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostOp:
    offset: int
    legs: tuple[tuple[int, int], ...]  # (account index, cents)


@dataclass(frozen=True)
class BatchOp:
    posts: tuple[PostOp, ...]


@dataclass(frozen=True)
class ReverseOp:
    pick: int
    delay: int


@st.composite
def balanced_legs(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """2 to 5 non-zero legs over the accounts, summing to zero."""
    count = draw(st.integers(2, 5))
    amounts = draw(
        st.lists(
            st.integers(-MAX_LEG_CENTS, MAX_LEG_CENTS).filter(bool),
            min_size=count - 1,
            max_size=count - 1,
        )
    )
    if sum(amounts) == 0:
        amounts[0] += 2 if amounts[0] == -1 else 1
    amounts.append(-sum(amounts))
    accounts = draw(
        st.lists(st.integers(0, len(ACCOUNT_CODES) - 1), min_size=count, max_size=count)
    )
    return tuple(zip(accounts, amounts, strict=True))


post_ops = st.builds(PostOp, offset=st.integers(0, 90), legs=balanced_legs())
operation = st.one_of(
    post_ops,
    st.builds(BatchOp, posts=st.lists(post_ops, min_size=1, max_size=3).map(tuple)),
    st.builds(ReverseOp, pick=st.integers(0, 10**6), delay=st.integers(0, 20)),
)
Operation = PostOp | BatchOp | ReverseOp

# --- the model --------------------------------------------------------------------------------


@dataclass
class History:
    """What the test believes the ledger holds."""

    book: Book
    accounts: list[Account]
    expected: Counter[int] = field(default_factory=Counter)  # account id -> cents
    postings: Counter[int] = field(default_factory=Counter)  # account id -> posting count
    reversible: list[JournalEntry] = field(default_factory=list)
    moves: list[tuple[date, int, int]] = field(default_factory=list)  # (date, account id, cents)

    def record(self, entry: JournalEntry, intended: list[tuple[int, int]]) -> None:
        """Check the entry holds exactly the intended (account id, cents) lines, then book them."""
        assert [(p.account_id, p.amount_cents) for p in entry.postings] == intended
        for account_id, cents in intended:
            self.expected[account_id] += cents
            self.postings[account_id] += 1
            self.moves.append((entry.entry_date, account_id, cents))

    def expected_as_of(self, as_of: date) -> Counter[int]:
        totals: Counter[int] = Counter()
        for on, account_id, cents in self.moves:
            if on <= as_of:
                totals[account_id] += cents
        return totals

    def lines(self, op: PostOp) -> list[tuple[int, int]]:
        return [(self.accounts[i].id, cents) for i, cents in op.legs]

    def legs(self, op: PostOp) -> list[Leg]:
        return [Leg(self.accounts[i], from_cents(cents)) for i, cents in op.legs]

    def apply(self, session: Session, op: Operation) -> None:
        if isinstance(op, PostOp):
            entry = post(
                session, self.book, START + days(op.offset), self.legs(op), memo="p", actor=ACTOR
            )
            self.record(entry, self.lines(op))
            self.reversible.append(entry)
        elif isinstance(op, BatchOp):
            drafts = [EntryDraft(START + days(p.offset), self.legs(p), "b") for p in op.posts]
            result = post_many(session, self.book, drafts, actor=ACTOR)
            for entry_id, draft_op in zip(result.entry_ids, op.posts, strict=True):
                entry = session.get_one(JournalEntry, entry_id)
                assert entry.entry_date == START + days(draft_op.offset)
                self.record(entry, self.lines(draft_op))
                self.reversible.append(entry)
        elif self.reversible:
            original = self.reversible.pop(op.pick % len(self.reversible))
            on = original.entry_date + days(op.delay)
            reversal = reverse(session, original, reason="r", actor=ACTOR, on=on)
            assert (reversal.reverses_id, reversal.entry_date) == (original.id, on)
            self.record(reversal, [(p.account_id, -p.amount_cents) for p in original.postings])


def walk_statement(session: Session, account: Account, size: int) -> tuple[Decimal, int]:
    """Walk the statement page by page; check each page; return closing balance and line count."""
    cursor: str | None = None
    previous_key = None
    running = ZERO
    count = 0
    while True:
        page = queries.statement(session, account, after=cursor, limit=size)
        assert page.opening_balance == running
        assert len(page.lines) <= size
        for line in page.lines:
            key = (line.entry_date, line.posting_id)
            assert previous_key is None or key > previous_key
            previous_key = key
            running += line.amount
            assert line.balance == running
        count += len(page.lines)
        assert page.closing_balance == running
        if page.next_cursor is None:
            return running, count
        assert len(page.lines) == size
        cursor = page.next_cursor


def check_sound(session: Session, history: History, page_size: int) -> None:
    book = history.book
    assert queries.book_total(session, book) == ZERO
    trial = queries.trial_balance(session, book)
    assert trial.total_debits == trial.total_credits
    assert {row.account_id for row in trial.rows} == {a.id for a in history.accounts}
    for account in history.accounts:
        balance = queries.balance(session, account)
        assert balance == from_cents(history.expected[account.id])
        closing, lines = walk_statement(session, account, page_size)
        assert closing == balance
        assert lines == history.postings[account.id]
    for row in trial.rows:
        assert row.balance == from_cents(history.expected[row.account_id])


# --- the property -----------------------------------------------------------------------------

#: Each example is isolated in a savepoint, so the function-scoped ``session`` is safe to share.
#: One minimal failure is enough: shrinking several distinct ones against a database takes minutes.
SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    report_multiple_bugs=False,
)


@SETTINGS
@given(
    ops=st.lists(operation, min_size=1, max_size=25),
    page_size=st.integers(1, 7),
    as_of_pick=st.integers(0, 10**6),
)
def test_any_valid_history_keeps_every_book_balanced_and_every_statement_consistent(
    session: Session, ops: list[Operation], page_size: int, as_of_pick: int
) -> None:
    nested = session.begin_nested()
    try:
        book, accounts = factories.book(session, *ACCOUNT_CODES)
        history = History(book, [accounts[code] for code in ACCOUNT_CODES])
        for op in ops:
            history.apply(session, op)

        check_sound(session, history, page_size)
        # As of a day that has postings, and the day before it: both edges of "on or before".
        dates = sorted({on for on, _, _ in history.moves}) or [START]
        picked = dates[as_of_pick % len(dates)]
        for as_of in (picked, picked - days(1)):
            expected = history.expected_as_of(as_of)
            trial = queries.trial_balance(session, book, as_of=as_of)
            assert trial.total_debits == trial.total_credits
            by_id = queries.balances(session, [a.id for a in history.accounts], as_of=as_of)
            for row in trial.rows:
                assert row.balance == by_id[row.account_id] == from_cents(expected[row.account_id])
    finally:
        nested.rollback()


@SETTINGS
@given(ops_per_book=st.lists(st.lists(operation, max_size=8), min_size=2, max_size=3))
def test_histories_in_several_books_never_mix(
    session: Session, ops_per_book: list[list[Operation]]
) -> None:
    nested = session.begin_nested()
    try:
        histories = []
        for _ in ops_per_book:
            book, accounts = factories.book(session, *ACCOUNT_CODES)
            histories.append(History(book, [accounts[code] for code in ACCOUNT_CODES]))
        # Interleave the books' operations so that their rows are mixed in every table.
        for step in itertools.zip_longest(*ops_per_book):
            for history, op in zip(histories, step, strict=True):
                if op is not None:
                    history.apply(session, op)
        for history in histories:
            check_sound(session, history, page_size=3)
    finally:
        nested.rollback()
