"""The figures an administrator's dashboard opens with: arrears over time, aging now.

Arrears on a month's last day are the sum of the debtor balances then: one grouped read of the
debtor postings by day, accumulated, rather than one aging per month.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.registry.models import Household
from ledger.models import Posting
from ledger.money import from_cents


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months up to ``as_of`` (whose own day ends it)."""
    ends: list[date] = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        last = date(year, month, calendar.monthrange(year, month)[1])
        ends.append(min(last, as_of))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


def agency_books(session: Session, agency_id: int) -> list[int]:
    return list(
        session.scalars(select(CreditorBook.book_id).where(CreditorBook.agency_id == agency_id))
    )


def arrears_by_month(
    session: Session, book_ids: Collection[int], as_of: date, months: int = 12
) -> list[tuple[date, Decimal]]:
    """Sum of the debtor balances of ``book_ids`` on each month end up to ``as_of``."""
    ends = month_ends(as_of, months)
    if not book_ids:
        return [(end, Decimal("0.00")) for end in ends]
    debtor_accounts = select(DebtorAccount.account_id).where(
        DebtorAccount.book_id.in_(list(book_ids))
    )
    before = session.scalar(
        select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
            Posting.account_id.in_(debtor_accounts), Posting.entry_date < ends[0].replace(day=1)
        )
    )
    rows = session.execute(
        select(Posting.entry_date, func.sum(Posting.amount_cents))
        .where(
            Posting.account_id.in_(debtor_accounts),
            Posting.entry_date >= ends[0].replace(day=1),
            Posting.entry_date <= as_of,
        )
        .group_by(Posting.entry_date)
        .order_by(Posting.entry_date)
    ).all()
    out: list[tuple[date, Decimal]] = []
    running, i = int(before), 0
    for end in ends:
        while i < len(rows) and rows[i][0] <= end:
            running += int(rows[i][1])
            i += 1
        out.append((end, from_cents(running)))
    return out


@dataclass(frozen=True)
class KeyFigures:
    households: int
    households_in_arrears: int
    arrears: Decimal


def key_figures(session: Session, agency_id: int, book_ids: Collection[int]) -> KeyFigures:
    households = session.scalar(
        select(func.count()).select_from(Household).where(Household.agency_id == agency_id)
    )
    owed = (
        select(DebtorAccount.household_id, func.sum(Posting.amount_cents).label("owed"))
        .join(Posting, Posting.account_id == DebtorAccount.account_id)
        .where(DebtorAccount.book_id.in_(list(book_ids) or [0]))
        .group_by(DebtorAccount.household_id)
        .subquery()
    )
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(owed.c.owed), 0)).where(owed.c.owed > 0)
    ).one()
    return KeyFigures(int(households or 0), int(count), from_cents(int(total)))
