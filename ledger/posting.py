"""The only code that writes ledger tables: open books and accounts, post, reverse, lock.

Every function validates everything before it writes anything, flushes but never commits: the
caller owns the transaction, so one business operation is one commit. Functions that may be
repeated from outside take an idempotency ``key``; a repeat with the same data returns the first
result and posts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import keys, openitems
from ledger.bulk import insert_rows, reserve_ids
from ledger.errors import (
    N_,
    AccountAlreadyClosed,
    AccountHasBalance,
    AccountInOtherBook,
    AccountNotOpen,
    AlreadyReversed,
    BookLocked,
    DuplicateCode,
    EmptyText,
    InvalidCode,
    InvalidDate,
    LockDateBackwards,
    Phrase,
    ReversalBeforeOriginal,
    ReversalOfReversal,
    TextTooLong,
    TooFewPostings,
    UnbalancedEntry,
    ZeroPosting,
)
from ledger.models import Account, AccountKind, Book, JournalEntry, LockEvent, Posting
from ledger.money import format_amount, from_cents, to_cents

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Leg:
    """One side of an entry: an amount to an account (positive debit, negative credit)."""

    account: Account
    amount: Decimal | int | str
    memo: str | None = None
    #: Items of the same open-item account this posting settles first, by posting id: the
    #: charges a payment designates (art. 1193 c.c.). The rest settles oldest first.
    settles: tuple[int, ...] = ()


@dataclass(frozen=True)
class EntryDraft:
    """An entry not yet posted, for :func:`post_many`."""

    entry_date: date
    legs: Sequence[Leg]
    memo: str
    reference: str | None = None


@dataclass(frozen=True)
class BatchResult:
    entry_ids: list[int]
    #: False when the key had been used before and nothing new was posted.
    created: bool


@dataclass(frozen=True)
class _Checked:
    entry_date: date
    memo: str
    reference: str | None
    lines: list[tuple[int, int, str | None]]  # (account id, cents, memo)
    accounts: list[_AccountFacts]
    settles: list[tuple[int, ...]]


def _now() -> datetime:
    return datetime.now(UTC)


def _code(value: str, field: str, max_len: int) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value) or len(value) > max_len:
        raise InvalidCode(field=field, value=value, max=max_len)
    return value


def _text(value: str | None, field: str, max_len: int, *, required: bool = True) -> str | None:
    if value is None or not str(value).strip():
        if required:
            raise EmptyText(field=field)
        return None
    text = " ".join(str(value).split())
    if len(text) > max_len:
        raise TextTooLong(field=field, length=len(text), max=max_len)
    return text


def _date(value: object, field: str) -> date:
    if type(value) is not date:
        raise InvalidDate(field=field, value=value)
    return value


def _lock_date(session: Session, book: Book) -> date | None:
    """The lock date, read under a share lock so that a concurrent lock cannot slip past a post."""
    return session.scalar(
        select(Book.lock_date).where(Book.id == book.id).with_for_update(read=True)
    )


@dataclass(frozen=True)
class _AccountFacts:
    """The few columns of an account a posting is checked against, read once per call."""

    id: int
    code: str
    book_id: int
    opened_on: date
    closed_on: date | None
    tracks_items: bool


def _facts(account: Account, cache: dict[int, _AccountFacts]) -> _AccountFacts:
    # Keyed by object identity: a batch names few distinct accounts many times, and reading
    # instrumented attributes once per account instead of once per leg is most of the saving.
    facts = cache.get(id(account))
    if facts is None:
        facts = _AccountFacts(
            account.id,
            account.code,
            account.book_id,
            account.opened_on,
            account.closed_on,
            account.tracks_items,
        )
        cache[id(account)] = facts
    return facts


def _normalise(book: Book, draft: EntryDraft, cache: dict[int, _AccountFacts]) -> _Checked:
    """Every check that does not depend on the state of the database: types, text, amounts,
    books, balance. Its result is also what an idempotency key's fingerprint is made of."""
    entry_date = _date(draft.entry_date, "entry date")
    memo = _text(draft.memo, "memo", 500)
    reference = _text(draft.reference, "reference", 100, required=False)
    if len(draft.legs) < 2:
        raise TooFewPostings(count=len(draft.legs))
    lines: list[tuple[int, int, str | None]] = []
    accounts: list[_AccountFacts] = []
    settles: list[tuple[int, ...]] = []
    for index, leg in enumerate(draft.legs, start=1):
        facts = _facts(leg.account, cache)
        if facts.book_id != book.id:
            raise AccountInOtherBook(
                account=facts.code, account_book=leg.account.book.code, book=book.code
            )
        cents = to_cents(leg.amount, field=f"posting {index} ({facts.code}) amount")
        if cents == 0:
            raise ZeroPosting(index=index, account=facts.code)
        memo_line = (
            None if leg.memo is None else _text(leg.memo, "posting memo", 200, required=False)
        )
        lines.append((facts.id, cents, memo_line))
        accounts.append(facts)
        settles.append(tuple(int(item) for item in leg.settles))
    total = sum(cents for _, cents, _ in lines)
    if total != 0:
        raise UnbalancedEntry(total=format_amount(total), book=book.code, date=entry_date)
    return _Checked(entry_date, memo, reference, lines, accounts, settles)  # type: ignore[arg-type]


def _check_state(book: Book, lock: date | None, checked: _Checked) -> None:
    """The checks that depend on the database: the lock date and the accounts' open periods."""
    on = checked.entry_date
    if lock is not None and on <= lock:
        raise BookLocked(book=book.code, lock_date=lock, date=on)
    for facts in checked.accounts:
        _check_open(facts, on)


def _check_open(facts: _AccountFacts, on: date) -> None:
    if on < facts.opened_on or (facts.closed_on is not None and on > facts.closed_on):
        closed = Phrase(N_(" to %(closed)s"), closed=facts.closed_on) if facts.closed_on else ""
        raise AccountNotOpen(account=facts.code, date=on, opened=facts.opened_on, closed=closed)


def _print(book: Book, checked: _Checked) -> list[object]:
    """What a repeat under the same key must match."""
    print_: list[object] = [
        book.code,
        checked.entry_date.isoformat(),
        checked.memo,
        checked.reference,
        checked.lines,
    ]
    if any(checked.settles):
        print_.append(checked.settles)
    return print_


def _check_designations(session: Session, checked: _Checked) -> None:
    for (account_id, cents, _), facts, targets in zip(
        checked.lines, checked.accounts, checked.settles, strict=True
    ):
        if targets:
            openitems.check_designation(
                session,
                account_id=account_id,
                account_code=facts.code,
                tracks_items=facts.tracks_items,
                cents=cents,
                targets=targets,
            )


def _track(
    session: Session,
    book: Book,
    entries: Sequence[tuple[int, _Checked, Sequence[int]]],
    actor: str,
) -> None:
    """Record the items of open-item accounts among new postings and settle what they can.

    ``entries`` holds, per new entry, its id, what was posted and the ids of its postings.
    Only accounts where something can be settled are read: those that received a credit, and
    those that received a charge while holding unused credit.
    """
    items: list[openitems.NewItem] = []
    entry_of: dict[int, int] = {}
    designations: dict[int, tuple[int, ...]] = {}
    credited: set[int] = set()
    charged: set[int] = set()
    for entry_id, c, posting_ids in entries:
        for (account_id, cents, _), facts, targets, posting_id in zip(
            c.lines, c.accounts, c.settles, posting_ids, strict=True
        ):
            if not facts.tracks_items:
                continue
            items.append(openitems.NewItem(posting_id, account_id, book.id, c.entry_date, cents))
            entry_of[posting_id] = entry_id
            (charged if cents > 0 else credited).add(account_id)
            if targets:
                designations[posting_id] = targets
    if not items:
        return
    openitems.add_items(session, items)
    if charged - credited:
        credited |= openitems.accounts_with_credit(session, book.id, charged - credited)
    openitems.settle(session, credited, entry_of=entry_of, actor=actor, designations=designations)


def open_book(session: Session, code: str, name: str, *, actor: str, currency: str = "EUR") -> Book:
    code = _code(code, "book code", 32)
    if session.scalar(select(Book.id).where(Book.code == code)) is not None:
        raise DuplicateCode(what="Book", code=code, where="")
    book = Book(code=code, name=_text(name, "book name", 200), currency=currency, created_at=_now())
    session.add(book)
    session.flush()
    return book


def open_account(
    session: Session,
    book: Book,
    code: str,
    name: str,
    kind: AccountKind,
    *,
    opened_on: date,
    tracks_items: bool = False,
) -> Account:
    code = _code(code, "account code", 64)
    opened_on = _date(opened_on, "opening date")
    exists = session.scalar(
        select(Account.id).where(Account.book_id == book.id, Account.code == code)
    )
    if exists is not None:
        raise DuplicateCode(
            what="Account", code=code, where=Phrase(N_(" in book %(book)s"), book=book.code)
        )
    account = Account(
        book=book,
        code=code,
        name=_text(name, "account name", 200),
        kind=AccountKind(kind),
        opened_on=opened_on,
        tracks_items=tracks_items,
    )
    session.add(account)
    session.flush()
    return account


def close_account(session: Session, account: Account, on: date) -> Account:
    """Close an account from the day after ``on``; only an account that is settled can close."""
    on = _date(on, "closing date")
    if account.closed_on is not None:
        raise AccountAlreadyClosed(account=account.code, closed=account.closed_on)
    _check_open(_facts(account, {}), on)
    balance, later = session.execute(
        select(
            func.coalesce(func.sum(Posting.amount_cents), 0),
            func.count().filter(Posting.entry_date > on),
        ).where(Posting.account_id == account.id)
    ).one()
    if balance != 0 or later:
        raise AccountHasBalance(account=account.code, date=on, balance=format_amount(balance))
    account.closed_on = on
    session.flush()
    return account


def _insert_entry(
    session: Session, book: Book, checked: _Checked, actor: str, **extra: object
) -> JournalEntry:
    entry = JournalEntry(
        book_id=book.id,
        entry_date=checked.entry_date,
        memo=checked.memo,
        reference=checked.reference,
        created_at=_now(),
        created_by=actor,
        **extra,
    )
    entry.postings = [
        Posting(
            account_id=account_id,
            book_id=book.id,
            entry_date=checked.entry_date,
            amount_cents=cents,
            memo=memo,
        )
        for account_id, cents, memo in checked.lines
    ]
    session.add(entry)
    session.flush()
    return entry


def post(
    session: Session,
    book: Book,
    entry_date: date,
    legs: Sequence[Leg],
    *,
    memo: str,
    actor: str,
    reference: str | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Post one balanced entry. Refused unless balanced, accounts open and the date unlocked."""
    checked = _normalise(book, EntryDraft(entry_date, legs, memo, reference), {})
    if key is not None:
        print_ = keys.fingerprint(_print(book, checked))
        earlier = keys.repeat_of(session, key, "post", print_)
        if earlier is not None:
            return session.scalars(
                select(JournalEntry).where(JournalEntry.operation_id == earlier.id)
            ).one()
    _check_state(book, _lock_date(session, book), checked)
    _check_designations(session, checked)
    operation_id = None
    if key is not None:
        operation_id = keys.record(session, key, "post", print_, actor).id
    entry = _insert_entry(session, book, checked, actor, operation_id=operation_id)
    _track(session, book, [(entry.id, checked, [p.id for p in entry.postings])], actor)
    return entry


def post_many(
    session: Session,
    book: Book,
    drafts: Sequence[EntryDraft],
    *,
    actor: str,
    key: str | None = None,
) -> BatchResult:
    """Post many entries of one book at once, all or nothing, with bulk inserts.

    Every draft is checked exactly as :func:`post` would before anything is written. This is the
    path for charge runs, imports and data generation, where thousands of entries are one operation.
    """
    cache: dict[int, _AccountFacts] = {}
    checked = [_normalise(book, draft, cache) for draft in drafts]
    if key is not None:
        print_ = keys.fingerprint([_print(book, c) for c in checked])
        earlier = keys.repeat_of(session, key, "post_many", print_)
        if earlier is not None:
            ids = session.scalars(
                select(JournalEntry.id)
                .where(JournalEntry.operation_id == earlier.id)
                .order_by(JournalEntry.id)
            ).all()
            return BatchResult(list(ids), created=False)
    lock = _lock_date(session, book)
    for c in checked:
        _check_state(book, lock, c)
        _check_designations(session, c)
    operation_id = None
    if key is not None:
        operation_id = keys.record(session, key, "post_many", print_, actor).id
    if not checked:
        return BatchResult([], created=True)
    session.flush()  # anything pending must reach the database before the raw inserts
    now = _now()
    entries = [
        {
            "book_id": book.id,
            "entry_date": c.entry_date,
            "memo": c.memo,
            "reference": c.reference,
            "created_at": now,
            "created_by": actor,
            "operation_id": operation_id,
            "reverses_id": None,
            "reason": None,
        }
        for c in checked
    ]
    entry_ids = reserve_ids(session, JournalEntry.__table__, entries[0], len(entries))
    insert_rows(
        session,
        JournalEntry.__table__,
        [row | {"id": entry_id} for entry_id, row in zip(entry_ids[1:], entries[1:], strict=True)],
    )
    postings = [
        {
            "entry_id": entry_id,
            "account_id": account_id,
            "book_id": book.id,
            "entry_date": c.entry_date,
            "amount_cents": cents,
            "memo": memo,
        }
        for entry_id, c in zip(entry_ids, checked, strict=True)
        for account_id, cents, memo in c.lines
    ]
    posting_ids = reserve_ids(session, Posting.__table__, postings[0], len(postings))
    insert_rows(
        session,
        Posting.__table__,
        [row | {"id": pid} for pid, row in zip(posting_ids[1:], postings[1:], strict=True)],
    )
    position = 0
    new: list[tuple[int, _Checked, Sequence[int]]] = []
    for entry_id, c in zip(entry_ids, checked, strict=True):
        new.append((entry_id, c, posting_ids[position : position + len(c.lines)]))
        position += len(c.lines)
    _track(session, book, new, actor)
    return BatchResult(entry_ids, created=True)


def reverse(
    session: Session,
    entry: JournalEntry,
    *,
    reason: str,
    actor: str,
    on: date | None = None,
    key: str | None = None,
) -> JournalEntry:
    """Cancel ``entry`` with a new entry of opposite postings, linked to it.

    The reversal is dated ``on``, by default the original entry's date, so that the correction
    nets out in the same period; when that period is locked the caller must choose a later date.
    """
    reason_text = _text(reason, "reason", 400)
    on = entry.entry_date if on is None else _date(on, "reversal date")
    book = entry.book
    if key is not None:
        print_ = keys.fingerprint([entry.id, reason_text, on.isoformat()])
        earlier = keys.repeat_of(session, key, "reverse", print_)
        if earlier is not None:
            return session.scalars(
                select(JournalEntry).where(JournalEntry.operation_id == earlier.id)
            ).one()
    if entry.reverses_id is not None:
        raise ReversalOfReversal(entry=entry.id, original=entry.reverses_id)
    by = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id))
    if by is not None:
        raise AlreadyReversed(entry=entry.id, by=by)
    if on < entry.entry_date:
        raise ReversalBeforeOriginal(date=on, original=entry.entry_date)
    lock = _lock_date(session, book)
    if lock is not None and on <= lock:
        raise BookLocked(book=book.code, lock_date=lock, date=on)
    # The original's accounts may have closed since; a reversal must still be possible on a date
    # they were open, which the check below enforces like any other posting.
    legs = [Leg(p.account, from_cents(-p.amount_cents), p.memo) for p in entry.postings]
    checked = _normalise(
        book, EntryDraft(on, legs, f"Reversal of #{entry.id}: {reason_text}", entry.reference), {}
    )
    _check_state(book, lock, checked)
    operation_id = None
    if key is not None:
        operation_id = keys.record(session, key, "reverse", print_, actor).id
    reversal = _insert_entry(
        session,
        book,
        checked,
        actor,
        reverses_id=entry.id,
        reason=reason_text,
        operation_id=operation_id,
    )
    pairs = [
        (original.id, mirrored.id)
        for original, mirrored in zip(entry.postings, reversal.postings, strict=True)
        if original.account.tracks_items
    ]
    if pairs:
        openitems.add_items(
            session,
            [
                openitems.NewItem(p.id, p.account_id, book.id, on, p.amount_cents)
                for p in reversal.postings
                if p.account.tracks_items
            ],
        )
        openitems.settle_reversal(session, pairs, on=on, entry_id=reversal.id, actor=actor)
    return reversal


def lock_book(session: Session, book: Book, until: date, *, actor: str) -> Book:
    """Move the book's lock date forward to ``until`` (inclusive); it never moves back."""
    until = _date(until, "lock date")
    current = session.scalar(select(Book.lock_date).where(Book.id == book.id).with_for_update())
    if current is not None and until < current:
        raise LockDateBackwards(book=book.code, current=current, requested=until)
    if current == until:
        return book
    book.lock_date = until
    session.add(
        LockEvent(
            book_id=book.id,
            previous_lock_date=current,
            lock_date=until,
            set_by=actor,
            set_at=_now(),
        )
    )
    session.flush()
    return book
