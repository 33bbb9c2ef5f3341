"""Arrears aging: who owes what, and since when, as of any date (PRODUCT.md 4.3).

Built on the ledger's open items, so an unpaid charge is aged by its own due date however the
payments in between were allocated. Unused credit is shown in its own column rather than netted
against old charges: the allocation rules already applied every credit they could, and a report
as of a past date shows the position as it stood then. The total of a row is therefore exactly
the balance of its debtor accounts, and the report's total equals the sum of all debtor
balances in the trial balance.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.exporting import Cell, Chart, Table
from condo_admin.registry.models import Building, Household, HousingBody, Occupancy, Unit
from ledger import openitems
from ledger.bulk import among
from ledger.models import Book
from ledger.money import from_cents


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    #: Days past due, inclusive; ``None`` is open-ended.
    low: int | None
    high: int | None

    def holds(self, days: int) -> bool:
        return (self.low is None or days >= self.low) and (self.high is None or days <= self.high)


#: The buckets of PRODUCT.md 4.3, by days past due. A charge due today is current.
BUCKETS: tuple[Bucket, ...] = (
    Bucket("current", "current", None, 0),
    Bucket("d1_30", "1–30", 1, 30),
    Bucket("d31_90", "31–90", 31, 90),
    Bucket("d91_180", "91–180", 91, 180),
    Bucket("d181_365", "181–365", 181, 365),
    Bucket("over_365", "over 365", 366, None),
)


class Delinquency(enum.StrEnum):
    """How late the oldest unpaid charge is; one word the desk can sort and filter by."""

    IN_CREDIT = "in_credit"  # nothing owed, credit left
    CLEAR = "clear"  # nothing past due
    LATE = "late"  # oldest unpaid charge 1–30 days past due
    ARREARS = "arrears"  # 31–90 days
    SERIOUS = "serious"  # 91–365 days
    CHRONIC = "chronic"  # over a year

    @classmethod
    def of(cls, oldest_days: int | None, total_cents: int) -> Delinquency:
        if oldest_days is None or oldest_days <= 0:
            return cls.IN_CREDIT if total_cents < 0 else cls.CLEAR
        if oldest_days <= 30:
            return cls.LATE
        if oldest_days <= 90:
            return cls.ARREARS
        if oldest_days <= 365:
            return cls.SERIOUS
        return cls.CHRONIC


class GroupBy(enum.StrEnum):
    HOUSEHOLD = "household"
    UNIT = "unit"
    BUILDING = "building"
    BODY = "body"
    BOOK = "book"


@dataclass(frozen=True)
class _Owner:
    """What an aging row can be grouped by, for one debtor account."""

    household: tuple[str, str]
    unit: tuple[str, str]
    building: tuple[str, str]
    body: tuple[str, str]
    book: tuple[str, str]


@dataclass
class AgingRow:
    key: str
    name: str
    #: Open charges per bucket key, in cents.
    buckets: dict[str, int] = field(default_factory=lambda: {b.key: 0 for b in BUCKETS})
    credit_cents: int = 0
    oldest_days: int | None = None
    accounts: set[int] = field(default_factory=set)

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values()) + self.credit_cents

    @property
    def overdue_cents(self) -> int:
        return self.total_cents - self.buckets["current"] - self.credit_cents

    @property
    def status(self) -> Delinquency:
        return Delinquency.of(self.oldest_days, self.total_cents)

    def amount(self, bucket: str) -> Decimal:
        return from_cents(self.buckets[bucket])

    @property
    def credit(self) -> Decimal:
        return from_cents(self.credit_cents)

    @property
    def total(self) -> Decimal:
        return from_cents(self.total_cents)

    def add(self, other: AgingRow) -> None:
        for key, cents in other.buckets.items():
            self.buckets[key] += cents
        self.credit_cents += other.credit_cents
        if other.oldest_days is not None:
            self.oldest_days = max(self.oldest_days or 0, other.oldest_days)
        self.accounts |= other.accounts


@dataclass
class AgingReport:
    as_of: date
    by: GroupBy
    rows: list[AgingRow]
    totals: AgingRow


def _owners(session: Session, account_ids: Collection[int]) -> dict[int, _Owner]:
    owners: dict[int, _Owner] = {}
    ordered = sorted(account_ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        rows = session.execute(
            select(
                DebtorAccount.account_id,
                Household.code,
                Household.name,
                Unit.code,
                Building.code,
                Building.name,
                HousingBody.code,
                HousingBody.name,
                Book.code,
                Book.name,
            )
            .join(Household, Household.id == DebtorAccount.household_id)
            .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
            .join(Unit, Unit.id == Occupancy.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .outerjoin(HousingBody, HousingBody.id == Unit.owner_body_id)
            .join(Book, Book.id == DebtorAccount.book_id)
            .where(among(DebtorAccount.account_id, chunk))
        )
        for (
            account_id,
            hh_code,
            hh_name,
            unit_code,
            b_code,
            b_name,
            body_code,
            body_name,
            book_code,
            book_name,
        ) in rows:
            owners[account_id] = _Owner(
                household=(hh_code, hh_name),
                unit=(f"{b_code}/{unit_code}", b_name),
                building=(b_code, b_name),
                body=(body_code or "-", body_name or "no housing body"),
                book=(book_code, book_name),
            )
    return owners


def _cuts(as_of: date) -> list[date]:
    """The buckets' lower edges as item dates: a charge dated on or after cut n is in bucket n."""
    return [as_of - timedelta(days=b.high) for b in BUCKETS if b.high is not None]


def account_rows(
    session: Session,
    as_of: date,
    *,
    book_ids: Collection[int] | None = None,
    account_ids: Collection[int] | Select[tuple[int]] | None = None,
) -> dict[int, AgingRow]:
    """One aging row per debtor account with anything open on ``as_of``.

    The database sums the open items per account and bucket (``openitems.age_bands``).
    """
    rows: dict[int, AgingRow] = {}
    for account_id, bands in openitems.age_bands(
        session, as_of, _cuts(as_of), accounts=account_ids, book_ids=book_ids
    ).items():
        row = rows[account_id] = AgingRow(str(account_id), "")
        row.accounts.add(account_id)
        row.credit_cents = bands.credit_cents
        for index, cents in bands.bands.items():
            row.buckets[BUCKETS[index].key] += cents
        if bands.oldest is not None and bands.oldest < as_of:
            row.oldest_days = (as_of - bands.oldest).days
    return rows


def aging_report(
    session: Session,
    as_of: date,
    *,
    by: GroupBy | str = GroupBy.HOUSEHOLD,
    book_ids: Collection[int] | None = None,
    account_ids: Collection[int] | Select[tuple[int]] | None = None,
) -> AgingReport:
    """The aging as of ``as_of``, one row per ``by``, sorted by amount owed (largest first).

    ``book_ids`` and ``account_ids`` narrow it (a housing body sees its units' accounts only).
    """
    group = GroupBy(by)
    per_account = account_rows(session, as_of, book_ids=book_ids, account_ids=account_ids)
    owners = _owners(session, per_account)
    grouped: dict[str, AgingRow] = {}
    for account_id, row in per_account.items():
        key, name = getattr(owners[account_id], group.value)
        target = grouped.get(key)
        if target is None:
            target = grouped[key] = AgingRow(key, name)
        target.add(row)
    rows = sorted(grouped.values(), key=lambda r: (-r.total_cents, r.key))
    totals = AgingRow("total", "Total")
    for row in rows:
        totals.add(row)
    return AgingReport(as_of, group, rows, totals)


def summary(
    session: Session, as_of: date, *, book_ids: Collection[int] | None = None
) -> tuple[AgingRow, int]:
    """The report's totals and how many households owe something: what a dashboard shows.

    Cheaper than :func:`aging_report` by household, which reads every owner's name.
    """
    per_account = account_rows(session, as_of, book_ids=book_ids)
    households: dict[int, int] = defaultdict(int)
    ids = sorted(per_account)
    for start in range(0, len(ids), 500):
        for account_id, household_id in session.execute(
            select(DebtorAccount.account_id, DebtorAccount.household_id).where(
                among(DebtorAccount.account_id, ids[start : start + 500])
            )
        ):
            households[household_id] += per_account[account_id].total_cents
    totals = AgingRow("total", "Total")
    for row in per_account.values():
        totals.add(row)
    return totals, sum(1 for cents in households.values() if cents > 0)


def as_table(report: AgingReport) -> Table:
    """The report as rows of cells, with a chart of the amount in each bucket."""
    money = [b.label for b in BUCKETS] + ["credit", "total"]
    headers = [report.by.value, "name", "status", "accounts", *money]

    def values(row: AgingRow) -> list[Decimal]:
        return [row.amount(b.key) for b in BUCKETS] + [row.credit, row.total]

    rows: list[list[Cell]] = [
        [r.key, r.name, r.status.value, len(r.accounts), *values(r)] for r in report.rows
    ]
    totals = report.totals
    return Table(
        title=f"Arrears aging as of {report.as_of.isoformat()}, by {report.by.value}",
        headers=headers,
        rows=rows,
        footer=["total", "", "", len(totals.accounts), *values(totals)],
        chart=Chart(
            "Open charges by days past due",
            [b.label for b in BUCKETS],
            [totals.amount(b.key) for b in BUCKETS],
        ),
    )


__all__ = [
    "BUCKETS",
    "AgingReport",
    "AgingRow",
    "Delinquency",
    "GroupBy",
    "account_rows",
    "aging_report",
    "as_table",
    "summary",
]
