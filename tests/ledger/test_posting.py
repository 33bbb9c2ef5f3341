"""Posting, reversing and locking: what the ledger accepts, and what it refuses without writing.

Every refusal is checked twice: the error names what is wrong (field, value, total, date), and
the ledger tables hold exactly the rows they held before. Validation happens before any write, so
no savepoint is needed to undo a half-done operation; the counts prove there is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import queries
from ledger.errors import (
    AccountAlreadyClosed,
    AccountHasBalance,
    AccountInOtherBook,
    AccountNotOpen,
    AlreadyReversed,
    BookLocked,
    EmptyText,
    IdempotencyConflict,
    InvalidAmount,
    InvalidDate,
    LedgerError,
    LockDateBackwards,
    ReversalBeforeOriginal,
    ReversalOfReversal,
    TextTooLong,
    TooFewPostings,
    UnbalancedEntry,
    ZeroPosting,
)
from ledger.guard import AppendOnlyViolation
from ledger.models import Account, AccountKind, Book, JournalEntry, LockEvent, Posting
from ledger.posting import (
    EntryDraft,
    Leg,
    close_account,
    lock_book,
    open_account,
    post,
    post_many,
    reverse,
)
from tests import factories
from tests.ledger.support import ACTOR, DAY, cents_of, days, post_rent, rent, row_counts

Ledger = tuple[Book, dict[str, Account]]


def assert_refused_without_writing(
    session: Session, error: type[LedgerError], message: str, action: Callable[[], object]
) -> LedgerError:
    """``action`` raises ``error`` whose text contains ``message``, and writes no row at all."""
    before = row_counts(session)
    with pytest.raises(error, match=re.escape(message)) as caught:
        action()
    assert row_counts(session) == before
    return caught.value


def refuse_post(
    session: Session,
    book: Book,
    legs: list[Leg],
    error: type[LedgerError],
    message: str,
    *,
    on: object = DAY,
    memo: object = "Rent",
) -> LedgerError:
    return assert_refused_without_writing(
        session,
        error,
        message,
        lambda: post(session, book, on, legs, memo=memo, actor=ACTOR),  # type: ignore[arg-type]
    )


# --- posting ----------------------------------------------------------------------------------


def test_a_balanced_entry_is_posted_with_its_postings_and_metadata(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    before = row_counts(session)

    entry = post(
        session,
        book,
        DAY,
        [
            Leg(acc["BANK"], Decimal("70.00"), memo="cash at the desk"),
            Leg(acc["DEBTOR"], "30"),
            Leg(acc["INC.RENT"], -100),
        ],
        memo="  Rent   January\n2024 ",
        actor="alice",
        reference="RUN-1",
    )

    assert entry.id is not None
    assert (entry.book_id, entry.entry_date, entry.created_by) == (book.id, DAY, "alice")
    assert entry.memo == "Rent January 2024"
    assert entry.reference == "RUN-1"
    assert entry.reverses_id is None and entry.reason is None
    assert entry.created_at.tzinfo is not None
    assert cents_of(entry) == [
        (acc["BANK"].id, 7000),
        (acc["DEBTOR"].id, 3000),
        (acc["INC.RENT"].id, -10000),
    ]
    assert [p.memo for p in entry.postings] == ["cash at the desk", None, None]
    assert all(p.book_id == book.id and p.entry_date == DAY for p in entry.postings)
    after = row_counts(session)
    assert (after.entries, after.postings) == (before.entries + 1, before.postings + 3)
    assert queries.balance(session, acc["BANK"]) == Decimal("70.00")
    assert queries.balance(session, acc["INC.RENT"]) == Decimal("-100.00")


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    legs = [Leg(acc["DEBTOR"], "100.00"), Leg(acc["INC.RENT"], "-99.99")]
    error = refuse_post(
        session,
        book,
        legs,
        UnbalancedEntry,
        f"its postings sum to 0.01 instead of 0.00 (book {book.code}, 2024-01-15)",
    )
    assert error.params["total"] == "0.01"


def test_an_entry_off_by_a_large_credit_names_the_negative_total(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    legs = [Leg(acc["DEBTOR"], "10.00"), Leg(acc["INC.RENT"], "-1010.00")]
    refuse_post(session, book, legs, UnbalancedEntry, "sum to -1000.00 instead of 0.00")


@pytest.mark.parametrize("count", [0, 1])
def test_an_entry_with_fewer_than_two_postings_is_refused(
    session: Session, ledger: Ledger, count: int
) -> None:
    book, acc = ledger
    legs = [Leg(acc["DEBTOR"], "0.00")][:count]
    refuse_post(session, book, legs, TooFewPostings, f"at least two postings; got {count}.")


def test_a_zero_posting_is_refused_even_when_the_entry_balances(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    legs = [Leg(acc["DEBTOR"], "100.00"), Leg(acc["BANK"], "0.00"), Leg(acc["INC.RENT"], "-100")]
    refuse_post(
        session, book, legs, ZeroPosting, "Posting 2 to account BANK has amount 0.00; leave it out."
    )


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (10.5, "use a Decimal or a string, never a float"),
        ("10.005", "more than two decimal places"),
        ("ten euros", "expected a number such as 1234.56"),
        (Decimal("NaN"), "expected a finite number"),
        ("10000000000000", "too large"),
    ],
    ids=["float", "over-precise", "non-numeric", "nan", "too-large"],
)
def test_an_invalid_amount_is_refused_naming_the_posting_and_the_value(
    session: Session, ledger: Ledger, amount: object, reason: str
) -> None:
    book, acc = ledger
    legs = [Leg(acc["BANK"], "1.00"), Leg(acc["DEBTOR"], amount), Leg(acc["INC.RENT"], "-1.00")]  # type: ignore[arg-type]
    refuse_post(
        session,
        book,
        legs,
        InvalidAmount,
        f"posting 2 (DEBTOR) amount: {amount!r} is not a valid amount ({reason}).",
    )


def test_an_account_of_another_book_is_refused(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    other_book, other = factories.book(session, "BANK")
    legs = [Leg(acc["DEBTOR"], "5.00"), Leg(other["BANK"], "-5.00")]
    refuse_post(
        session,
        book,
        legs,
        AccountInOtherBook,
        f"Account BANK belongs to book {other_book.code}, not to book {book.code}.",
    )


def test_an_account_cannot_be_posted_to_before_it_opens(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    late = open_account(
        session, book, "DEPOSIT", "Deposit", AccountKind.LIABILITY, opened_on=date(2024, 2, 1)
    )
    legs = [Leg(acc["BANK"], "5.00"), Leg(late, "-5.00")]
    refuse_post(
        session,
        book,
        legs,
        AccountNotOpen,
        "Account DEPOSIT is not open on 2024-01-15 (open from 2024-02-01).",
    )
    # From its opening day it takes postings.
    post(session, book, date(2024, 2, 1), legs, memo="Deposit", actor=ACTOR)
    assert queries.balance(session, late) == Decimal("-5.00")


def test_a_closed_account_takes_postings_up_to_its_closing_day_and_none_after(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    close_account(session, acc["DEBTOR"], DAY)
    assert acc["DEBTOR"].closed_on == DAY

    refuse_post(
        session,
        book,
        rent(acc),
        AccountNotOpen,
        "Account DEBTOR is not open on 2024-01-16 (open from 2020-01-01 to 2024-01-15).",
        on=DAY + days(1),
    )
    post(session, book, DAY, rent(acc), memo="Last rent", actor=ACTOR)


@pytest.mark.parametrize("offset", [0, -1, -400])
def test_nothing_can_be_posted_on_or_before_the_lock_date(
    session: Session, ledger: Ledger, offset: int
) -> None:
    book, acc = ledger
    lock_book(session, book, DAY, actor=ACTOR)
    on = DAY + days(offset)
    refuse_post(
        session,
        book,
        rent(acc),
        BookLocked,
        f"Book {book.code} is locked up to 2024-01-15: nothing can be posted or reversed "
        f"on {on.isoformat()}. Choose a date after 2024-01-15.",
        on=on,
    )


def test_the_day_after_the_lock_date_is_open_for_posting(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    lock_book(session, book, DAY, actor=ACTOR)
    entry = post_rent(session, book, acc, on=DAY + days(1))
    assert entry.entry_date == date(2024, 1, 16)


@pytest.mark.parametrize(
    "on",
    [datetime(2024, 1, 15, 9, 30), "2024-01-15", None, 20240115],
    ids=["datetime", "string", "none", "int"],
)
def test_an_entry_date_that_is_not_a_plain_date_is_refused(
    session: Session, ledger: Ledger, on: object
) -> None:
    book, acc = ledger
    refuse_post(session, book, rent(acc), InvalidDate, f"entry date: {on!r} is not a date.", on=on)


@pytest.mark.parametrize("memo", ["", "   ", "\n\t", None], ids=repr)
def test_an_entry_without_a_memo_is_refused(session: Session, ledger: Ledger, memo: object) -> None:
    book, acc = ledger
    refuse_post(session, book, rent(acc), EmptyText, "memo must not be empty.", memo=memo)


def test_an_overlong_memo_is_refused_with_its_length(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    refuse_post(
        session,
        book,
        rent(acc),
        TextTooLong,
        "memo is 501 characters long; at most 500 are allowed.",
        memo="x" * 501,
    )


# --- reversal ---------------------------------------------------------------------------------


def test_a_reversal_posts_the_opposite_postings_linked_to_the_original(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    original = post(
        session,
        book,
        DAY,
        [Leg(acc["BANK"], "70"), Leg(acc["DEBTOR"], "30"), Leg(acc["INC.RENT"], "-100")],
        memo="Rent",
        actor=ACTOR,
        reference="RUN-7",
    )

    reversal = reverse(session, original, reason="  charged twice ", actor="bob")

    assert reversal.id != original.id
    assert reversal.reverses_id == original.id
    assert reversal.reverses is original
    assert reversal.reason == "charged twice"
    assert reversal.created_by == "bob"
    assert reversal.entry_date == original.entry_date
    assert reversal.memo == f"Reversal of #{original.id}: charged twice"
    assert reversal.reference == "RUN-7"
    assert cents_of(reversal) == [(a, -c) for a, c in cents_of(original)]
    for account in acc.values():
        assert queries.balance(session, account) == Decimal("0.00")
    assert queries.book_total(session, book) == Decimal("0.00")


def test_a_reversal_keeps_the_memos_of_the_postings_it_reverses(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    legs = [Leg(acc["DEBTOR"], "5.00", memo="flat 3"), Leg(acc["INC.RENT"], "-5.00")]
    original = post(session, book, DAY, legs, memo="Fee", actor=ACTOR)
    reversal = reverse(session, original, reason="waived", actor=ACTOR)
    assert [p.memo for p in reversal.postings] == ["flat 3", None]


def test_a_reversal_may_be_dated_after_the_original(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    reversal = reverse(session, original, reason="late fix", actor=ACTOR, on=DAY + days(40))
    assert reversal.entry_date == date(2024, 2, 24)
    assert queries.balance(session, acc["DEBTOR"], as_of=DAY + days(39)) == Decimal("100.00")
    assert queries.balance(session, acc["DEBTOR"], as_of=DAY + days(40)) == Decimal("0.00")


def test_an_entry_cannot_be_reversed_twice(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    first = reverse(session, original, reason="wrong", actor=ACTOR)
    error = assert_refused_without_writing(
        session,
        AlreadyReversed,
        f"Entry #{original.id} was already reversed by entry #{first.id}.",
        lambda: reverse(session, original, reason="again", actor=ACTOR, on=DAY + days(1)),
    )
    assert error.params == {"entry": original.id, "by": first.id}


def test_a_reversal_cannot_itself_be_reversed(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    reversal = reverse(session, original, reason="wrong", actor=ACTOR)
    assert_refused_without_writing(
        session,
        ReversalOfReversal,
        f"Entry #{reversal.id} is itself the reversal of entry #{original.id}; "
        "post the original again",
        lambda: reverse(session, reversal, reason="undo the undo", actor=ACTOR),
    )


def test_a_reversal_cannot_be_dated_before_the_original(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    assert_refused_without_writing(
        session,
        ReversalBeforeOriginal,
        "A reversal cannot be dated 2024-01-14, before the entry it reverses (2024-01-15).",
        lambda: reverse(session, original, reason="wrong", actor=ACTOR, on=DAY - days(1)),
    )


def test_a_reversal_into_a_locked_period_is_refused_but_a_later_date_is_accepted(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    lock_book(session, book, DAY + days(16), actor=ACTOR)

    assert_refused_without_writing(
        session,
        BookLocked,
        f"Book {book.code} is locked up to 2024-01-31: nothing can be posted or reversed on "
        "2024-01-15.",
        lambda: reverse(session, original, reason="wrong", actor=ACTOR),
    )
    assert_refused_without_writing(
        session,
        BookLocked,
        "on 2024-01-31.",
        lambda: reverse(session, original, reason="wrong", actor=ACTOR, on=date(2024, 1, 31)),
    )

    reversal = reverse(session, original, reason="wrong", actor=ACTOR, on=date(2024, 2, 1))
    assert reversal.entry_date == date(2024, 2, 1)
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("0.00")


@pytest.mark.parametrize("reason", ["", "   ", None], ids=repr)
def test_a_reversal_needs_a_reason(session: Session, ledger: Ledger, reason: object) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    assert_refused_without_writing(
        session,
        EmptyText,
        "reason must not be empty.",
        lambda: reverse(session, original, reason=reason, actor=ACTOR),  # type: ignore[arg-type]
    )


def test_a_reversal_date_must_be_a_plain_date(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    on = datetime(2024, 1, 20, 12, 0)
    assert_refused_without_writing(
        session,
        InvalidDate,
        f"reversal date: {on!r} is not a date.",
        lambda: reverse(session, original, reason="wrong", actor=ACTOR, on=on),  # type: ignore[arg-type]
    )


# --- lock date --------------------------------------------------------------------------------


def lock_events(session: Session, book: Book) -> list[tuple[date | None, date, str]]:
    rows = session.scalars(
        select(LockEvent).where(LockEvent.book_id == book.id).order_by(LockEvent.id)
    )
    return [(e.previous_lock_date, e.lock_date, e.set_by) for e in rows]


def test_the_lock_date_only_moves_forward(session: Session, ledger: Ledger) -> None:
    book, _ = ledger
    lock_book(session, book, date(2024, 3, 31), actor=ACTOR)

    error = assert_refused_without_writing(
        session,
        LockDateBackwards,
        f"The lock date of book {book.code} only moves forward: it is 2024-03-31, "
        "2024-02-29 was asked.",
        lambda: lock_book(session, book, date(2024, 2, 29), actor=ACTOR),
    )
    assert error.params["requested"] == date(2024, 2, 29)
    assert book.lock_date == date(2024, 3, 31)


def test_locking_again_on_the_same_date_changes_nothing(session: Session, ledger: Ledger) -> None:
    book, _ = ledger
    lock_book(session, book, DAY, actor="alice")
    before = row_counts(session)
    assert lock_book(session, book, DAY, actor="bob") is book
    assert row_counts(session) == before
    assert lock_events(session, book) == [(None, DAY, "alice")]


def test_every_move_of_the_lock_date_is_recorded_with_who_moved_it(
    session: Session, ledger: Ledger
) -> None:
    book, _ = ledger
    other_book, _ = factories.book(session, "BANK")
    lock_book(session, book, date(2024, 1, 31), actor="alice")
    lock_book(session, other_book, date(2023, 12, 31), actor="carol")
    lock_book(session, book, date(2024, 2, 29), actor="bob")

    assert book.lock_date == date(2024, 2, 29)
    assert lock_events(session, book) == [
        (None, date(2024, 1, 31), "alice"),
        (date(2024, 1, 31), date(2024, 2, 29), "bob"),
    ]
    assert lock_events(session, other_book) == [(None, date(2023, 12, 31), "carol")]
    set_at = session.scalars(select(LockEvent.set_at).where(LockEvent.book_id == book.id)).all()
    assert all(isinstance(moment, datetime) for moment in set_at)


def test_a_lock_date_must_be_a_plain_date(session: Session, ledger: Ledger) -> None:
    book, _ = ledger
    assert_refused_without_writing(
        session,
        InvalidDate,
        "lock date: '2024-01-31' is not a date.",
        lambda: lock_book(session, book, "2024-01-31", actor=ACTOR),  # type: ignore[arg-type]
    )


# --- idempotency ------------------------------------------------------------------------------


def test_posting_twice_with_the_same_key_returns_the_first_entry_and_writes_once(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    before = row_counts(session)
    first = post_rent(session, book, acc, key="bank-line-42")
    again = post_rent(session, book, acc, key="bank-line-42", actor="someone else")

    assert again.id == first.id
    after = row_counts(session)
    assert (after.entries, after.postings, after.operation_keys) == (
        before.entries + 1,
        before.postings + 2,
        before.operation_keys + 1,
    )
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("100.00")


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "100.01"},
        {"on": DAY + days(1)},
        {"memo": "Rent (corrected)"},
        {"reference": "REF-2"},
    ],
    ids=["amount", "date", "memo", "reference"],
)
def test_a_key_reused_with_different_data_is_refused(
    session: Session, ledger: Ledger, change: dict[str, object]
) -> None:
    book, acc = ledger
    post_rent(session, book, acc, key="charge-2024-01")
    error = assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "The operation key 'charge-2024-01' was already used for a different post;",
        lambda: post_rent(session, book, acc, key="charge-2024-01", **change),  # type: ignore[arg-type]
    )
    assert error.params == {"key": "charge-2024-01", "operation": "post"}


def test_a_key_reused_in_another_book_is_refused(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    other_book, other = factories.book(session, "BANK", "DEBTOR", "INC.RENT")
    post_rent(session, book, acc, key="k-1")
    assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "'k-1' was already used",
        lambda: post_rent(session, other_book, other, key="k-1"),
    )


def test_a_key_used_for_one_operation_is_refused_for_another(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc, key="k-2")
    assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "'k-2' was already used for a different post_many",
        lambda: post_many(session, book, [], actor=ACTOR, key="k-2"),
    )
    assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "'k-2' was already used for a different reverse",
        lambda: reverse(session, entry, reason="wrong", actor=ACTOR, key="k-2"),
    )


def test_a_refused_operation_leaves_its_key_unused(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    unbalanced = [Leg(acc["DEBTOR"], "100.00"), Leg(acc["INC.RENT"], "-90.00")]
    assert_refused_without_writing(
        session,
        UnbalancedEntry,
        "sum to 10.00",
        lambda: post(session, book, DAY, unbalanced, memo="Rent", actor=ACTOR, key="k-3"),
    )
    entry = post_rent(session, book, acc, key="k-3")
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("100.00")
    assert entry.operation_id is not None


@pytest.mark.parametrize("key", ["", "   "], ids=repr)
def test_an_empty_key_is_refused(session: Session, ledger: Ledger, key: str) -> None:
    book, acc = ledger
    assert_refused_without_writing(
        session,
        EmptyText,
        "operation key must not be empty.",
        lambda: post_rent(session, book, acc, key=key),
    )


def drafts(acc: dict[str, Account], count: int, start: date = DAY) -> list[EntryDraft]:
    return [
        EntryDraft(start + days(i), rent(acc, f"{i + 1}.00"), f"Rent {i + 1}", f"R{i + 1}")
        for i in range(count)
    ]


def test_post_many_repeated_with_its_key_returns_the_same_ids_and_posts_nothing(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    first = post_many(session, book, drafts(acc, 3), actor=ACTOR, key="run-1")
    before = row_counts(session)
    again = post_many(session, book, drafts(acc, 3), actor=ACTOR, key="run-1")

    assert first.created is True
    assert again.created is False
    assert again.entry_ids == first.entry_ids
    assert row_counts(session) == before


def test_post_many_with_a_used_key_and_other_drafts_is_refused(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    post_many(session, book, drafts(acc, 3), actor=ACTOR, key="run-2")
    assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "'run-2' was already used for a different post_many",
        lambda: post_many(session, book, drafts(acc, 4), actor=ACTOR, key="run-2"),
    )


def test_reverse_repeated_with_its_key_returns_the_same_reversal(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    original = post_rent(session, book, acc)
    first = reverse(session, original, reason="wrong", actor=ACTOR, key="undo-1")
    before = row_counts(session)
    again = reverse(session, original, reason="wrong", actor=ACTOR, key="undo-1")

    assert again.id == first.id
    assert row_counts(session) == before
    assert_refused_without_writing(
        session,
        IdempotencyConflict,
        "'undo-1' was already used for a different reverse",
        lambda: reverse(session, original, reason="other reason", actor=ACTOR, key="undo-1"),
    )


# --- post_many --------------------------------------------------------------------------------


def test_post_many_posts_every_draft_in_order(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    result = post_many(session, book, drafts(acc, 5), actor="importer")

    assert result.created is True
    assert len(result.entry_ids) == 5
    assert result.entry_ids == sorted(result.entry_ids)
    entries = [session.get(JournalEntry, entry_id) for entry_id in result.entry_ids]
    for i, entry in enumerate(entries):
        assert entry is not None
        assert (entry.entry_date, entry.memo, entry.reference) == (
            DAY + days(i),
            f"Rent {i + 1}",
            f"R{i + 1}",
        )
        assert entry.created_by == "importer"
        assert cents_of(entry) == [
            (acc["DEBTOR"].id, (i + 1) * 100),
            (acc["INC.RENT"].id, -(i + 1) * 100),
        ]
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("15.00")


def test_post_many_with_no_drafts_posts_nothing(session: Session, ledger: Ledger) -> None:
    book, _ = ledger
    before = row_counts(session)
    assert post_many(session, book, [], actor=ACTOR).entry_ids == []
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("bad_legs", "error", "message"),
    [
        (
            lambda a: [Leg(a["DEBTOR"], "1.00"), Leg(a["INC.RENT"], "-2.00")],
            UnbalancedEntry,
            "-1.00",
        ),
        (lambda a: [Leg(a["DEBTOR"], 1.0), Leg(a["INC.RENT"], -1.0)], InvalidAmount, "float"),
        (lambda a: [Leg(a["DEBTOR"], "1.00")], TooFewPostings, "got 1"),
    ],
    ids=["unbalanced", "float", "single-posting"],
)
def test_post_many_is_all_or_nothing(
    session: Session,
    ledger: Ledger,
    bad_legs: Callable[[dict[str, Account]], list[Leg]],
    error: type[LedgerError],
    message: str,
) -> None:
    book, acc = ledger
    batch = drafts(acc, 6)
    batch.insert(4, EntryDraft(DAY, bad_legs(acc), "Bad one"))
    assert_refused_without_writing(
        session, error, message, lambda: post_many(session, book, batch, actor=ACTOR, key="run-3")
    )


def test_post_many_refuses_a_batch_with_one_draft_in_the_locked_period(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    lock_book(session, book, DAY, actor=ACTOR)
    batch = drafts(acc, 3, start=DAY + days(1)) + drafts(acc, 1, start=DAY)
    assert_refused_without_writing(
        session, BookLocked, "on 2024-01-15", lambda: post_many(session, book, batch, actor=ACTOR)
    )


# --- append-only guard ------------------------------------------------------------------------


def test_changing_a_posted_amount_is_refused_at_flush(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc)
    posting = entry.postings[0]
    nested = session.begin_nested()
    try:
        posting.amount_cents = 1
        with pytest.raises(
            AppendOnlyViolation,
            match=re.escape(f"Posted Posting #{posting.id} cannot be changed: the ledger is"),
        ):
            session.flush()
    finally:
        nested.rollback()
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("100.00")


def test_changing_a_posted_entry_is_refused_at_flush(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc)
    nested = session.begin_nested()
    try:
        entry.entry_date = DAY + days(1)
        with pytest.raises(
            AppendOnlyViolation, match=re.escape(f"JournalEntry #{entry.id} cannot be changed")
        ):
            session.flush()
    finally:
        nested.rollback()


@pytest.mark.parametrize("what", ["entry", "posting"])
def test_deleting_posted_rows_is_refused_at_flush(
    session: Session, ledger: Ledger, what: str
) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc)
    target: JournalEntry | Posting = entry if what == "entry" else entry.postings[1]
    nested = session.begin_nested()
    try:
        session.delete(target)
        with pytest.raises(
            AppendOnlyViolation,
            match=re.escape(f"Posted {type(target).__name__} #{target.id} cannot be deleted"),
        ):
            session.flush()
    finally:
        nested.rollback()
    assert row_counts(session).postings >= 2
    assert session.get(JournalEntry, entry.id) is not None


# --- closing accounts -------------------------------------------------------------------------


def test_an_account_with_a_balance_cannot_be_closed(session: Session, ledger: Ledger) -> None:
    book, acc = ledger
    post_rent(session, book, acc, amount="250.00")
    assert_refused_without_writing(
        session,
        AccountHasBalance,
        "Account DEBTOR cannot be closed on 2024-01-31: its balance is 250.00",
        lambda: close_account(session, acc["DEBTOR"], date(2024, 1, 31)),
    )
    assert acc["DEBTOR"].closed_on is None


def test_an_account_with_postings_after_the_closing_date_cannot_be_closed(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    post_rent(session, book, acc, on=DAY)
    post(
        session,
        book,
        DAY + days(10),
        [Leg(acc["BANK"], "100.00"), Leg(acc["DEBTOR"], "-100.00")],
        memo="Paid",
        actor=ACTOR,
    )
    assert queries.balance(session, acc["DEBTOR"]) == Decimal("0.00")
    assert_refused_without_writing(
        session,
        AccountHasBalance,
        "Account DEBTOR cannot be closed on 2024-01-20",
        lambda: close_account(session, acc["DEBTOR"], DAY + days(5)),
    )
    close_account(session, acc["DEBTOR"], DAY + days(10))
    assert acc["DEBTOR"].closed_on == date(2024, 1, 25)


def test_an_account_is_closed_only_once(session: Session, ledger: Ledger) -> None:
    _, acc = ledger
    close_account(session, acc["BANK"], DAY)
    with pytest.raises(AccountAlreadyClosed, match="Account BANK was already closed on 2024-01-15"):
        close_account(session, acc["BANK"], DAY + days(1))


def test_a_retry_after_the_book_was_locked_still_returns_the_first_result(
    session: Session, ledger: Ledger
) -> None:
    """A client retrying a request must get its answer, even if the period closed meanwhile."""
    book, acc = ledger
    first = post_rent(session, book, acc, key="payment-7")
    batch = post_many(session, book, drafts(acc, 2), actor=ACTOR, key="run-7")
    lock_book(session, book, DAY + days(30), actor=ACTOR)

    assert post_rent(session, book, acc, key="payment-7").id == first.id
    assert post_many(session, book, drafts(acc, 2), actor=ACTOR, key="run-7").entry_ids == (
        batch.entry_ids
    )
    with pytest.raises(BookLocked):
        post_rent(session, book, acc, key="payment-8")


def test_post_many_gives_each_entry_its_own_postings_after_earlier_work(
    session: Session, ledger: Ledger
) -> None:
    """Ids are reserved in bulk; entries posted one by one before must not be disturbed."""
    book, acc = ledger
    single = post_rent(session, book, acc, amount="1.00")
    result = post_many(session, book, drafts(acc, 5), actor=ACTOR)
    later = post_rent(session, book, acc, amount="2.00")

    assert len(set(result.entry_ids)) == 5 and single.id not in result.entry_ids
    assert later.id not in result.entry_ids
    for entry_id in result.entry_ids:
        entry = session.get(JournalEntry, entry_id)
        assert entry is not None and len(entry.postings) == 2
        assert sum(p.amount_cents for p in entry.postings) == 0


def test_a_reversal_reason_is_limited_so_the_memo_always_fits(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc)
    assert_refused_without_writing(
        session,
        TextTooLong,
        "reason is 401 characters long; at most 400 are allowed.",
        lambda: reverse(session, entry, reason="x" * 401, actor=ACTOR),
    )
    reversal = reverse(session, entry, reason="x" * 400, actor=ACTOR)
    assert len(reversal.memo) <= 500


def test_adding_a_posting_to_a_posted_entry_is_refused_at_flush(
    session: Session, ledger: Ledger
) -> None:
    book, acc = ledger
    entry = post_rent(session, book, acc)
    nested = session.begin_nested()
    entry.postings.append(
        Posting(
            account_id=acc["BANK"].id,
            book_id=book.id,
            entry_date=entry.entry_date,
            amount_cents=500,
        )
    )
    with pytest.raises(AppendOnlyViolation, match=f"entry #{entry.id}|#{entry.id}"):
        session.flush()
    nested.rollback()
