"""Timing the read side of the ledger on a generated profile: statements, balances, trial balance.

Every figure is the wall time of one call of the public function (``ledger.queries``), measured with
``perf_counter`` around it, in one session, after a warm-up: these are warm-cache figures. Beside
it, the time spent inside the driver's ``execute`` is summed through SQLAlchemy's cursor events; it
approximates the database's share (on PostgreSQL it includes the network round trip and fetching
the rows, on SQLite the rows are stepped through later, so it is a lower bound).
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from benchmarks.database import database_size, table_sizes
from benchmarks.profiles import Profile
from condo_admin.accounting.books import book_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.db import make_sessionmaker
from ledger.models import Account, Allocation, Book, JournalEntry, OpenItem, Posting
from ledger.queries import balance, statement, trial_balance

PAGE = 50


class ExecuteClock:
    """Sums the seconds spent in the DB-API ``execute`` calls of an engine."""

    def __init__(self, engine: Engine) -> None:
        self.seconds = 0.0
        self._started: float | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        self._engine = engine

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        if self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self._started = None

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._before)
        event.remove(self._engine, "after_cursor_execute", self._after)


@dataclass
class Latency:
    """Per-call seconds of one operation: wall time and time inside ``execute``."""

    name: str
    wall: list[float]
    db: list[float]

    @staticmethod
    def _pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    def summary(self) -> dict[str, float | int]:
        return {
            "samples": len(self.wall),
            "p50_ms": round(self._pct(self.wall, 0.50) * 1e3, 3),
            "p95_ms": round(self._pct(self.wall, 0.95) * 1e3, 3),
            "max_ms": round(max(self.wall) * 1e3, 3),
            "mean_ms": round(statistics.fmean(self.wall) * 1e3, 3),
            "db_p50_ms": round(self._pct(self.db, 0.50) * 1e3, 3),
            "db_p95_ms": round(self._pct(self.db, 0.95) * 1e3, 3),
        }


def _timed(clock: ExecuteClock, call: Callable[[], object]) -> tuple[float, float, object]:
    clock.seconds = 0.0
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, clock.seconds, result


def _pages(session: Session, account_id: int) -> list[str]:
    """The cursors of every later page of an account's statement, walked through the API."""
    cursors: list[str] = []
    page = statement(session, account_id, limit=PAGE)
    while page.next_cursor is not None:
        cursors.append(page.next_cursor)
        page = statement(session, account_id, after=page.next_cursor, limit=PAGE)
    return cursors


def measure(
    engine: Engine, profile: Profile, *, samples: int = 200, warmup: int = 20, seed: int = 7
) -> dict[str, Any]:
    rng = random.Random(seed)
    clock = ExecuteClock(engine)
    results: dict[str, Any] = {}
    try:
        with make_sessionmaker(engine)() as session:
            book = session.scalars(
                select(Book).where(Book.code == f"{profile.agency_code}-RENT")
            ).one()
            debtors = list(
                session.scalars(
                    select(DebtorAccount.account_id)
                    .where(DebtorAccount.book_id == book.id)
                    .order_by(DebtorAccount.account_id)
                )
            )
            results["data"] = {
                "debtor_accounts": len(debtors),
                "accounts": session.scalar(
                    select(func.count()).select_from(Account).where(Account.book_id == book.id)
                ),
                "entries": session.scalar(select(func.count()).select_from(JournalEntry)),
                "postings": session.scalar(select(func.count()).select_from(Posting)),
                "tracked_accounts": session.scalar(
                    select(func.count())
                    .select_from(Account)
                    .where(Account.book_id == book.id, Account.tracks_items)
                ),
                "open_items": session.scalar(select(func.count()).select_from(OpenItem)),
                "unsettled_items": session.scalar(
                    select(func.count()).select_from(OpenItem).where(OpenItem.open_cents != 0)
                ),
                "allocations": session.scalar(select(func.count()).select_from(Allocation)),
            }
            results["statement"] = _statements(session, clock, rng, debtors, samples, warmup)
            results["balance"] = _balances(session, clock, rng, debtors, samples, warmup)
            bank = book_account(session, book, "BANK")
            results["balance_bank"] = _repeat(session, clock, lambda: balance(session, bank), 5)
            results["balance_bank"]["postings"] = session.scalar(
                select(func.count()).select_from(Posting).where(Posting.account_id == bank.id)
            )
            results["statement_bank"] = _bank_statement(session, clock, bank.id)
            trial: dict[str, Any] = _repeat(session, clock, lambda: trial_balance(session, book), 3)
            tb = trial_balance(session, book)
            trial["rows"] = len(tb.rows)
            trial["balanced"] = tb.total_debits == tb.total_credits
            results["trial_balance"] = trial
            session.rollback()
    finally:
        clock.close()
    results["database"] = {
        "bytes": database_size(engine),
        "tables": table_sizes(
            engine,
            ("ledger_postings", "ledger_entries", "ledger_open_items", "ledger_allocations"),
        ),
    }
    return results


def _statements(
    session: Session,
    clock: ExecuteClock,
    rng: random.Random,
    debtors: list[int],
    samples: int,
    warmup: int,
) -> dict[str, Any]:
    chosen = [rng.choice(debtors) for _ in range(samples + warmup)]
    # Untimed: walk each chosen account's pages to get the cursor of its last page, as a user
    # clicking "next" would. This also warms the cache for the timed calls.
    last_cursor: dict[int, str | None] = {}
    pages: list[int] = []
    for account_id in set(chosen):
        cursors = _pages(session, account_id)
        last_cursor[account_id] = cursors[-1] if cursors else None
        pages.append(len(cursors) + 1)
    first = Latency("statement first page", [], [])
    later = Latency("statement last page (cursor)", [], [])
    for index, account_id in enumerate(chosen):
        wall, db, _ = _timed(clock, lambda a=account_id: statement(session, a, limit=PAGE))
        cursor = last_cursor[account_id]
        if index >= warmup:
            first.wall.append(wall)
            first.db.append(db)
        if cursor is None:
            continue
        wall, db, _ = _timed(
            clock, lambda a=account_id, c=cursor: statement(session, a, after=c, limit=PAGE)
        )
        if index >= warmup:
            later.wall.append(wall)
            later.db.append(db)
    return {
        "limit": PAGE,
        "warmup": warmup,
        "pages_per_account_mean": round(statistics.fmean(pages), 1),
        "first_page": first.summary(),
        "last_page": later.summary(),
    }


def _balances(
    session: Session,
    clock: ExecuteClock,
    rng: random.Random,
    debtors: list[int],
    samples: int,
    warmup: int,
) -> dict[str, Any]:
    result = Latency("balance", [], [])
    for index in range(samples + warmup):
        account_id = rng.choice(debtors)
        wall, db, _ = _timed(clock, lambda a=account_id: balance(session, a))
        if index >= warmup:
            result.wall.append(wall)
            result.db.append(db)
    return result.summary()


def _bank_statement(session: Session, clock: ExecuteClock, account_id: int) -> dict[str, Any]:
    """The largest account's statement: first page, and a page 500 postings before the end.

    Walking a million postings page by page to reach the end would take hours, so the cursor is
    built from the posting it names, in the documented ``YYYY-MM-DD.<posting id>`` form.
    """
    day, posting_id = session.execute(
        select(Posting.entry_date, Posting.id)
        .where(Posting.account_id == account_id)
        .order_by(Posting.entry_date.desc(), Posting.id.desc())
        .offset(500)
        .limit(1)
    ).one()
    cursor = f"{day.isoformat()}.{posting_id}"
    return {
        "first_page": _repeat(
            session, clock, lambda: statement(session, account_id, limit=PAGE), 5
        ),
        "near_end": _repeat(
            session, clock, lambda: statement(session, account_id, after=cursor, limit=PAGE), 5
        ),
    }


def _repeat(
    session: Session, clock: ExecuteClock, call: Callable[[], object], times: int
) -> dict[str, Any]:
    """A heavy call timed ``times`` times in a row; the first run may pay for a cold cache."""
    walls: list[float] = []
    dbs: list[float] = []
    for _ in range(times):
        wall, db, _ = _timed(clock, call)
        walls.append(wall)
        dbs.append(db)
    return {
        "runs_s": [round(w, 4) for w in walls],
        "first_s": round(walls[0], 4),
        "median_s": round(statistics.median(walls), 4),
        "db_median_s": round(statistics.median(dbs), 4),
    }
