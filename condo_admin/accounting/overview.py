"""The figures an administrator's dashboard opens with: the debtors' balance month by month.

The balance on a month's last day is the sum of the debtor balances then, counted back from
today's (which the aging already has) through the postings since: one grouped read of the last
months rather than one aging per month or a sum over the whole history.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import CreditorBook, DebtorAccount
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
    session: Session,
    book_ids: Collection[int],
    as_of: date,
    months: int = 12,
    *,
    now_cents: int | None = None,
) -> list[tuple[date, Decimal]]:
    """Sum of the debtor balances of ``book_ids`` on each month end up to ``as_of``.

    Counted backwards from the balance on ``as_of`` (``now_cents`` when the caller has it, e.g.
    from the aging, whose total is that balance), so only the last months' postings are read.
    """
    ends = month_ends(as_of, months)
    if not book_ids:
        return [(end, Decimal("0.00")) for end in ends]
    debtor_accounts = select(DebtorAccount.account_id).where(
        DebtorAccount.book_id.in_(list(book_ids))
    )
    if now_cents is None:
        now_cents = int(
            session.scalar(
                select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
                    Posting.account_id.in_(debtor_accounts), Posting.entry_date <= as_of
                )
            )
        )
    later = dict(
        session.execute(
            select(Posting.entry_date, func.sum(Posting.amount_cents))
            .where(
                Posting.account_id.in_(debtor_accounts),
                Posting.entry_date > ends[0],
                Posting.entry_date <= as_of,
            )
            .group_by(Posting.entry_date)
        ).all()
    )
    out: list[tuple[date, Decimal]] = []
    for end in ends:
        after = sum(int(cents) for day, cents in later.items() if day > end)
        out.append((end, from_cents(now_cents - after)))
    return out
