"""Timing the advice desk on a generated profile: plans, the plans monitor, warnings, letters.

The generated history has no plans, so, in one session rolled back at the end:

- **plans**: ``desk.plans.create_plan`` and ``activate_plan`` for the ``plans`` households that
  owe the most on the last generated day, twelve monthly installments each (time per plan);
- **early warning with plans**: ``desk.warnings.desk_warnings`` on the last day;
- **letters**: ``reminders.choose`` on the last day: which households get which stage, which are
  held back (the plans just made are in good standing, so their households are);
- **plans monitor**: ``check_plans`` seventy days later, when two installments have fallen due
  and nobody has paid (every plan breaks: the heaviest path, marking and breaking each);
- **drawing letters**: the wording and PDF of ``render`` letters chosen after the monitor (the
  broken plans no longer hold any back), time per letter.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from benchmarks.accounting_bench import last_day
from benchmarks.generate import ACTOR
from benchmarks.profiles import Profile
from condo_admin.accounting.books import set_book_iban
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.db import make_sessionmaker
from condo_admin.desk import plans, reminders
from condo_admin.desk.warnings import desk_warnings
from condo_admin.registry.models import Agency, Household
from ledger.models import Book, Posting
from ledger.money import from_cents


def _largest_debts(session: Session, as_of, limit: int) -> list[DebtorAccount]:
    owed = (
        select(Posting.account_id, func.sum(Posting.amount_cents).label("owed"))
        .where(Posting.entry_date <= as_of)
        .group_by(Posting.account_id)
        .subquery()
    )
    rows = session.execute(
        select(DebtorAccount)
        .join(owed, owed.c.account_id == DebtorAccount.account_id)
        .where(owed.c.owed >= 10000)
        .order_by(owed.c.owed.desc(), DebtorAccount.id)
        .limit(limit)
    )
    return list(rows.scalars())


def measure_desk(
    engine: Engine, profile: Profile, *, plan_count: int = 500, render: int = 50
) -> dict[str, Any]:
    end = last_day(profile)
    results: dict[str, Any] = {}
    with make_sessionmaker(engine)() as session:
        agency = session.scalars(select(Agency).where(Agency.code == profile.agency_code)).one()
        debtors = _largest_debts(session, end, plan_count)
        started = time.perf_counter()
        households: set[int] = set()
        made = 0
        for debtor in debtors:
            if debtor.household_id in households:
                continue
            households.add(debtor.household_id)
            owed = plans.arrears_cents(session, debtor.household_id, debtor.book_id, end)
            debt = from_cents(owed)
            plan = plans.create_plan(
                session,
                agency,
                household=session.get(Household, debtor.household_id),
                book=session.get(Book, debtor.book_id),
                debt=debt,
                as_of=end,
                installments=plans.equal_installments(debt, 12, end + timedelta(days=10)),
                actor=ACTOR,
            )
            plans.activate_plan(session, plan, on=end, actor=ACTOR)
            made += 1
        create_s = time.perf_counter() - started
        results["plans"] = {
            "count": made,
            "create_and_activate_s": round(create_s, 3),
            "per_plan_ms": round(create_s / max(made, 1) * 1e3, 2),
        }

        started = time.perf_counter()
        warnings = desk_warnings(session, end)
        results["desk_warnings"] = {
            "households": len(warnings),
            "wall_s": round(time.perf_counter() - started, 3),
        }

        started = time.perf_counter()
        planned, skipped = reminders.choose(session, agency, end)
        results["choose_letters"] = {
            "letters": len(planned),
            "held_back": len(skipped),
            "by_stage": {
                stage.value: sum(1 for p in planned if p.stage is stage)
                for stage in reminders.Stage
            },
            "wall_s": round(time.perf_counter() - started, 3),
        }

        started = time.perf_counter()
        checked = plans.check_plans(session, end + timedelta(days=70), actor=ACTOR)
        results["check_plans"] = {
            "plans": len(checked),
            "broken": sum(1 for r in checked if r.became is not None),
            "wall_s": round(time.perf_counter() - started, 3),
        }

        contact = reminders.set_contact(
            session,
            agency,
            name="Sportello",
            address="Via Roma 1, Milano",
            phone="02 000000",
            email="desk@example.org",
            hours="lun 9-13",
            actor=ACTOR,
        )
        for (book_id,) in session.execute(select(CreditorBook.book_id)):
            set_book_iban(
                session, session.get(Book, book_id), "IT60X0542811101000000123456", actor=ACTOR
            )
        # Letters drawn after the monitor: the broken plans no longer hold any back.
        sample = reminders.choose(session, agency, end)[0][:render]
        times = []
        sizes = []
        for p in sample:
            t0 = time.perf_counter()
            pdf = reminders.preview(session, p, contact, end)
            times.append(time.perf_counter() - t0)
            sizes.append(len(pdf))
        results["render_letters"] = {
            "letters": len(sample),
            "median_ms": round(statistics.median(times) * 1e3, 1) if times else None,
            "max_ms": round(max(times) * 1e3, 1) if times else None,
            "median_bytes": int(statistics.median(sizes)) if sizes else None,
        }
        session.rollback()
    return results


def render_desk(desk: dict[str, Any]) -> list[str]:
    p, c, w, ch, r = (
        desk["plans"],
        desk["check_plans"],
        desk["desk_warnings"],
        desk["choose_letters"],
        desk["render_letters"],
    )
    stages = ", ".join(f"{n:,} {stage}" for stage, n in ch["by_stage"].items())
    return [
        "",
        "Advice desk (one session, rolled back)",
        f"  {p['count']:,} plans created and activated: {p['create_and_activate_s']:.2f} s "
        f"({p['per_plan_ms']:.1f} ms a plan)",
        f"  desk_warnings (early warning with the plans' rule): {w['households']:,} households, "
        f"{w['wall_s']:.2f} s",
        f"  reminders.choose: {ch['letters']:,} letters ({stages}), {ch['held_back']:,} held back, "
        f"{ch['wall_s']:.2f} s",
        f"  check_plans 70 days later: {c['plans']:,} plans, {c['broken']:,} broken, "
        f"{c['wall_s']:.2f} s",
        (
            f"  wording and PDF of {r['letters']} letters: median {r['median_ms']} ms, "
            f"max {r['max_ms']} ms, {r['median_bytes']:,} bytes each"
            if r["letters"]
            else "  no letter to draw"
        ),
    ]
