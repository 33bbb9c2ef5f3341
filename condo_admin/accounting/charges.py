"""Charge runs: post what is due in a month, to whoever lives in each unit.

One run is one book and one month, one transaction and one idempotency key
(``charge-run:<book>:<YYYY-MM>``): running it again posts nothing and reports the first run.

Who pays when a household moves in or out during the month (PRODUCT.md 4.1, "say which"):

- **Service-charge installments are charged by installment**: the whole installment goes to the
  household occupying the unit on the installment's due date.
- **Rent is charged by days**: the month's rent is split over the days of the month by the
  largest-remainder method, and each occupancy pays for the days it covers. The entry is dated the
  first day of that occupancy in the month.
- Nothing is charged for a unit nobody occupies (on the due date, or on the days of the month
  without an occupancy); the run lists those units so the administrator can charge the owner.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.budgets import installment_charges
from condo_admin.accounting.debtors import Debtors
from condo_admin.accounting.errors import InvalidPeriod, InvalidRent, NothingToCharge
from condo_admin.accounting.models import (
    BookPurpose,
    Budget,
    BudgetStatus,
    CreditorBook,
    UnitRent,
)
from condo_admin.audit.operations import record as audit
from condo_admin.registry.models import Occupancy, Unit
from ledger.errors import N_, NotFound, Phrase
from ledger.models import Book, JournalEntry, OperationKey, Posting
from ledger.money import from_cents, split_largest_remainder, to_cents
from ledger.posting import EntryDraft, Leg, post_many

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.fullmatch(str(text).strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise InvalidPeriod(value=text)
        return cls(int(match[1]), int(match[2]))

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class ChargeRunResult:
    book: str
    period: str
    entries: int
    total: Decimal
    #: False when the run had already been made: nothing new was posted.
    created: bool
    #: Units (or parts of a month) left uncharged because nobody occupied them.
    not_charged: list[str] = field(default_factory=list)


def set_rent(
    session: Session, unit: Unit, monthly: Decimal | str, *, valid_from: date, actor: str
) -> UnitRent:
    """The monthly rent of ``unit`` from ``valid_from`` on (the 1st of a month)."""
    cents = to_cents(monthly, field=Phrase(N_("rent of unit %(unit)s"), unit=unit.label))
    if cents <= 0:
        raise InvalidRent(unit=unit.label, problem=N_("the monthly rent must be positive"))
    if type(valid_from) is not date or valid_from.day != 1:
        raise InvalidRent(unit=unit.label, problem=N_("a rent starts on the first day of a month"))
    if unit.owner_body_id is None:
        raise InvalidRent(unit=unit.label, problem=N_("the unit has no owning housing body"))
    exists = session.scalar(
        select(UnitRent.id).where(UnitRent.unit_id == unit.id, UnitRent.valid_from == valid_from)
    )
    if exists is not None:
        raise InvalidRent(
            unit=unit.label,
            problem=Phrase(N_("a rent from %(valid_from)s is already set"), valid_from=valid_from),
        )
    rent = UnitRent(
        unit_id=unit.id,
        valid_from=valid_from,
        monthly_cents=cents,
        set_by=actor,
        set_at=datetime.now(UTC),
    )
    session.add(rent)
    session.flush()
    audit(session, actor, "rent.set", rent)
    return rent


def run_key(book: Book, period: Period) -> str:
    return f"charge-run:{book.code}:{period}"


def run_charges(session: Session, book: Book, period: Period, *, actor: str) -> ChargeRunResult:
    """Post everything ``book``'s creditor is owed for ``period``; a repeat posts nothing."""
    creditor = session.get(CreditorBook, book.id)
    if creditor is None:
        raise NotFound(what=N_("Creditor of book"), ref=book.code)
    key = run_key(book, period)
    earlier = session.scalar(select(OperationKey).where(OperationKey.key == key))
    if earlier is not None:
        return _earlier_result(session, book, period, earlier)
    run = _Run(session, book, period, actor)
    if creditor.purpose is BookPurpose.SERVICE_CHARGES:
        run.installments(creditor)
    else:
        run.rent(creditor)
    if not run.drafts:
        raise NothingToCharge(book=book.code, period=str(period), why=run.why_nothing())
    result = post_many(session, book, run.drafts, actor=actor, key=key)
    total = sum(to_cents(d.legs[0].amount) for d in run.drafts)
    return ChargeRunResult(
        book.code, str(period), len(result.entry_ids), from_cents(total), True, run.not_charged
    )


def _earlier_result(
    session: Session, book: Book, period: Period, earlier: OperationKey
) -> ChargeRunResult:
    entries, total = session.execute(
        select(
            func.count(func.distinct(JournalEntry.id)),
            func.coalesce(func.sum(Posting.amount_cents), 0),
        )
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .where(JournalEntry.operation_id == earlier.id, Posting.amount_cents > 0)
    ).one()
    return ChargeRunResult(book.code, str(period), entries, from_cents(total), False)


class _Run:
    """Builds the drafts of one run, loading what it needs in a few queries."""

    def __init__(self, session: Session, book: Book, period: Period, actor: str) -> None:
        self.session, self.book, self.period, self.actor = session, book, period, actor
        self.drafts: list[EntryDraft] = []
        self.not_charged: list[str] = []
        self.reasons: list[str] = []
        self.debtors = Debtors(session, book, actor)

    def why_nothing(self) -> str:
        if len(self.reasons) == 1:
            return self.reasons[0]
        return "; ".join(self.reasons) or N_("every unit was vacant")

    def installments(self, creditor: CreditorBook) -> None:
        budgets = self.session.scalars(
            select(Budget).where(
                Budget.book_id == self.book.id,
                Budget.status.in_([BudgetStatus.APPROVED, BudgetStatus.CLOSED]),
            )
        ).all()
        due = [
            (budget, charge)
            for budget in budgets
            for charge in installment_charges(self.session, budget)
            if self.period.first <= charge.due_date <= self.period.last
        ]
        if not due:
            self.reasons.append(
                Phrase(
                    N_(
                        "no approved budget of building %(building)s has an installment due "
                        "in %(period)s"
                    ),
                    building=creditor.building.code,
                    period=str(self.period),
                )
            )
            return
        units = {
            u.id: u
            for u in self.session.scalars(
                select(Unit).where(Unit.id.in_({c.unit_id for _, c in due}))
            )
        }
        occupancies = self.debtors.occupancies(list(units), self.period.first, self.period.last)
        for budget, charge in due:
            unit = units[charge.unit_id]
            occupant = next((o for o in occupancies[unit.id] if o.covers(charge.due_date)), None)
            if occupant is None:
                self.not_charged.append(f"{unit.label}: vacant on {charge.due_date}")
                continue
            count = len(budget.installments)
            legs = [Leg(self.debtors.account(occupant), from_cents(charge.total_cents))]
            legs += [
                Leg(self.debtors.income(category), from_cents(-cents))
                for category, cents in sorted(charge.by_category.items())
            ]
            memo = f"Rata {charge.number}/{count} preventivo {budget.year} — {unit.label}"
            self.drafts.append(EntryDraft(charge.due_date, legs, memo))

    def rent(self, creditor: CreditorBook) -> None:
        units = {
            u.id: u
            for u in self.session.scalars(
                select(Unit).where(Unit.owner_body_id == creditor.housing_body_id)
            )
        }
        rents = self._rents(list(units))
        if not rents:
            self.reasons.append(
                Phrase(
                    N_("no unit of housing body %(body)s has a rent in force"),
                    body=creditor.housing_body.code,
                )
            )
            return
        occupancies = self.debtors.occupancies(list(rents), self.period.first, self.period.last)
        days_in_month = (self.period.last - self.period.first).days + 1
        income = self.debtors.income("RENT")
        for unit_id in sorted(rents, key=lambda i: units[i].label):
            unit, monthly = units[unit_id], rents[unit_id]
            spans = [(o, *self._days(o)) for o in occupancies[unit_id]]
            occupied_days = sum(days for _, _, days in spans)
            if occupied_days < days_in_month:
                self.not_charged.append(
                    f"{unit.label}: vacant {days_in_month - occupied_days} of {days_in_month} days"
                )
            if not spans:
                continue
            parts = split_largest_remainder(
                monthly, [days for _, _, days in spans] + [days_in_month - occupied_days]
            )
            for (occupancy, first_day, days), cents in zip(spans, parts, strict=False):
                if cents == 0:
                    continue
                partial = "" if days == days_in_month else f" ({days}/{days_in_month} giorni)"
                memo = f"Canone {self.period} — {unit.label}{partial}"
                legs = [
                    Leg(self.debtors.account(occupancy), from_cents(cents)),
                    Leg(income, from_cents(-cents)),
                ]
                self.drafts.append(EntryDraft(first_day, legs, memo))

    def _days(self, occupancy: Occupancy) -> tuple[date, int]:
        first = max(occupancy.start_date, self.period.first)
        last = min(occupancy.end_date or self.period.last, self.period.last)
        return first, (last - first).days + 1

    def _rents(self, unit_ids: list[int]) -> dict[int, int]:
        """The rent in force on the first day of the period, per unit."""
        latest = (
            select(UnitRent.unit_id, func.max(UnitRent.valid_from).label("since"))
            .where(UnitRent.unit_id.in_(unit_ids), UnitRent.valid_from <= self.period.first)
            .group_by(UnitRent.unit_id)
            .subquery()
        )
        rows = self.session.execute(
            select(UnitRent.unit_id, UnitRent.monthly_cents).join(
                latest,
                (latest.c.unit_id == UnitRent.unit_id) & (latest.c.since == UnitRent.valid_from),
            )
        )
        return {unit_id: cents for unit_id, cents in rows}


__all__ = ["ChargeRunResult", "Period", "run_charges", "set_rent"]
