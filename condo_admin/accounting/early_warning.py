"""Early warning: the advice desk's list of households to call before debt grows (PRODUCT.md 4.3).

Each flag names its rule and says why, with the amounts and dates behind it, so an operator can
act on the list without opening the ledger. The rules, as of a date D:

- **first missed payment**: the household has charges unpaid more than ``grace_days`` after
  their due date, all due in one month, and every charge due in the year before was paid within
  the grace period. The cheapest moment to help.
- **arrears above two months of charges**: what is past due exceeds twice the household's
  average monthly charges over the last year (over the months it lived there if fewer).
- **arrears growing three months in a row**: the household's balance rose in each of the last
  three months and is owed now.

The fourth rule of PRODUCT.md 4.3, **a repayment-plan installment missed**, is judged by the
advice desk (:mod:`condo_admin.desk.warnings`), which owns the plans and hands its flags in as
``extra_flags``: this module must not depend on the desk, which depends on it.
A household is considered across all its debtor accounts (rent and service charges, every unit).
"""

from __future__ import annotations

import calendar
import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin import formatting
from condo_admin.accounting.aging import Delinquency
from condo_admin.accounting.models import DebtorAccount
from condo_admin.exporting import Cell, Table
from condo_admin.registry.models import Household
from ledger import openitems
from ledger.bulk import among
from ledger.errors import N_
from ledger.models import Allocation, AllocationKind, OpenItem, Posting
from ledger.money import from_cents


class Rule(enum.StrEnum):
    FIRST_MISSED = "first_missed"
    OVER_TWO_MONTHS = "over_two_months"
    GROWING = "growing"
    PLAN_MISSED = "plan_missed"


_TEMPLATES = {
    Rule.FIRST_MISSED: N_(
        "first missed payment: %(amount)s due on %(due)s is %(days)s days late; "
        "every charge of the previous 12 months was paid on time"
    ),
    Rule.OVER_TWO_MONTHS: N_(
        "arrears of %(overdue)s are more than %(months)s months of charges "
        "(average %(monthly)s a month over the last %(span)s months)"
    ),
    Rule.GROWING: N_(
        "arrears grew three months in a row: balance %(b0)s on %(d0)s, %(b1)s on %(d1)s, "
        "%(b2)s on %(d2)s, %(b3)s on %(d3)s"
    ),
    Rule.PLAN_MISSED: N_(
        "repayment plan %(plan)s: installment %(seq)s of %(amount)s due on %(due)s was missed; "
        "%(repaid)s repaid of %(expected)s expected"
    ),
}


@dataclass(frozen=True)
class Settings:
    grace_days: int = 5
    months_of_charges: int = 2
    history_days: int = 365


@dataclass(frozen=True)
class Flag:
    rule: Rule
    params: dict[str, Any]

    def reason(
        self, locale: str | None = None, translate: Callable[[str], str] = lambda text: text
    ) -> str:
        """Why the household is flagged, with amounts and dates written for ``locale``.

        ``translate`` turns the English template into the reader's language (a face passes its
        gettext); the default keeps it English, as the CLI and the stored case flags have it.
        """
        shown = {
            key: formatting.money(value, locale)
            if isinstance(value, Decimal)
            else formatting.day(value, locale)
            if isinstance(value, date)
            else value
            for key, value in self.params.items()
        }
        return translate(_TEMPLATES[self.rule]) % shown


@dataclass
class HouseholdWarning:
    household_id: int
    code: str
    name: str
    overdue: Decimal
    balance: Decimal
    status: Delinquency
    flags: list[Flag] = field(default_factory=list)


@dataclass
class _Facts:
    balance: int = 0
    overdue: int = 0  # open cents of charges past the grace period
    first_due: date | None = None  # the oldest and the latest of those charges' due dates
    last_due: date | None = None
    oldest_days: int | None = None
    charges: list[tuple[date, int, date | None]] = field(default_factory=list)
    moves: dict[int, int] = field(default_factory=lambda: defaultdict(int))


@lru_cache(maxsize=256)  # a list asks for the same four days once per household
def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the month's end (31 March -> 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def early_warnings(
    session: Session,
    as_of: date,
    settings: Settings | None = None,
    extra_flags: dict[int, list[Flag]] | None = None,
) -> list[HouseholdWarning]:
    """Every household with at least one flag as of ``as_of``, most flags and debt first.

    ``extra_flags`` (by household id) are rules judged elsewhere, added to the household's own.
    """
    extra = extra_flags or {}
    rules = settings or Settings()
    accounts = {
        account_id: household_id
        for account_id, household_id in session.execute(
            select(DebtorAccount.account_id, DebtorAccount.household_id)
        )
    }
    # Every rule needs something owed, so only households with an open charge are read further
    # (a tenth of them at profile M). The database sums their open items in two age bands:
    # within the grace period (0) and past it (1).
    facts: dict[int, _Facts] = defaultdict(_Facts)
    bands = openitems.age_bands(session, as_of, [as_of - timedelta(days=rules.grace_days)])
    for account_id, found in bands.items():
        household = accounts.get(account_id)
        if household is None:
            continue
        f = facts[household]
        f.balance += sum(found.bands.values()) + found.credit_cents
        if 1 in found.bands:
            f.overdue += found.bands[1]
            first, last = found.first[1], found.last[1]
            f.first_due = first if f.first_due is None else min(f.first_due, first)
            f.last_due = last if f.last_due is None else max(f.last_due, last)
            f.oldest_days = (as_of - f.first_due).days
    owing = {household for household, f in facts.items() if f.first_due or f.balance > 0}
    for household in set(facts) - owing:
        del facts[household]
    candidates = sorted(a for a, household in accounts.items() if household in owing)
    # The year's charges matter only to the two rules about overdue charges.
    overdue = {household for household, f in facts.items() if f.overdue}
    late = [a for a in candidates if accounts[a] in overdue]
    _charges_of_the_year(session, as_of, rules, accounts, late, facts)
    _monthly_moves(session, as_of, accounts, candidates, facts)
    for household_id in extra:
        facts.setdefault(household_id, _Facts())  # a flag judged elsewhere counts alone
    names = {
        h.id: h
        for h in session.scalars(select(Household).where(Household.id.in_(list(facts) or [0])))
    }
    warnings = []
    for household_id, f in facts.items():
        flags = [
            flag
            for flag in (
                _first_missed(f, as_of, rules),
                _over_two_months(f, as_of, rules),
                _growing(f, as_of),
            )
            if flag is not None
        ] + extra.get(household_id, [])
        if not flags:
            continue
        household = names[household_id]
        overdue = f.overdue
        warnings.append(
            HouseholdWarning(
                household_id,
                household.code,
                household.name,
                from_cents(overdue),
                from_cents(f.balance),
                Delinquency.of(f.oldest_days, f.balance),
                flags,
            )
        )
    warnings.sort(key=lambda w: (-len(w.flags), -w.overdue, w.code))
    return warnings


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Id lists short enough for any database's limit on bound parameters."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _charges_of_the_year(
    session: Session,
    as_of: date,
    rules: Settings,
    accounts: dict[int, int],
    candidates: list[int],
    facts: dict[int, _Facts],
) -> None:
    """Charges due in the year up to ``as_of``, less those cancelled by a reversal by then.

    A reversal settles its original through an allocation of kind ``reversal``, whose debit side
    is the cancelled charge (or the reversal of a payment, which is no charge either). The
    postings come from the ledger's covering index by account and date; each is then looked up
    by key in the open items and the allocations.
    """
    start = as_of - timedelta(days=rules.history_days)
    cancelled = (
        select(Allocation.id)
        .where(
            Allocation.debit_posting_id == Posting.id,
            Allocation.kind == AllocationKind.REVERSAL,
            Allocation.effective_date <= as_of,
        )
        .exists()
    )
    for chunk in _chunks(candidates):
        rows = session.execute(
            select(
                Posting.account_id,
                Posting.entry_date,
                Posting.amount_cents,
                OpenItem.open_cents,
                OpenItem.last_allocated,
            )
            .join(OpenItem, OpenItem.posting_id == Posting.id)
            .where(
                among(Posting.account_id, chunk),
                Posting.entry_date > start,
                Posting.entry_date <= as_of,
                Posting.amount_cents > 0,
                ~cancelled,
            )
        )
        for account_id, due, cents, open_now, last in rows:
            settled = last if open_now == 0 and last is not None and last <= as_of else None
            facts[accounts[account_id]].charges.append((due, cents, settled))


def _monthly_moves(
    session: Session,
    as_of: date,
    accounts: dict[int, int],
    candidates: list[int],
    facts: dict[int, _Facts],
) -> None:
    """Net postings of each of the last three months (0 is the latest), per household."""
    edges = [months_before(as_of, n) for n in range(4)]  # as_of, -1m, -2m, -3m
    for chunk in _chunks(candidates):
        rows = session.execute(
            select(Posting.account_id, Posting.entry_date, Posting.amount_cents).where(
                among(Posting.account_id, chunk),
                Posting.entry_date > edges[3],
                Posting.entry_date <= as_of,
            )
        )
        for account_id, day, cents in rows:
            window = next(n for n in range(3) if day > edges[n + 1])
            facts[accounts[account_id]].moves[window] += cents


def _first_missed(f: _Facts, as_of: date, rules: Settings) -> Flag | None:
    if not f.overdue or f.first_due is None or f.last_due is None:
        return None
    first_due = f.first_due
    if (f.last_due.year, f.last_due.month) != (first_due.year, first_due.month):
        return None
    for due, _, settled in f.charges:
        if due >= first_due:
            continue
        if settled is None or (settled - due).days > rules.grace_days:
            return None
    return Flag(
        Rule.FIRST_MISSED,
        {
            "amount": from_cents(f.overdue),
            "due": first_due,
            "days": (as_of - first_due).days,
        },
    )


def _over_two_months(f: _Facts, as_of: date, rules: Settings) -> Flag | None:
    overdue = f.overdue
    if not overdue or not f.charges:
        return None
    first = min(due for due, _, _ in f.charges)
    span = max(1, min(12, round(((as_of - first).days + 1) / 30.44)))
    monthly = Decimal(sum(c for _, c, _ in f.charges)) / span
    if overdue <= rules.months_of_charges * monthly:
        return None
    return Flag(
        Rule.OVER_TWO_MONTHS,
        {
            "overdue": from_cents(overdue),
            "months": rules.months_of_charges,
            "monthly": from_cents(int(monthly.to_integral_value())),
            "span": span,
        },
    )


def _growing(f: _Facts, as_of: date) -> Flag | None:
    if f.balance <= 0 or not all(f.moves.get(n, 0) > 0 for n in range(3)):
        return None
    b3 = f.balance
    b2 = b3 - f.moves[0]
    b1 = b2 - f.moves[1]
    b0 = b1 - f.moves[2]
    days = [months_before(as_of, n) for n in (3, 2, 1, 0)]
    params: dict[str, Any] = {}
    for index, (value, day) in enumerate(zip((b0, b1, b2, b3), days, strict=True)):
        params[f"b{index}"] = from_cents(value)
        params[f"d{index}"] = day
    return Flag(Rule.GROWING, params)


def as_table(
    warnings: list[HouseholdWarning],
    as_of: date,
    locale: str | None = None,
    *,
    say: Callable[[Flag], str] | None = None,
) -> Table:
    """One row per flag. ``say`` words each reason (default: English, money in ``locale``).

    Wording a reason formats its money and dates, which at a thousand flags costs more than
    finding them: a screen showing one page of rows passes ``say`` to word only those.
    """
    word = say or (lambda flag: flag.reason(locale))
    rows: list[list[Cell]] = [
        [w.code, w.name, w.status.value, w.overdue, w.balance, flag.rule.value, word(flag)]
        for w in warnings
        for flag in w.flags
    ]
    households = len(warnings)
    return Table(
        title=f"Early warning as of {as_of.isoformat()}: {households} households",
        headers=["household", "name", "status", "overdue", "balance", "rule", "why"],
        rows=rows,
    )


__all__ = ["Flag", "HouseholdWarning", "Rule", "Settings", "as_table", "early_warnings"]
