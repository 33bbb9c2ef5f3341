"""Timing the accounting operations on a generated profile: charge run, aging, early warning.

- **The real monthly charge run**: ``accounting.charges.run_charges`` for the month after the
  generated history, end to end (loading units, rents, occupancies and debtor accounts, building
  the drafts, ``post_many`` with its open items), in a new session each time, rolled back after
  each run: its idempotency key would otherwise make every later run a repeat that posts nothing.
- **Aging**: ``accounting.aging.aging_report`` by household and by building, as of the last
  generated day and as of one year before it (a past date, for which the items settled since are
  recomputed from their allocations).
- **Early warning**: ``accounting.early_warning.early_warnings`` as of the last generated day.

Each figure is the median wall time of a few calls; the time inside the driver's ``execute`` and
the time of the main steps (functions wrapped in timers, see :mod:`benchmarks.timers`) are given as
medians over the same calls.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from benchmarks.generate import ACTOR, month_start
from benchmarks.ledger_bench import ExecuteClock
from benchmarks.profiles import Profile
from benchmarks.timers import Timers
from condo_admin.accounting import aging, charges, early_warning
from condo_admin.accounting.debtors import Debtors
from condo_admin.accounting.models import DebtorAccount
from condo_admin.db import make_sessionmaker
from ledger import keys, openitems, posting
from ledger.models import Book, Posting

#: Functions timed inside a charge run, by label.
CHARGE_RUN_STEPS: dict[str, tuple[object, str]] = {
    "drafts": (charges._Run, "rent"),
    "drafts.rents": (charges._Run, "_rents"),
    "drafts.occupancies": (Debtors, "occupancies"),
    "post_many": (charges, "post_many"),
    "post_many.fingerprint": (keys, "fingerprint"),
    "post_many.reserve_ids": (posting, "reserve_ids"),
    "post_many.insert_rows": (posting, "insert_rows"),
    "post_many.open_items": (posting, "_track"),
    "open_items.add_items": (openitems, "add_items"),
    "open_items.accounts_with_credit": (openitems, "accounts_with_credit"),
    "open_items.settle": (openitems, "settle"),
}
AGING_STEPS: dict[str, tuple[object, str]] = {
    "positions": (openitems, "positions"),
    "owners": (aging, "_owners"),
}
EARLY_WARNING_STEPS: dict[str, tuple[object, str]] = {
    "positions": (openitems, "positions"),
    "charges_of_the_year": (early_warning, "_charges_of_the_year"),
    "monthly_moves": (early_warning, "_monthly_moves"),
}


def last_day(profile: Profile) -> date:
    """The last day of the generated history."""
    return month_start(profile.start, profile.months) - timedelta(days=1)


def _book(session: Session, profile: Profile) -> Book:
    return session.scalars(select(Book).where(Book.code == f"{profile.agency_code}-RENT")).one()


def _repeat(
    engine: Engine,
    clock: ExecuteClock,
    steps: dict[str, tuple[object, str]],
    call: Callable[[Session], Any],
    times: int,
) -> tuple[dict[str, Any], Any]:
    """``call`` timed ``times`` times, each in a new session rolled back afterwards.

    Returns the figures and the result of the first call.
    """
    walls: list[float] = []
    dbs: list[float] = []
    splits: dict[str, list[float]] = {label: [] for label in steps}
    first: Any = None
    timers = Timers()
    with timers.patched(steps):
        for run in range(times):
            with make_sessionmaker(engine)() as session:
                timers.reset()
                clock.seconds = 0.0
                started = time.perf_counter()
                result = call(session)
                walls.append(time.perf_counter() - started)
                dbs.append(clock.seconds)
                for label, seconds in timers.seconds.items():
                    splits[label].append(seconds)
                session.rollback()
            if run == 0:
                first = result
    figures = {
        "runs_s": [round(w, 4) for w in walls],
        "first_s": round(walls[0], 4),
        "median_s": round(statistics.median(walls), 4),
        "db_median_s": round(statistics.median(dbs), 4),
        "steps_median_s": {
            label: round(statistics.median(values), 4) for label, values in splits.items()
        },
    }
    return figures, first


def _charge_run(engine: Engine, clock: ExecuteClock, profile: Profile, times: int) -> dict:
    day = month_start(profile.start, profile.months)
    period = charges.Period(day.year, day.month)
    results: list[charges.ChargeRunResult] = []

    def run(session: Session) -> charges.ChargeRunResult:
        result = charges.run_charges(session, _book(session, profile), period, actor=ACTOR)
        results.append(result)
        return result

    figures, first = _repeat(engine, clock, CHARGE_RUN_STEPS, run, times)
    if not all(r.created for r in results):
        raise RuntimeError(f"the charge run of {period} had already been made: nothing was timed")
    figures |= {
        "period": str(period),
        "entries": first.entries,
        "total": str(first.total),
        "not_charged": len(first.not_charged),
    }
    return figures


def _debtor_total(session: Session, as_of: date) -> int:
    """The sum of every debtor account's balance on ``as_of``, which an aging total must equal."""
    return session.scalar(
        select(func.coalesce(func.sum(Posting.amount_cents), 0))
        .join(DebtorAccount, DebtorAccount.account_id == Posting.account_id)
        .where(Posting.entry_date <= as_of)
    )


def _aging(engine: Engine, clock: ExecuteClock, as_of: date, by: str, times: int) -> dict[str, Any]:
    figures, report = _repeat(
        engine,
        clock,
        AGING_STEPS,
        lambda session: aging.aging_report(session, as_of, by=by),
        times,
    )
    with make_sessionmaker(engine)() as session:
        expected = _debtor_total(session, as_of)
    totals = report.totals
    figures |= {
        "as_of": as_of.isoformat(),
        "by": by,
        "rows": len(report.rows),
        "accounts": len(totals.accounts),
        "total_cents": totals.total_cents,
        "overdue_cents": totals.overdue_cents,
        "credit_cents": totals.credit_cents,
        # The report's total is by construction the sum of the debtor balances (aging docstring).
        "matches_debtor_balances": totals.total_cents == expected,
    }
    return figures


def _early_warning(engine: Engine, clock: ExecuteClock, as_of: date, times: int) -> dict:
    figures, warnings = _repeat(
        engine,
        clock,
        EARLY_WARNING_STEPS,
        lambda session: early_warning.early_warnings(session, as_of),
        times,
    )
    rules: dict[str, int] = {rule.value: 0 for rule in early_warning.Rule}
    for warning in warnings:
        for flag in warning.flags:
            rules[flag.rule.value] += 1
    figures |= {"as_of": as_of.isoformat(), "households": len(warnings), "flags": rules}
    return figures


def measure_accounting(
    engine: Engine, profile: Profile, *, aging_runs: int = 5, runs: int = 3
) -> dict[str, Any]:
    """Aging (``aging_runs`` calls each), early warning and the charge run (``runs`` each)."""
    end = last_day(profile)
    year_before = end.replace(year=end.year - 1)
    clock = ExecuteClock(engine)
    results: dict[str, Any] = {}
    try:
        results["aging"] = {
            f"{by}_{when}": _aging(engine, clock, day, by, aging_runs if when == "now" else runs)
            for when, day in (("now", end), ("year_before", year_before))
            for by in ("household", "building")
        }
        results["early_warning"] = _early_warning(engine, clock, end, runs)
        results["charge_run"] = _charge_run(engine, clock, profile, runs)
    finally:
        clock.close()
    return results
