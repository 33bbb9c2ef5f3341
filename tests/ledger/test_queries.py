"""The read side: balances, keyset-paged statements, trial balances and book totals."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ledger import queries
from ledger.errors import InvalidCursor
from ledger.models import Account, AccountKind, Book
from ledger.posting import Leg, open_account, post, reverse
from ledger.queries import StatementLine, StatementPage
from tests import factories
from tests.ledger.support import ACTOR, DAY, days, post_rent

Ledger = tuple[Book, dict[str, Account]]
ZERO = Decimal("0.00")


def pay(session: Session, book: Book, acc: dict[str, Account], on: date, amount: str) -> None:
    """The debtor pays ``amount`` into the bank (a negative amount is a refund)."""
    legs = [Leg(acc["BANK"], Decimal(amount)), Leg(acc["DEBTOR"], -Decimal(amount))]
    post(session, book, on, legs, memo="Pay", actor=ACTOR)


def walk(
    session: Session,
    account: Account,
    limit: int,
    start: date | None = None,
    end: date | None = None,
) -> Iterator[StatementPage]:
    """Every page of a statement, following ``next_cursor`` until it runs out."""
    cursor = None
    while True:
        page = queries.statement(session, account, start=start, end=end, after=cursor, limit=limit)
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# A debtor's month, posted out of date order so that posting ids and dates disagree.
ACTIVITY: list[tuple[int, str, str]] = [
    (10, "charge", "300.00"),
    (3, "charge", "45.50"),
    (10, "pay", "120.00"),
    (0, "charge", "12.34"),
    (25, "pay", "200.00"),
    (3, "pay", "45.50"),
    (17, "charge", "1000.00"),
    (10, "charge", "0.01"),
    (0, "pay", "2.34"),
    (17, "pay", "999.99"),
    (31, "charge", "77.77"),
    (25, "charge", "15.00"),
    (5, "pay", "10.00"),
]


@pytest.fixture
def debtor_month(session: Session, ledger: Ledger) -> Ledger:
    book, acc = ledger
    for offset, kind, amount in ACTIVITY:
        on = DAY + days(offset)
        if kind == "charge":
            post_rent(session, book, acc, on=on, amount=amount, memo=f"Charge {amount}")
        else:
            pay(session, book, acc, on, amount)
    return book, acc


def expected_debtor_lines() -> list[tuple[date, Decimal]]:
    """The debtor's lines as (date, amount), in statement order (date, then posting order)."""
    lines = [
        (DAY + days(offset), Decimal(amount) if kind == "charge" else -Decimal(amount))
        for offset, kind, amount in ACTIVITY
    ]
    return sorted(lines, key=lambda line: line[0])  # stable: same-day lines keep posting order


# --- balances ---------------------------------------------------------------------------------


def test_a_balance_includes_everything_dated_on_or_before_the_as_of_date(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    post_rent(session, book, acc, on=date(2024, 1, 10), amount="100.00")
    post_rent(session, book, acc, on=date(2024, 1, 20), amount="50.25")
    pay(session, book, acc, date(2024, 2, 5), "120.00")

    debtor = acc["DEBTOR"]
    assert queries.balance(session, debtor, as_of=date(2024, 1, 9)) == ZERO
    assert queries.balance(session, debtor, as_of=date(2024, 1, 10)) == Decimal("100.00")
    assert queries.balance(session, debtor, as_of=date(2024, 1, 19)) == Decimal("100.00")
    assert queries.balance(session, debtor, as_of=date(2024, 1, 20)) == Decimal("150.25")
    assert queries.balance(session, debtor, as_of=date(2024, 2, 5)) == Decimal("30.25")
    assert queries.balance(session, debtor) == Decimal("30.25")
    assert queries.balance(session, debtor.id) == Decimal("30.25")
    assert queries.balance(session, acc["INC.RENT"]) == Decimal("-150.25")


def test_a_balance_is_a_two_place_decimal_even_when_nothing_was_posted(
    session: Session, ledger: Ledger
) -> None:
    _, acc = ledger
    balance = queries.balance(session, acc["BANK"])
    assert balance == ZERO
    assert str(balance) == "0.00"


def test_balances_answers_for_many_accounts_including_those_without_postings(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    idle = open_account(
        session, book, "IDLE", "Idle", AccountKind.ASSET, opened_on=date(2020, 1, 1)
    )
    post_rent(session, book, acc, on=date(2024, 1, 10), amount="100.00")
    pay(session, book, acc, date(2024, 2, 5), "60.00")
    ids = [acc["BANK"].id, acc["DEBTOR"].id, acc["INC.RENT"].id, idle.id]

    assert queries.balances(session, ids) == {
        acc["BANK"].id: Decimal("60.00"),
        acc["DEBTOR"].id: Decimal("40.00"),
        acc["INC.RENT"].id: Decimal("-100.00"),
        idle.id: ZERO,
    }
    assert queries.balances(session, ids, as_of=date(2024, 1, 31)) == {
        acc["BANK"].id: ZERO,
        acc["DEBTOR"].id: Decimal("100.00"),
        acc["INC.RENT"].id: Decimal("-100.00"),
        idle.id: ZERO,
    }
    for account_id, amount in queries.balances(session, ids).items():
        assert amount == queries.balance(session, account_id)
    assert queries.balances(session, []) == {}


def test_balances_do_not_leak_between_books(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    other_book, other = factories.book(session, "BANK", "DEBTOR", "INC.RENT")
    post_rent(session, book, acc, amount="10.00")
    post_rent(session, other_book, other, amount="99.00")
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("10.00")
    assert queries.balance(session, other["DEBTOR"]) == Decimal("99.00")


# --- statements -------------------------------------------------------------------------------


def test_a_statement_without_postings_is_one_empty_page(session: Session, ledger: Ledger) -> None:
    _, acc = ledger
    page = queries.statement(session, acc["BANK"])
    assert page == StatementPage(acc["BANK"].id, [], ZERO, ZERO, None)


def test_a_full_statement_lists_lines_by_date_then_posting_with_a_running_balance(
    session: Session, debtor_month: Ledger
) -> None:
    _, acc = debtor_month
    page = queries.statement(session, acc["DEBTOR"], limit=1000)

    assert page.next_cursor is None
    assert [(line.entry_date, line.amount) for line in page.lines] == expected_debtor_lines()
    keys = [(line.entry_date, line.posting_id) for line in page.lines]
    assert keys == sorted(keys)
    running = ZERO
    for line in page.lines:
        running += line.amount
        assert line.balance == running
    assert page.opening_balance == ZERO
    assert page.closing_balance == running == queries.balance(session, acc["DEBTOR"])


@pytest.mark.parametrize("size", [1, 2, 3, 5, 12, 13, 14, 50])
def test_statement_pages_chain_through_their_cursors_and_cover_every_line_once(
    session: Session, debtor_month: Ledger, size: int
) -> None:
    _, acc = debtor_month
    debtor = acc["DEBTOR"]
    pages = list(walk(session, debtor, size))

    assert len(pages) == max(1, -(-len(ACTIVITY) // size))
    assert all(len(page.lines) == size for page in pages[:-1])
    assert 1 <= len(pages[-1].lines) <= size
    lines = [line for page in pages for line in page.lines]
    assert lines == queries.statement(session, debtor, limit=1000).lines
    assert len({line.posting_id for line in lines}) == len(ACTIVITY)

    assert pages[0].opening_balance == ZERO
    for previous, page in itertools.pairwise(pages):
        assert page.opening_balance == previous.closing_balance
        assert previous.next_cursor is not None
    for page in pages:
        running = page.opening_balance
        for line in page.lines:
            running += line.amount
            assert line.balance == running
        assert page.closing_balance == running
    assert pages[-1].closing_balance == queries.balance(session, debtor)


def test_statement_lines_carry_memo_reference_and_reversal_link(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    entry = post(
        session,
        book,
        DAY,
        [Leg(acc["DEBTOR"], "40.00", memo="flat 3B"), Leg(acc["INC.RENT"], "-40.00")],
        memo="Rent January",
        actor=ACTOR,
        reference="RUN-9",
    )
    reversal = reverse(session, entry, reason="wrong flat", actor=ACTOR, on=DAY + days(2))

    debtor_lines = queries.statement(session, acc["DEBTOR"]).lines
    income_lines = queries.statement(session, acc["INC.RENT"]).lines

    assert [(line.memo, line.reference, line.reverses_id) for line in debtor_lines] == [
        ("flat 3B", "RUN-9", None),
        ("flat 3B", "RUN-9", entry.id),
    ]
    assert [line.memo for line in income_lines] == [
        "Rent January",
        f"Reversal of #{entry.id}: wrong flat",
    ]
    assert [line.entry_id for line in income_lines] == [entry.id, reversal.id]
    assert [line.balance for line in income_lines] == [Decimal("-40.00"), ZERO]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (DAY + days(3), None),
        (None, DAY + days(17)),
        (DAY + days(3), DAY + days(17)),
        (DAY + days(4), DAY + days(9)),
        (DAY + days(40), None),
        (None, DAY - days(1)),
        (DAY + days(10), DAY + days(10)),
    ],
    ids=["start", "end", "start-and-end", "narrow-window", "after-all", "before-all", "one-day"],
)
@pytest.mark.parametrize("size", [1, 4, 100])
def test_a_statement_period_opens_with_the_balance_before_its_start(
    session: Session, debtor_month: Ledger, start: date | None, end: date | None, size: int
) -> None:
    _, acc = debtor_month
    debtor = acc["DEBTOR"]
    expected = [
        (on, amount)
        for on, amount in expected_debtor_lines()
        if (start is None or on >= start) and (end is None or on <= end)
    ]
    opening = ZERO if start is None else queries.balance(session, debtor, as_of=start - days(1))

    pages = list(walk(session, debtor, size, start=start, end=end))
    lines: list[StatementLine] = [line for page in pages for line in page.lines]

    assert [(line.entry_date, line.amount) for line in lines] == expected
    assert pages[0].opening_balance == opening
    for previous, page in itertools.pairwise(pages):
        assert page.opening_balance == previous.closing_balance
    closing = opening + sum((amount for _, amount in expected), ZERO)
    assert pages[-1].closing_balance == closing
    if end is not None and (start is None or start <= end):
        assert closing == queries.balance(session, debtor, as_of=end)
    if lines:
        assert lines[-1].balance == closing


def test_the_page_size_is_kept_between_one_and_a_thousand(
    session: Session, debtor_month: Ledger
) -> None:
    _, acc = debtor_month
    assert len(queries.statement(session, acc["DEBTOR"], limit=0).lines) == 1
    assert len(queries.statement(session, acc["DEBTOR"], limit=-5).lines) == 1
    assert len(queries.statement(session, acc["DEBTOR"], limit=10**6).lines) == len(ACTIVITY)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "2024-13-01.5", "2024-01-01", "2024-01-01.x", "1.2.3", "2024-01-01.5.6"],
)
def test_an_invalid_cursor_is_refused_naming_it(
    session: Session, ledger: Ledger, cursor: str
) -> None:
    _, acc = ledger
    with pytest.raises(InvalidCursor, match=re.escape(f"The page cursor {cursor!r} is not valid.")):
        queries.statement(session, acc["DEBTOR"], after=cursor)


# --- trial balance and book total -------------------------------------------------------------


def test_a_trial_balance_lists_every_account_with_equal_total_debits_and_credits(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    idle = open_account(
        session, book, "AAA.IDLE", "Idle", AccountKind.ASSET, opened_on=date(2020, 1, 1)
    )
    post_rent(session, book, acc, on=date(2024, 1, 10), amount="300.00")
    post_rent(session, book, acc, on=date(2024, 2, 10), amount="300.00")
    pay(session, book, acc, date(2024, 1, 20), "250.00")
    pay(session, book, acc, date(2024, 2, 20), "-20.00")  # a refund: bank credit, debtor debit

    trial = queries.trial_balance(session, book)

    assert trial.book_code == book.code
    assert trial.as_of is None
    by_code = {row.code: (row.debits, row.credits) for row in trial.rows}
    assert by_code == {
        "AAA.IDLE": (ZERO, ZERO),
        "BANK": (Decimal("250.00"), Decimal("20.00")),
        "DEBTOR": (Decimal("620.00"), Decimal("250.00")),
        "INC.RENT": (ZERO, Decimal("600.00")),
    }
    assert [row.code for row in trial.rows] == sorted(by_code)
    assert trial.total_debits == trial.total_credits == Decimal("870.00")
    for row in trial.rows:
        assert row.balance == queries.balance(session, row.account_id)
    assert next(row for row in trial.rows if row.account_id == idle.id).name == "Idle"


def test_a_trial_balance_as_of_a_date_includes_that_day_and_ignores_later_postings(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    post_rent(session, book, acc, on=date(2024, 1, 10), amount="300.00")
    pay(session, book, acc, date(2024, 1, 31), "40.00")
    pay(session, book, acc, date(2024, 2, 1), "100.00")

    trial = queries.trial_balance(session, book, as_of=date(2024, 1, 31))

    assert trial.as_of == date(2024, 1, 31)
    assert {row.code: (row.debits, row.credits) for row in trial.rows} == {
        "BANK": (Decimal("40.00"), ZERO),
        "DEBTOR": (Decimal("300.00"), Decimal("40.00")),
        "INC.RENT": (ZERO, Decimal("300.00")),
    }
    assert trial.total_debits == trial.total_credits == Decimal("340.00")
    early = queries.trial_balance(session, book, as_of=date(2023, 12, 31))
    assert [(row.debits, row.credits) for row in early.rows] == [(ZERO, ZERO)] * 3
    assert early.total_debits == early.total_credits == ZERO


def test_a_trial_balance_covers_only_its_own_book(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    other_book, other = factories.book(session, "BANK", "DEBTOR", "INC.RENT", "SUSPENSE")
    post_rent(session, book, acc, amount="5.00")
    post_rent(session, other_book, other, amount="7.00")
    trial = queries.trial_balance(session, book)
    assert {row.account_id for row in trial.rows} == {a.id for a in acc.values()}
    assert trial.total_debits == Decimal("5.00")


def test_every_book_totals_zero(session: Session, debtor_month: Ledger) -> None:
    book, acc = debtor_month
    empty_book, _ = factories.book(session, "BANK")
    assert queries.book_total(session, book) == ZERO
    assert queries.book_total(session, empty_book) == ZERO
    assert sum((queries.balance(session, a) for a in acc.values()), ZERO) == queries.book_total(
        session, book
    )
