"""A household's repayment plans as the resident reads them: how each is going, step by step.

The desk's :mod:`condo_admin.desk.plans` judges a plan (expected against repaid, read from the
ledger); this module turns that judgement into what a resident needs to know: for each
installment whether it is paid, paid late, missed or still to pay (and by when), and for the plan
a single verdict the page says in one sentence. Read-only, no Flask: the views and the tests call
it with a Session. Every plan of the household is judged from one read of the ledger
(:func:`~condo_admin.desk.plans.movements_of`, four queries however many plans).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from condo_admin.desk import plans as plans_service
from condo_admin.desk.models import Means, PlanStatus, RepaymentPlan
from condo_admin.desk.plans import InstallmentState, Movements, Standing

#: Running plans (signed, or drafted and waiting to be signed) come first, in this order.
_RANK = {PlanStatus.ACTIVE: 0, PlanStatus.DRAFT: 1}
CURRENT = (PlanStatus.ACTIVE, PlanStatus.DRAFT)


class Word(enum.StrEnum):
    """What the resident reads in an installment's "state" column."""

    PAID = "paid"  # met in time
    PAID_LATE = "paid_late"  # missed in time, caught up since
    MISSED = "missed"  # missed and not caught up: contact the desk
    DUE = "due"  # still to pay, by ``pay_by``
    VOID = "void"  # the plan has ended: no longer to pay


class Verdict(enum.StrEnum):
    """How the plan is going, said in one sentence at the top of its section."""

    DRAFT = "draft"  # prepared by the desk, not signed yet
    ON_TRACK = "on_track"  # every installment whose time is over was met
    DUE_NOW = "due_now"  # on track, and an installment is due in these days
    BEHIND = "behind"  # an installment was missed and not caught up
    COMPLETED = "completed"
    BROKEN = "broken"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Step:
    """One installment: ``pay_by`` is the last day to pay it in time (for :attr:`Word.DUE`)."""

    seq: int
    due_date: date
    deadline: date
    amount: Decimal
    means: Means
    word: Word
    pay_by: date | None


@dataclass(frozen=True)
class Story:
    """One plan judged on a day, with the figures of its chart."""

    plan: RepaymentPlan
    judged: date  # the day it is judged on: today, or the day it ended
    standing: Standing
    steps: list[Step]
    verdict: Verdict
    #: The chart: at the end of each installment's grace period, what should have been repaid
    #: and what had been (``None`` for the periods still to come).
    points: list[tuple[date, Decimal, Decimal | None]]

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.word is Word.DUE), None)

    @property
    def mixed(self) -> bool:
        return self.plan.agreement_id is not None

    @property
    def current(self) -> bool:
        return self.plan.status in CURRENT


def plans_for(session: Session, household_id: int) -> list[RepaymentPlan]:
    """The household's plans: the active ones first, then drafts, then the past, newest first."""
    found = session.scalars(
        select(RepaymentPlan)
        .where(RepaymentPlan.household_id == household_id)
        .options(selectinload(RepaymentPlan.installments), selectinload(RepaymentPlan.book))
        .order_by(RepaymentPlan.created_at.desc(), RepaymentPlan.id.desc())
    ).all()
    return sorted(found, key=lambda p: _RANK.get(p.status, 2))  # stable: newest first within


def _word(line: plans_service.InstallmentLine, live: bool) -> Word:
    if line.state is InstallmentState.PAID:
        return Word.PAID
    if line.state is InstallmentState.MISSED:
        return Word.PAID_LATE if line.caught_up else Word.MISSED
    return Word.DUE if live else Word.VOID


def _verdict(plan: RepaymentPlan, standing: Standing) -> Verdict:
    if plan.status is not PlanStatus.ACTIVE:
        return Verdict(plan.status.value)
    if not standing.caught_up:
        return Verdict.BEHIND
    if any(line.state is InstallmentState.IN_GRACE for line in standing.lines):
        return Verdict.DUE_NOW
    return Verdict.ON_TRACK


def story(session: Session, plan: RepaymentPlan, today: date, moves: Movements) -> Story:
    """``plan`` judged on ``today`` (or the day it ended), from ``moves`` read up to ``today``."""
    judged = plans_service.judged_on(plan, today)
    found = plans_service.standing(session, plan, judged, moves)
    live = plan.status in CURRENT
    steps = [
        Step(
            seq=line.seq,
            due_date=line.due_date,
            deadline=line.deadline,
            amount=line.amount,
            means=line.means,
            word=_word(line, live),
            # Not yet due: pay by the due date; due already: by the end of the grace period.
            pay_by=line.due_date
            if line.state is InstallmentState.UPCOMING
            else line.deadline
            if line.state is InstallmentState.IN_GRACE
            else None,
        )
        for line in found.lines
    ]
    points = [
        (
            line.deadline,
            line.expected_to_date,
            plans_service.standing(session, plan, line.deadline, moves).repaid
            if line.deadline <= judged
            else None,
        )
        for line in found.lines
    ]
    return Story(plan, judged, found, steps, _verdict(plan, found), points)


def stories(session: Session, found: Sequence[RepaymentPlan], today: date) -> list[Story]:
    """Each plan of ``found`` judged on ``today``, from one read of the ledger."""
    moves = plans_service.movements_of(session, found, today)
    return [story(session, plan, today, moves[plan.id]) for plan in found]
