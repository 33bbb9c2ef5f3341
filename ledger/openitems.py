"""Open items: which charges of a debtor are still unpaid and which credit is still unused.

Every posting to an account that tracks items (a debtor's) is an *item*: a debit is a charge, a
credit is a payment or any other credit. Credits settle charges through :class:`Allocation` rows:

1. first the charges the payer designated, in the order named (art. 1193 c.c., first paragraph);
2. then, oldest first: open charges by due date against open credits by date, both in posting
   order within a day (art. 1193, second paragraph, as PRODUCT.md 4.3 simplifies it).

After every posting no account has both an unpaid charge and unused credit, so an overpayment is
credit that the next charge consumes at once. A reversal *releases* what its original had settled
(negative allocation rows dated on the reversal), then settles the original against its reversal,
so a reversed payment re-opens exactly the charges it had paid and a reversed charge frees the
credit that had paid it. Allocations are never changed or deleted: the state of every item as of
any date can be recomputed from them, and :func:`verify` does so.

Only :mod:`ledger.posting` calls the writing functions here, inside its own operations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, func, literal_column, select, union_all, update
from sqlalchemy.orm import Session, aliased

from ledger.bulk import among, insert_rows
from ledger.errors import (
    N_,
    DesignatedItemElsewhere,
    DesignatedItemSameSide,
    DesignatedItemSettled,
    NotAnOpenItemAccount,
)
from ledger.models import Account, Allocation, AllocationKind, OpenItem, Posting

#: Written as a literal so that both databases match the partial index on unsettled items.
_UNSETTLED = OpenItem.open_cents != literal_column("0")
_CHUNK = 500  # ids per IN list, well below SQLite's limit on bound parameters


@dataclass(frozen=True)
class ItemPosition:
    """An item and what was left of it on a given date."""

    account_id: int
    posting_id: int
    item_date: date
    amount_cents: int
    open_cents: int

    @property
    def is_charge(self) -> bool:
        return self.amount_cents > 0


@dataclass
class _Item:
    posting_id: int
    account_id: int
    item_date: date
    amount: int
    open: int
    last: date | None
    changed: bool = False


@dataclass(frozen=True)
class NewItem:
    posting_id: int
    account_id: int
    book_id: int
    item_date: date
    amount_cents: int


class _Allocator:
    """Collects allocation rows and item changes, then writes them in two statements."""

    def __init__(
        self, entry_of: Mapping[int, int], actor: str, floor: date | None, default: int | None
    ) -> None:
        self.entry_of, self.actor, self.floor, self.default = entry_of, actor, floor, default
        self.rows: list[dict[str, object]] = []
        self.now = datetime.now(UTC)

    def allocate(self, debit: _Item, credit: _Item, cents: int, kind: AllocationKind) -> None:
        dates = [debit.item_date, credit.item_date]
        if self.floor is not None:
            dates.append(self.floor)
        effective = max(dates)
        self.rows.append(
            {
                "account_id": debit.account_id,
                "debit_posting_id": debit.posting_id,
                "credit_posting_id": credit.posting_id,
                "amount_cents": cents,
                "effective_date": effective,
                "kind": kind.value,
                "entry_id": self.entry_of.get(credit.posting_id)
                or self.entry_of.get(debit.posting_id)
                or self.default,
                "created_at": self.now,
                "created_by": self.actor,
            }
        )
        debit.open -= cents
        credit.open += cents
        for item in (debit, credit):
            item.last = effective if item.last is None else max(item.last, effective)
            item.changed = True

    def oldest_first(self, items: Iterable[_Item]) -> None:
        ordered = sorted(items, key=lambda i: (i.item_date, i.posting_id))
        debits = [i for i in ordered if i.open > 0]
        credits = [i for i in ordered if i.open < 0]
        d = c = 0
        while d < len(debits) and c < len(credits):
            debit, credit = debits[d], credits[c]
            self.allocate(debit, credit, min(debit.open, -credit.open), AllocationKind.OLDEST_FIRST)
            d += debit.open == 0
            c += credit.open == 0

    def write(self, session: Session, items: Iterable[_Item]) -> None:
        changed = [
            {"pid": i.posting_id, "open": i.open, "last": i.last} for i in items if i.changed
        ]
        if changed:
            table = OpenItem.__table__
            session.execute(
                update(table)
                .where(table.c.posting_id == bindparam("pid"))
                .values(open_cents=bindparam("open"), last_allocated=bindparam("last")),
                changed,
            )
        insert_rows(session, Allocation.__table__, self.rows)


def _item(row: object) -> _Item:
    return _Item(*row)  # type: ignore[misc]


_ITEM_COLUMNS = (
    OpenItem.posting_id,
    OpenItem.account_id,
    OpenItem.item_date,
    OpenItem.amount_cents,
    OpenItem.open_cents,
    OpenItem.last_allocated,
)


def _chunks(ids: Collection[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _unsettled(session: Session, account_ids: Collection[int]) -> dict[int, list[_Item]]:
    found: dict[int, list[_Item]] = defaultdict(list)
    for chunk in _chunks(account_ids):
        rows = session.execute(
            select(*_ITEM_COLUMNS).where(OpenItem.account_id.in_(chunk), _UNSETTLED)
        )
        for row in rows:
            found[row.account_id].append(_item(row))
    return found


def add_items(session: Session, items: Sequence[NewItem]) -> None:
    insert_rows(
        session,
        OpenItem.__table__,
        [
            {
                "posting_id": i.posting_id,
                "account_id": i.account_id,
                "book_id": i.book_id,
                "item_date": i.item_date,
                "amount_cents": i.amount_cents,
                "open_cents": i.amount_cents,
                "last_allocated": None,
            }
            for i in items
        ],
    )


def check_designation(
    session: Session,
    *,
    account_id: int,
    account_code: str,
    tracks_items: bool,
    cents: int,
    targets: Sequence[int],
) -> None:
    """Refuse, before anything is written, a designation that could not be honoured."""
    if not tracks_items:
        raise NotAnOpenItemAccount(account=account_code)
    found = {
        row.posting_id: row
        for row in session.execute(
            select(OpenItem.posting_id, OpenItem.account_id, OpenItem.open_cents).where(
                OpenItem.posting_id.in_(list(targets))
            )
        )
    }
    for target in targets:
        row = found.get(target)
        if row is None or row.account_id != account_id:
            raise DesignatedItemElsewhere(item=target, account=account_code)
        if row.open_cents == 0:
            raise DesignatedItemSettled(item=target, account=account_code)
        if (row.open_cents > 0) == (cents > 0):
            side = N_("charge") if cents > 0 else N_("credit")
            raise DesignatedItemSameSide(item=target, account=account_code, side=side)


def settle(
    session: Session,
    account_ids: Collection[int],
    *,
    entry_of: Mapping[int, int],
    actor: str,
    entry_id: int | None = None,
    designations: Mapping[int, Sequence[int]] | None = None,
    floor: date | None = None,
) -> int:
    """Settle what can be settled on ``account_ids``; returns the number of allocations made.

    ``entry_of`` maps each new posting to its entry, which is recorded as the cause of the
    allocations it takes part in (``entry_id`` for the others, after a reversal).
    ``designations`` maps a new posting to the items it should settle first. ``floor`` is the
    earliest effective date allowed (a reversal's date), so that nothing re-settled after a
    release appears settled before the release happened.
    """
    if not account_ids:
        return 0
    items = _unsettled(session, account_ids)
    allocator = _Allocator(entry_of, actor, floor, entry_id)
    by_id = {i.posting_id: i for group in items.values() for i in group}
    for source_id, targets in (designations or {}).items():
        source = by_id[source_id]
        for target_id in targets:
            target = by_id.get(target_id)
            if source.open == 0:
                break
            if target is None or target.open == 0:
                continue
            debit, credit = (target, source) if source.open < 0 else (source, target)
            allocator.allocate(
                debit, credit, min(debit.open, -credit.open), AllocationKind.DESIGNATED
            )
    for group in items.values():
        allocator.oldest_first(group)
    allocator.write(session, by_id.values())
    return len(allocator.rows)


def accounts_with_credit(session: Session, book_id: int, account_ids: Collection[int]) -> set[int]:
    """Which of ``account_ids`` hold unused credit (few do: the partial index is small)."""
    rows = session.scalars(
        select(OpenItem.account_id)
        .where(OpenItem.book_id == book_id, OpenItem.open_cents < literal_column("0"))
        .distinct()
    )
    wanted = set(account_ids)
    return {account_id for account_id in rows if account_id in wanted}


def settle_reversal(
    session: Session,
    pairs: Sequence[tuple[int, int]],
    *,
    on: date,
    entry_id: int,
    actor: str,
) -> None:
    """Undo what each original posting had settled, then settle it against its reversal.

    ``pairs`` holds ``(original posting, reversing posting)`` for the postings of tracked
    accounts; the reversing postings' items must already exist.
    """
    ids = [p for pair in pairs for p in pair]
    released: dict[tuple[int, int], int] = {}  # (debit, credit) -> net cents to release
    for chunk in _chunks([original for original, _ in pairs]):
        rows = session.execute(
            select(
                Allocation.debit_posting_id,
                Allocation.credit_posting_id,
                func.sum(Allocation.amount_cents),
            )
            .where(Allocation.debit_posting_id.in_(chunk) | Allocation.credit_posting_id.in_(chunk))
            .group_by(Allocation.debit_posting_id, Allocation.credit_posting_id)
        )
        released.update({(d, c): net for d, c, net in rows if net != 0})
    ids += [p for pair in released for p in pair]
    items = {}
    for chunk in _chunks(set(ids)):
        for row in session.execute(select(*_ITEM_COLUMNS).where(OpenItem.posting_id.in_(chunk))):
            items[row.posting_id] = _item(row)
    allocator = _Allocator({}, actor, on, entry_id)
    for (debit_id, credit_id), net in released.items():
        allocator.allocate(items[debit_id], items[credit_id], -net, AllocationKind.RELEASE)
    for original_id, reversal_id in pairs:
        original, reversal = items[original_id], items[reversal_id]
        debit, credit = (original, reversal) if original.amount > 0 else (reversal, original)
        allocator.allocate(debit, credit, debit.open, AllocationKind.REVERSAL)
    allocator.write(session, items.values())
    settle(
        session,
        {i.account_id for i in items.values()},
        entry_of={},
        entry_id=entry_id,
        actor=actor,
        floor=on,
    )


def positions(
    session: Session,
    as_of: date,
    *,
    account_ids: Collection[int] | None = None,
    book_ids: Collection[int] | None = None,
) -> list[ItemPosition]:
    """Every item dated on or before ``as_of`` that was not settled on that date.

    Two reads. Items unsettled today and not touched after ``as_of`` are read as they stand from
    the covering partial index of unsettled items; items with an allocation after ``as_of`` (none,
    for a report as of today) are recomputed from their allocations. The queries are kept
    separate so that each database picks its one index.
    """
    filters = [OpenItem.item_date <= as_of]
    if account_ids is not None:
        filters.append(among(OpenItem.account_id, account_ids))
    if book_ids is not None:
        filters.append(among(OpenItem.book_id, book_ids))
    columns = (
        OpenItem.account_id,
        OpenItem.posting_id,
        OpenItem.item_date,
        OpenItem.amount_cents,
    )
    found: list[ItemPosition] = []
    for account_id, posting_id, item_date, amount, open_cents, last in session.execute(
        select(*columns, OpenItem.open_cents, OpenItem.last_allocated).where(*filters, _UNSETTLED)
    ):
        if last is None or last <= as_of:
            found.append(ItemPosition(account_id, posting_id, item_date, amount, open_cents))

    found.extend(p for p in _recomputed(session, as_of, filters) if p.open_cents != 0)
    found.sort(key=lambda p: (p.account_id, p.item_date, p.posting_id))
    return found


def _recomputed(session: Session, as_of: date, filters: list[Any]) -> list[ItemPosition]:
    """The items allocated after ``as_of``, with what was open of each on that date."""

    def settled_by(side: object) -> object:
        return (
            select(func.coalesce(func.sum(Allocation.amount_cents), 0))
            .where(side == OpenItem.posting_id, Allocation.effective_date <= as_of)
            .scalar_subquery()
        )

    query = select(
        OpenItem.account_id,
        OpenItem.posting_id,
        OpenItem.item_date,
        OpenItem.amount_cents,
        OpenItem.amount_cents
        - settled_by(Allocation.debit_posting_id)
        + settled_by(Allocation.credit_posting_id),
    ).where(*filters, OpenItem.last_allocated > as_of)
    return [ItemPosition(*row) for row in session.execute(query)]


@dataclass
class AccountBands:
    """One account's open charges summed by age band, and its unused credit, on one date."""

    account_id: int
    #: Open charges per band index (0 = dated on or after the first cut), in cents.
    bands: dict[int, int] = field(default_factory=dict)
    credit_cents: int = 0
    #: The dates of the oldest and of the latest open charge of each band.
    first: dict[int, date] = field(default_factory=dict)
    last: dict[int, date] = field(default_factory=dict)

    @property
    def oldest(self) -> date | None:
        """Date of the oldest open charge, or None when no charge is open."""
        return min(self.first.values(), default=None)


def age_bands(
    session: Session,
    as_of: date,
    cuts: Sequence[date],
    *,
    accounts: Select[tuple[int]] | Collection[int] | None = None,
    book_ids: Collection[int] | None = None,
) -> dict[int, AccountBands]:
    """What :func:`positions` holds, summed per account and age band by the database.

    ``cuts`` are dates, latest first: a charge dated on or after ``cuts[0]`` is in band 0, one
    dated on or after ``cuts[1]`` (and before ``cuts[0]``) in band 1, …, anything older in band
    ``len(cuts)``. ``accounts`` may be a query of account ids, so that a large selection (every
    flat of a housing body) never travels as a list of ids. At profile M a report as of today sums
    some 40,000 items: returning one row per account and band instead of one per item is what
    keeps the arrears pages fast. Items touched after ``as_of`` (none for a report as of today)
    are recomputed one by one as :func:`positions` does and added in Python.
    """
    filters = [OpenItem.item_date <= as_of]
    if isinstance(accounts, Select):
        filters.append(OpenItem.account_id.in_(accounts))
    elif accounts is not None:
        filters.append(among(OpenItem.account_id, accounts))
    if book_ids is not None:
        # Through the accounts: the book is not in the covering index of unsettled items.
        filters.append(
            OpenItem.account_id.in_(
                select(Account.id).where(among(Account.book_id, book_ids), Account.tracks_items)
            )
        )
    is_charge = (OpenItem.amount_cents > 0) & (OpenItem.open_cents > 0)
    band = case(
        *((is_charge & (OpenItem.item_date >= cut), index) for index, cut in enumerate(cuts)),
        (is_charge, len(cuts)),
        else_=-1,
    ).label("band")
    untouched = (
        select(
            OpenItem.account_id,
            band,
            func.sum(OpenItem.open_cents),
            func.min(OpenItem.item_date),
            func.max(OpenItem.item_date),
        )
        .where(
            *filters,
            _UNSETTLED,
            (OpenItem.last_allocated.is_(None)) | (OpenItem.last_allocated <= as_of),
        )
        .group_by(OpenItem.account_id, band)
    )
    found: dict[int, AccountBands] = {}

    def add(account_id: int, index: int, cents: int, first: date, last: date) -> None:
        row = found.get(account_id)
        if row is None:
            row = found[account_id] = AccountBands(account_id)
        if index < 0:
            row.credit_cents += cents
            return
        row.bands[index] = row.bands.get(index, 0) + cents
        row.first[index] = min(first, row.first.get(index, first))
        row.last[index] = max(last, row.last.get(index, last))

    for account_id, index, cents, first, last in session.execute(untouched):
        add(account_id, int(index), int(cents), first, last)
    for p in _recomputed(session, as_of, filters):
        if p.open_cents == 0:
            continue
        index = -1
        if p.is_charge and p.open_cents > 0:
            index = next((i for i, cut in enumerate(cuts) if p.item_date >= cut), len(cuts))
        add(p.account_id, index, p.open_cents, p.item_date, p.item_date)
    return found


def allocations_of(session: Session, posting_id: int) -> list[Allocation]:
    """Every allocation touching one item, in the order they were made: its audit trail."""
    return list(
        session.scalars(
            select(Allocation)
            .where(
                (Allocation.debit_posting_id == posting_id)
                | (Allocation.credit_posting_id == posting_id)
            )
            .order_by(Allocation.id)
        )
    )


def verify(session: Session, account_ids: Collection[int] | None = None) -> list[str]:
    """Recompute every item from its allocations; describe each disagreement (none expected).

    Checks that each item's open amount equals its amount less what allocations settled, that
    no allocation is effective before either of its postings, and that no account holds both an
    unpaid charge and unused credit.
    """
    problems: list[str] = []
    debit_sums = (
        select(Allocation.debit_posting_id.label("pid"), Allocation.amount_cents.label("a"))
    ).subquery()
    credit_sums = (
        select(Allocation.credit_posting_id.label("pid"), (-Allocation.amount_cents).label("a"))
    ).subquery()
    both = union_all(select(debit_sums), select(credit_sums)).subquery()
    settled = select(both.c.pid, func.sum(both.c.a).label("settled")).group_by(both.c.pid)
    settled_sq = settled.subquery()
    query = select(
        OpenItem.posting_id,
        OpenItem.account_id,
        OpenItem.amount_cents,
        OpenItem.open_cents,
        func.coalesce(settled_sq.c.settled, 0),
    ).outerjoin(settled_sq, settled_sq.c.pid == OpenItem.posting_id)
    if account_ids is not None:
        query = query.where(OpenItem.account_id.in_(list(account_ids)))
    sides: dict[int, set[bool]] = defaultdict(set)
    for posting_id, account_id, amount, open_cents, settled_cents in session.execute(query):
        if amount - settled_cents != open_cents:
            problems.append(
                f"item #{posting_id}: open {open_cents} but amount {amount} less "
                f"allocations {settled_cents} is {amount - settled_cents}"
            )
        if open_cents:
            sides[account_id].add(open_cents > 0)
    problems += [
        f"account id {account_id} has both unpaid charges and unused credit"
        for account_id, signs in sides.items()
        if len(signs) == 2
    ]
    debit, credit = aliased(Posting), aliased(Posting)
    early = session.scalar(
        select(func.count())
        .select_from(Allocation)
        .join(debit, debit.id == Allocation.debit_posting_id)
        .join(credit, credit.id == Allocation.credit_posting_id)
        .where(
            (Allocation.effective_date < debit.entry_date)
            | (Allocation.effective_date < credit.entry_date)
        )
    )
    if early:
        problems.append(f"{early} allocations are effective before one of their postings")
    return problems


__all__ = [
    "ItemPosition",
    "NewItem",
    "accounts_with_credit",
    "add_items",
    "allocations_of",
    "check_designation",
    "positions",
    "settle",
    "settle_reversal",
    "verify",
]
