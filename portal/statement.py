"""A household's statement towards each creditor: lines with a running balance, by period.

A household may hold several debtor accounts in one book (it moved within the building, or left
and came back): the resident sees one statement per creditor, so the lines of those accounts are
merged in date order and the running balance is their sum. Every figure is read from the
ledger's covering index ``(account_id, entry_date, id, amount_cents)``: the period's opening
balance and totals in one query, the page's lines (keyset on ``(entry_date, posting id)``, as
``ledger.queries.statement`` pages) in another, and the balance before a later page in a third.
Each line carries what a resident needs to read it: the memo, the kind of the other side of the
entry (a charge, a payment, hours of community service...) and, for a correction, the entry it
cancels. Read-only, no Flask: the views, the downloads and the tests call it with a Session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount
from condo_admin.registry.models import Building, HousingBody, Occupancy, Unit, UnitKind
from ledger.errors import InvalidCursor
from ledger.models import Account, JournalEntry, Posting
from ledger.money import from_cents
from ledger.queries import cursor_of, parse_cursor

PAGE_SIZE = 50


def year_before(day: date) -> date:
    """The day after the same day a year earlier: a period of twelve months ending on ``day``."""
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        earlier = day.replace(year=day.year - 1, day=28)
    return earlier + timedelta(days=1)


@dataclass(frozen=True)
class Creditor:
    """One creditor of the household: its book and the household's debtor accounts in it."""

    book_id: int
    purpose: BookPurpose
    name: str  # the housing body's or the building's name
    account_ids: tuple[int, ...]
    #: The unit of each account (kind, code): a household renting a flat and a garage, or that
    #: moved, has several accounts with one creditor, and its lines say which unit they are for.
    units: dict[int, tuple[UnitKind, str]]

    @property
    def several_units(self) -> bool:
        return len(set(self.units.values())) > 1


def creditors(session: Session, household_id: int) -> list[Creditor]:
    """The household's creditors, rent first, in one query."""
    rows = session.execute(
        select(
            DebtorAccount.book_id,
            DebtorAccount.account_id,
            CreditorBook.purpose,
            HousingBody.name,
            Building.name,
            Unit.kind,
            Unit.code,
        )
        .join(CreditorBook, CreditorBook.book_id == DebtorAccount.book_id)
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Unit, Unit.id == Occupancy.unit_id)
        .outerjoin(Building, Building.id == CreditorBook.building_id)
        .outerjoin(HousingBody, HousingBody.id == CreditorBook.housing_body_id)
        .where(DebtorAccount.household_id == household_id)
        .order_by(DebtorAccount.id)
    )
    accounts: dict[int, list[int]] = defaultdict(list)
    named: dict[int, tuple[BookPurpose, str]] = {}
    units: dict[int, tuple[UnitKind, str]] = {}
    for book_id, account_id, purpose, body, building, kind, code in rows:
        accounts[book_id].append(account_id)
        named[book_id] = (purpose, body or building)  # exactly one of them (a check constraint)
        units[account_id] = (kind, code)
    found = [
        Creditor(
            book_id,
            named[book_id][0],
            named[book_id][1],
            tuple(ids),
            {account_id: units[account_id] for account_id in ids},
        )
        for book_id, ids in accounts.items()
    ]
    found.sort(key=lambda c: (c.purpose is not BookPurpose.RENT, c.name, c.book_id))
    return found


def creditor(session: Session, household_id: int, book_id: int) -> Creditor | None:
    """The household's creditor keeping ``book_id``; None when it has no account there."""
    return next((c for c in creditors(session, household_id) if c.book_id == book_id), None)


@dataclass(frozen=True)
class Period:
    """The figures of a period (both days included)."""

    start: date
    end: date
    opening: Decimal  # the balance before ``start``
    charged: Decimal  # the debits of the period
    credited: Decimal  # the credits of the period, as a positive amount
    lines: int

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged - self.credited


def period(session: Session, account_ids: tuple[int, ...], start: date, end: date) -> Period:
    """Opening balance, totals and number of lines of the period, summed from the index."""
    amount = Posting.amount_cents
    inside = Posting.entry_date >= start
    opening, charged, credited, count = session.execute(
        select(
            func.coalesce(func.sum(amount).filter(Posting.entry_date < start), 0),
            func.coalesce(func.sum(amount).filter(inside, amount > 0), 0),
            func.coalesce(func.sum(amount).filter(inside, amount < 0), 0),
            func.count().filter(inside),
        ).where(Posting.account_id.in_(account_ids), Posting.entry_date <= end)
    ).one()
    return Period(
        start, end, from_cents(opening), from_cents(charged), from_cents(-credited), int(count)
    )


class Kind:
    """What the other side of an entry says about it (by the code of the other account)."""

    CHARGE = "charge"  # an income account: rent, service charges, a one-off charge, an adjustment
    PAYMENT = "payment"  # the bank or the suspense account: money received (or paid back)
    COMMUNITY = "community"  # hours of community service credited
    WRITE_OFF = "write_off"  # debt the creditor gave up
    OPENING = "opening"  # a balance brought from before the ledger
    OTHER = "other"


def _kind(code: str | None) -> str:
    if code is None:
        return Kind.OTHER
    if code.startswith("INC."):
        return Kind.CHARGE
    return {
        "BANK": Kind.PAYMENT,
        "SUSPENSE": Kind.PAYMENT,
        "COMMUNITY": Kind.COMMUNITY,
        "WRITEOFF": Kind.WRITE_OFF,
        "OPENING": Kind.OPENING,
    }.get(code, Kind.OTHER)


@dataclass(frozen=True)
class Corrected:
    """The entry a correction (a reversal) cancels."""

    entry_date: date
    memo: str


@dataclass(frozen=True)
class Line:
    posting_id: int
    account_id: int
    entry_date: date
    memo: str
    kind: str  # a :class:`Kind`
    amount: Decimal  # positive: charged; negative: paid or credited
    balance: Decimal  # the balance right after this line
    corrects: Corrected | None

    @property
    def charged(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credited(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    opening: Decimal  # the balance before the page's first line
    next_cursor: str | None  # pass as ``after`` for the next page; None on the last


def lines(
    session: Session,
    account_ids: tuple[int, ...],
    found: Period,
    *,
    after: str | None = None,
    limit: int | None = PAGE_SIZE,
) -> Page:
    """The lines of ``found``'s period, oldest first: a page after ``after``, or all of them.

    A cursor outside the period is refused (:class:`ledger.errors.InvalidCursor`), so a page
    always carries the right running balance.
    """
    ids = list(account_ids)
    opening_cents = int(found.opening * 100)
    where = [
        Posting.account_id.in_(ids),
        Posting.entry_date >= found.start,
        Posting.entry_date <= found.end,
    ]
    if after is not None:
        cursor_date, cursor_id = parse_cursor(after)
        if not found.start <= cursor_date <= found.end:
            raise InvalidCursor(cursor=after)
        position = tuple_(Posting.entry_date, Posting.id)
        cursor = tuple_(literal(cursor_date), literal(cursor_id))
        # Row values, so that both databases seek straight into the covering index.
        opening_cents = session.scalar(
            select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
                Posting.account_id.in_(ids), position <= cursor
            )
        )
        where.append(position > cursor)

    other = aliased(Posting)
    # The other side of the entry, for the kind of the line: the first account code is enough
    # (a charge's other postings are all income accounts; a payment's is the bank).
    contra = (
        select(func.min(Account.code))
        .join(other, other.account_id == Account.id)
        .where(other.entry_id == Posting.entry_id, other.account_id.not_in(ids))
        .scalar_subquery()
    )
    original = aliased(JournalEntry)
    query = (
        select(
            Posting.id,
            Posting.account_id,
            Posting.entry_date,
            Posting.amount_cents,
            func.coalesce(Posting.memo, JournalEntry.memo),
            contra,
            original.entry_date,
            original.memo,
        )
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .outerjoin(original, original.id == JournalEntry.reverses_id)
        .where(*where)
        .order_by(Posting.entry_date, Posting.id)
    )
    if limit is not None:
        query = query.limit(limit + 1)
    rows = session.execute(query).all()
    shown = rows if limit is None else rows[:limit]
    running = opening_cents
    found_lines: list[Line] = []
    for posting_id, account_id, day, cents, memo, code, original_date, original_memo in shown:
        running += cents
        found_lines.append(
            Line(
                posting_id=posting_id,
                account_id=account_id,
                entry_date=day,
                memo=memo,
                kind=_kind(code),
                amount=from_cents(cents),
                balance=from_cents(running),
                corrects=None if original_date is None else Corrected(original_date, original_memo),
            )
        )
    next_cursor = None
    if limit is not None and len(rows) > limit:
        last = shown[-1]
        next_cursor = cursor_of(last[2], last[0])
    return Page(found_lines, from_cents(opening_cents), next_cursor)
