"""Restitution under any sequence of operations: caps hold, credit stays within the debt.

Hypothesis draws an agreement's caps, a debt and a sequence of operations on its hour entries
(submit, verify, reject, dispute, resolve, credit, uncredit, and suspending or reactivating the
agreement), each with arguments that are sometimes invalid: a day outside the agreement, too many
hours for the day, an activity not allowed, a reviewer from the household, an entry in the wrong
state, a dispute after its deadline. A small model of the rules predicts, before each step,
whether the service must accept it or refuse it, and with which ``RestitutionError``; a refused
step is rolled back (it runs in a savepoint, as in the caller's transaction) and skipped. After
every step that changed something, :meth:`Run.check` checks against the database that:

- the creditable hours and euros of the verified and credited entries stay within every cap
  (whole agreement and each calendar year, hours and euros), each entry at the rate of its day,
  and hours over a cap are kept and named, never trimmed;
- credit never takes the debtor account below zero, today or on any day of its history (the
  household only has charges, so only restitution credits could);
- every credited entry has its ledger entry (COMMUNITY debited, the debtor credited, by exactly
  ``credited_cents``), not reversed; other entries have none; the COMMUNITY balance is the total
  credited, and the debt is what was charged less that total;
- the book balances and ``openitems.verify`` finds nothing; each entry's trail ends in its state.

A second test aims at the debt alone: hours worth more than the debt, credited on days drawn in
any order, with some credits undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.registry.models import Person
from ledger import openitems
from ledger.errors import CondoError
from ledger.models import JournalEntry, Posting
from ledger.queries import book_total
from tests.volunteering.programme import END, START, Programme
from volunteering import agreements
from volunteering.agreements import Caps
from volunteering.catalogue import rate_on
from volunteering.errors import HoursRefused, ReviewerRefused, TransitionRefused
from volunteering.models import Agreement, AgreementStatus, HourEntry, HourEvent, HourStatus

COUNTED = (HourStatus.VERIFIED, HourStatus.CREDITED)
QUARTER = Decimal("0.25")

#: Work days: inside the agreement (both years, their boundary, several steps on one day reach
#: the daily maximum) and, last, outside it (before the start, after the end and "today").
#: Hypothesis favours the first elements of a list, so the valid ones come first everywhere.
WORK_DAYS = [
    date(2024, 1, 8),
    date(2024, 2, 12),
    date(2024, 3, 15),
    date(2024, 5, 20),
    date(2024, 7, 1),
    date(2024, 10, 7),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 3, 3),
    date(2025, 6, 30),
    date(2025, 9, 15),
    date(2025, 12, 31),
    date(2023, 12, 31),
    date(2026, 1, 2),
]
#: Crediting days, in no particular order: a later step may credit on an earlier day.
CREDIT_DAYS = [
    date(2024, 1, 10),
    date(2024, 3, 31),
    date(2024, 12, 31),
    date(2025, 6, 30),
    date(2025, 12, 31),
]
#: MAIL is not allowed by the agreement.
ACTIVITY_CODES = ["PAINTING", "PAINTING", "GREEN", "GREEN", "MAIL"]

#: Which entry a step acts on: mostly ("fit") one whose state allows the step, when there is one,
#: otherwise any entry ("any"), to see the step refused. The number picks among them, wrapping
#: around. ("latest", 0) is the last entry submitted.
target = st.tuples(st.sampled_from(["fit", "fit", "fit", "any"]), st.integers(0, 12))
reviewer = st.sampled_from(["supervisor", "reviewer", "member"])
later = st.sampled_from([False, False, True])
#: A submission, then mostly its verification by someone (a step of its own): hour entries need
#: to be verified before most other steps can act on them.
submit = st.tuples(
    st.just("submit"),
    st.sampled_from(WORK_DAYS),
    st.integers(min_value=1, max_value=12),  # quarter hours: 0.25 h to 3 h
    st.sampled_from(ACTIVITY_CODES),
    st.sampled_from(["supervisor", "reviewer", None, "member"]),
)
# Weights: submissions, verifications and credits come often, since the other steps need them;
# a suspension stops submissions until a reactivation, so it comes rarely.
WEIGHTED = [
    (submit, 6),
    (st.tuples(st.just("verify"), target, reviewer), 3),
    # None: every verified entry of the agreement; otherwise the one targeted.
    (st.tuples(st.just("credit"), st.sampled_from(CREDIT_DAYS), st.none() | target), 3),
    (st.tuples(st.just("reject"), target, reviewer), 2),
    (st.tuples(st.just("dispute"), target, later), 3),  # True: after the deadline
    (st.tuples(st.just("resolve"), target, reviewer, st.booleans()), 3),
    (st.tuples(st.just("uncredit"), target, later), 2),  # True: reversal dated later
    (st.tuples(st.just("activate")), 3),
    (st.tuples(st.just("suspend")), 1),
]
step = st.sampled_from([s for s, weight in WEIGHTED for _ in range(weight)]).flatmap(lambda s: s)
steps = st.lists(step, min_size=10, max_size=40)

#: The states an entry must be in for each step.
ALLOWED = {
    "verify": (HourStatus.SUBMITTED,),
    "reject": (HourStatus.SUBMITTED,),
    "dispute": (HourStatus.VERIFIED, HourStatus.REJECTED),
    "resolve": (HourStatus.DISPUTED,),
    "uncredit": (HourStatus.CREDITED,),
    "credit": (HourStatus.VERIFIED,),
}

#: No cap is the likeliest, then the loosest caps, so that there is something to credit.
money_cap = st.sampled_from([None, None, "120.00", "75.50", "40.00", "15.00"])
hour_cap = st.sampled_from([None, None, "20", "12.25", "6.5", "2"])
caps = st.builds(
    Caps,
    euros=money_cap,
    hours=hour_cap,
    euros_per_year=money_cap,
    hours_per_year=hour_cap,
    daily_max_hours=st.sampled_from(["4", "6.5", "2"]),
)


@dataclass
class Run:
    """One example: the programme, its agreement and the model's view of it."""

    p: Programme
    session: Session

    @property
    def agreement(self) -> Agreement:
        assert self.p.current is not None
        return self.p.current

    def person(self, name: str) -> Person:
        return {"supervisor": self.p.supervisor, "reviewer": self.p.reviewer}.get(
            name, self.p.member
        )

    def entry(self, kind: str, aim: tuple[str, int]) -> HourEntry | None:
        """The entry a step acts on (see ``target``), or None when there is none yet."""
        entries = self.p.entries()
        mode, i = aim
        if mode == "latest":
            return entries[-1] if entries else None
        if mode == "fit":
            entries = [e for e in entries if e.status in ALLOWED[kind]] or entries
        return entries[i % len(entries)] if entries else None

    # The model: whether each step must be accepted, and the refusal expected otherwise.

    def expect(self, op: tuple[Any, ...], entry: HourEntry | None) -> tuple[bool, type[Exception]]:
        a = self.agreement
        kind = op[0]
        if kind == "submit":
            _, day, quarters, code, _ = op
            logged = sum(
                (
                    e.hours
                    for e in self.p.entries()
                    if e.work_date == day and e.status is not HourStatus.REJECTED
                ),
                Decimal(0),
            )
            ok = (
                a.status is AgreementStatus.ACTIVE
                and a.start_date <= day <= a.end_date
                and day <= self.p.today
                and code in ("PAINTING", "GREEN")
                and logged + quarters * QUARTER <= a.daily_max_hours
            )
            return ok, HoursRefused
        if kind == "suspend":
            return a.status is AgreementStatus.ACTIVE, TransitionRefused
        if kind == "activate":
            return a.status is AgreementStatus.SUSPENDED, TransitionRefused
        if entry is None:
            assert kind == "credit"
            return True, TransitionRefused
        if entry.status not in ALLOWED[kind]:
            return False, TransitionRefused
        if kind in ("verify", "reject"):
            return op[2] != "member", ReviewerRefused
        if kind == "resolve":
            person = self.person(op[2])
            return op[2] != "member" and person.id != entry.decided_by_id, ReviewerRefused
        if kind == "dispute":
            return not op[2], HoursRefused
        return True, TransitionRefused

    def apply(self, op: tuple[Any, ...], entry: HourEntry | None) -> None:
        p, kind = self.p, op[0]
        if kind == "submit":
            _, day, quarters, code, _ = op
            p.submit(day, quarters * QUARTER, code)
        elif kind == "suspend":
            agreements.suspend(self.session, self.agreement, reason="Pausa estiva", actor="test")
        elif kind == "activate":
            agreements.activate(self.session, self.agreement, actor="test")
        elif kind == "credit":
            p.credit(op[1], None if entry is None else [entry])
        elif entry is None:
            raise AssertionError(f"{op} needs an entry")
        elif kind == "verify":
            p.verify(entry, self.person(op[2]))
        elif kind == "reject":
            p.reject(entry, reviewer=self.person(op[2]))
        elif kind == "dispute":
            decided = entry.decided_at.date() if entry.decided_at else p.today
            late = timedelta(days=self.agreement.dispute_days + 1 if op[2] else 0)
            p.dispute(entry, today=decided + late)
        elif kind == "resolve":
            p.resolve(entry, accept=op[3], reviewer=self.person(op[2]))
        elif kind == "uncredit":
            on = None
            if op[2] and entry.credit_entry_id is not None:
                original = self.session.get(JournalEntry, entry.credit_entry_id)
                assert original is not None
                on = original.entry_date + timedelta(days=20)
            p.uncredit(entry, on=on)

    def step(self, op: tuple[Any, ...]) -> bool:
        """Run one step as the model expects; whether it changed anything."""
        kind = op[0]
        entry = None
        if kind in ALLOWED:
            aim = op[2] if kind == "credit" else op[1]
            entry = None if aim is None else self.entry(kind, aim)
            if entry is None and kind != "credit":
                return False  # nothing to act on yet
        ok, refusal = self.expect(op, entry)
        try:
            # A refused step is rolled back, as the caller's transaction would be.
            with self.session.begin_nested():
                self.apply(op, entry)
        except CondoError as error:
            event(f"{kind} refused: {type(error).__name__}")
            assert not ok, f"{op} on {entry and entry.status} was refused: {error}"
            assert isinstance(error, refusal), f"{op}: {type(error).__name__}: {error}"
            return False
        event(f"{kind} done")
        assert ok, f"{op} on {entry and entry.status} should have been refused"
        return True

    # The invariants.

    def check(self) -> None:
        session, a = self.session, self.agreement
        entries = self.p.entries()
        self._entries(entries)
        self._caps([e for e in entries if e.status in COUNTED])
        self._ledger(entries)
        for e in entries:
            last = session.scalar(
                select(HourEvent.to_status)
                .where(HourEvent.hour_entry_id == e.id)
                .order_by(HourEvent.id.desc())
                .limit(1)
            )
            assert last == e.status.value, f"the trail of #{e.id} ends in {last}, not {e.status}"
        assert a.status in (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED)

    def _entries(self, entries: list[HourEntry]) -> None:
        for e in entries:
            if e.status in COUNTED:
                rate = rate_on(self.session, e.activity, e.work_date).hourly_cents
                assert e.rate_cents == rate
                assert e.creditable_hours is not None and e.creditable_cents is not None
                assert 0 <= e.creditable_hours <= e.hours
                assert e.creditable_hours % QUARTER == 0
                exact = (e.creditable_hours * rate).to_integral_value(ROUND_HALF_UP)
                assert e.creditable_cents == int(exact)
                # Never trimmed silently: hours that earn nothing name the cap.
                assert (e.cap_note is not None) == (e.creditable_hours < e.hours), e.cap_note
            elif e.status in (HourStatus.SUBMITTED, HourStatus.REJECTED):
                assert e.creditable_hours is None and e.creditable_cents is None
            if e.status is HourStatus.REJECTED:
                assert e.reason

    def _caps(self, counted: list[HourEntry]) -> None:
        a = self.agreement
        groups: list[tuple[str, list[HourEntry], Decimal | None, int | None]] = [
            ("agreement", counted, a.cap_hours, a.cap_cents)
        ]
        for year in (2024, 2025):
            of_year = [e for e in counted if e.work_date.year == year]
            groups.append((str(year), of_year, a.yearly_cap_hours, a.yearly_cap_cents))
        for name, group, cap_hours, cap_cents in groups:
            hours = sum((e.creditable_hours or Decimal(0) for e in group), Decimal(0))
            cents = sum(e.creditable_cents or 0 for e in group)
            assert cap_hours is None or hours <= cap_hours, f"{name}: {hours} h > {cap_hours} h"
            assert cap_cents is None or cents <= cap_cents, f"{name}: {cents} > {cap_cents} cents"

    def _ledger(self, entries: list[HourEntry]) -> None:
        session, p = self.session, self.p
        debtor, community = p.debtor.account, p.community
        total = 0
        for e in entries:
            if e.status is not HourStatus.CREDITED:
                assert e.credit_entry_id is None and e.credited_cents is None, e.id
                continue
            assert e.credit_entry_id is not None and e.credited_cents is not None
            assert 0 < e.credited_cents <= (e.creditable_cents or 0)
            postings = {
                account_id: cents
                for account_id, cents in session.execute(
                    select(Posting.account_id, Posting.amount_cents).where(
                        Posting.entry_id == e.credit_entry_id
                    )
                )
            }
            assert postings == {community.id: e.credited_cents, debtor.id: -e.credited_cents}
            reversed_by = session.scalar(
                select(JournalEntry.id).where(JournalEntry.reverses_id == e.credit_entry_id)
            )
            assert reversed_by is None, f"#{e.id} is credited by a reversed entry"
            total += e.credited_cents
        assert p.credited() * 100 == total
        assert (p.charged - p.debt()) * 100 == total
        # The debt never goes below zero, today or on any day of the history.
        running = 0
        for day, cents in session.execute(
            select(Posting.entry_date, func.sum(Posting.amount_cents))
            .where(Posting.account_id == debtor.id)
            .group_by(Posting.entry_date)
            .order_by(Posting.entry_date)
        ):
            running += cents
            assert running >= 0, f"the debt is {running} cents on {day}"
        assert book_total(session, p.estate.book) == 0
        assert openitems.verify(session) == []


BOUNDED = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def example_savepoint(session: Session) -> Iterator[None]:
    """Each example in a savepoint of the test's transaction, rolled back after it."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        # Rows loaded (not created) inside the savepoint stay in the identity map after its
        # rollback, and SQLite hands their ids out again in the next example.
        session.expunge_all()


@BOUNDED
@given(
    caps=caps,
    months=st.integers(min_value=1, max_value=4),
    operations=steps,
)
# Found by this test: crediting on a day before an earlier crediting used to credit against the
# debt of that day, ignoring the later credit that had already repaid it (debt €-2.50).
@example(
    caps=Caps(),
    months=2,
    operations=[
        ("submit", date(2024, 1, 8), 12, "PAINTING", "supervisor"),
        ("submit", date(2024, 3, 15), 12, "GREEN", "reviewer"),
        ("credit", date(2024, 12, 31), None),  # €45.00 of the €50.00 owed
        ("submit", date(2024, 1, 8), 4, "PAINTING", "supervisor"),
        ("credit", date(2024, 1, 10), None),  # €25.00 owed on that day, €5.00 left today
    ],
)
def test_caps_debt_and_ledger_hold_after_every_step(
    session: Session, caps: Caps, months: int, operations: list[tuple[Any, ...]]
) -> None:
    with example_savepoint(session):
        p = Programme(session, monthly="25.00", months=months)
        p.agreement(caps=caps, start=START, end=END)
        run = Run(p, session)
        run.check()
        for op in operations:
            if run.step(op):
                run.check()
            if (
                op[0] == "submit"
                and op[4] is not None
                and run.step(("verify", ("latest", 0), op[4]))
            ):
                run.check()


@BOUNDED
@given(
    months=st.integers(min_value=1, max_value=6),
    work=st.lists(
        st.tuples(st.sampled_from(WORK_DAYS[:12]), st.integers(min_value=1, max_value=16)),
        min_size=1,
        max_size=8,
        unique_by=lambda w: w[0],
    ),
    credits=st.lists(
        st.tuples(
            st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
            st.none() | st.integers(min_value=0, max_value=7),  # None: all verified entries
            st.sampled_from([False, False, False, True]),  # then undo one credit
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_crediting_in_any_order_of_days_never_takes_the_debt_below_zero(
    session: Session,
    months: int,
    work: list[tuple[date, int]],
    credits: list[tuple[date, int | None, bool]],
) -> None:
    """Hours worth more than the debt, credited on days in any order: the debt ends at zero at
    worst, on every day of the history, and each crediting takes at most what was owed."""
    with example_savepoint(session):
        p = Programme(session, monthly="25.00", months=months, today=END)
        p.agreement()
        for day, quarters in work:
            p.verify(p.submit(day, quarters * QUARTER))
        run = Run(p, session)
        for on, i, undo in credits:
            verified = p.by_status(HourStatus.VERIFIED)
            owed_on, owed_now = p.debt(as_of=on), p.debt()
            chosen = None if i is None or not verified else [verified[i % len(verified)]]
            result = p.credit(on, chosen)
            assert result.total <= max(min(owed_on, owed_now), Decimal(0))
            assert result.debt_before == max(owed_on, Decimal(0))
            event("credited" if result.total else "nothing credited")
            run.check()
            credited = p.by_status(HourStatus.CREDITED)
            if undo and credited:
                p.uncredit(credited[0])
                run.check()
