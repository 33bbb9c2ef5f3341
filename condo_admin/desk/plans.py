"""Repayment plans (*piani di rientro*, PRODUCT.md 4.4).

A plan states a debt towards one creditor book on a day (``as_of``) and splits it into dated
installments that sum to it exactly. How much has been repaid by a day D is read from the ledger,
never typed in:

    repaid(D) = min(debt, max(0, balance(as_of) - balance(D)))

over the household's debtor accounts in that book. Measuring the fall of the balance rather than
the payments themselves is deliberate: a household that pays its new monthly charges but nothing
more has not repaid anything, even though the ledger (art. 1193 c.c., oldest first) books those
payments against the old debt. Hours credited under a restitution agreement lower the balance
like a payment, so they count toward the plan once, through the balance; a *mixed* plan names
its agreement and has installments to be met with hours, and the report shows how much of the
repayment came from credited hours (never more than was repaid in all).

An installment is met when, at the end of its grace period (default 5 days after its due date),
the repayment reaches the sum of the installments up to and including it; otherwise it is
*missed*. The plans monitor (:func:`check_plans`) marks missed installments, breaks a plan at the
configured number of misses (default 2) and completes it when the debt is repaid or every
installment was met in time (new charges after the last one do not undo a kept plan). A plan is *in
good standing* while it is active and the repayment has caught up with every installment whose
grace period is over: reminder letters are not written to such a household.
"""

from __future__ import annotations

import bisect
import calendar
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from condo_admin.accounting.books import book_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.audit.operations import record as audit
from condo_admin.desk.errors import DebtAboveArrears, PlanRefused, PlanTransitionRefused
from condo_admin.desk.household_budgets import budget_on, means
from condo_admin.desk.models import Means, PlanEvent, PlanInstallment, PlanStatus, RepaymentPlan
from condo_admin.exporting import Cell, Chart, Table
from condo_admin.registry.models import Agency, Household
from ledger.errors import N_, InvalidAmount, NotFound, Phrase, either
from ledger.models import Account, Book, Posting
from ledger.money import from_cents, split_largest_remainder, to_cents
from volunteering.models import Agreement, AgreementStatus

LIVE = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


@dataclass(frozen=True)
class Settings:
    grace_days: int = 5
    break_after: int = 2
    #: Above this share of disposable income an installment is flagged as hard to afford.
    affordability_threshold: Decimal = Decimal("0.30")


@dataclass(frozen=True)
class InstallmentDraft:
    due_date: date
    amount: Decimal | str
    means: Means | str = Means.CASH


def equal_installments(
    total: Decimal | str,
    count: int,
    first_due: date,
    *,
    months_apart: int = 1,
    means: Means = Means.CASH,
) -> list[InstallmentDraft]:
    """``count`` installments a month (or ``months_apart``) apart, summing exactly to ``total``.

    The odd cents go to the first installments (largest remainder over equal weights).
    """
    if count < 1:
        raise PlanRefused(plan=N_("(new)"), problem=N_("a plan needs at least one installment"))
    parts = split_largest_remainder(to_cents(total), [1] * count)
    return [
        InstallmentDraft(add_months(first_due, i * months_apart), from_cents(cents), means)
        for i, cents in enumerate(parts)
    ]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- reading the ledger --------------------------------------------------------------------


def plan_accounts(session: Session, household_id: int, book_id: int) -> list[int]:
    return list(
        session.scalars(
            select(DebtorAccount.account_id).where(
                DebtorAccount.household_id == household_id, DebtorAccount.book_id == book_id
            )
        )
    )


def arrears_cents(session: Session, household_id: int, book_id: int, as_of: date) -> int:
    """What the household owed the book on ``as_of``, across all its debtor accounts there."""
    accounts = plan_accounts(session, household_id, book_id)
    if not accounts:
        return 0
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
                Posting.account_id.in_(accounts), Posting.entry_date <= as_of
            )
        )
    )


@dataclass(frozen=True)
class Movements:
    """The household's balance in the book on ``as_of`` and its daily changes after it.

    ``moves`` are ``(day, change of balance, change due to credited hours)``, by day; credited
    hours lower the balance, so their change is negative.
    """

    base_cents: int
    moves: tuple[tuple[date, int, int], ...]


def movements(session: Session, plan: RepaymentPlan, until: date) -> Movements:
    accounts = plan_accounts(session, plan.household_id, plan.book_id)
    if not accounts:
        return Movements(0, ())
    base = arrears_cents(session, plan.household_id, plan.book_id, plan.as_of)
    community_id = book_account(session, plan.book, "COMMUNITY").id
    credited_entries = (
        select(Posting.entry_id)
        .where(
            Posting.account_id == community_id,
            Posting.entry_date > plan.as_of,
            Posting.entry_date <= until,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Posting.entry_date,
            func.sum(Posting.amount_cents),
            func.sum(case((Posting.entry_id.in_(credited_entries), Posting.amount_cents), else_=0)),
        )
        .where(
            Posting.account_id.in_(accounts),
            Posting.entry_date > plan.as_of,
            Posting.entry_date <= until,
        )
        .group_by(Posting.entry_date)
        .order_by(Posting.entry_date)
    )
    return Movements(base, tuple((d, int(c), int(h)) for d, c, h in rows))


def movements_of(
    session: Session, plans: Sequence[RepaymentPlan], until: date
) -> dict[int, Movements]:
    """:func:`movements` of many plans in four queries, whatever their number (for lists, the
    monitor and the letters): the accounts, the books' COMMUNITY accounts, the balances up to
    the earliest plan date, and the daily moves after it."""
    if not plans:
        return {}
    pairs = {(p.household_id, p.book_id) for p in plans}
    accounts: dict[tuple[int, int], list[int]] = {}
    for account_id, household_id, book_id in session.execute(
        select(DebtorAccount.account_id, DebtorAccount.household_id, DebtorAccount.book_id).where(
            DebtorAccount.household_id.in_({h for h, _ in pairs}),
            DebtorAccount.book_id.in_({b for _, b in pairs}),
        )
    ):
        if (household_id, book_id) in pairs:
            accounts.setdefault((household_id, book_id), []).append(account_id)
    every = [a for ids in accounts.values() for a in ids]
    if not every:
        return {p.id: Movements(0, ()) for p in plans}
    community = list(
        session.scalars(
            select(Account.id).where(
                Account.book_id.in_({b for _, b in pairs}), Account.code == "COMMUNITY"
            )
        )
    )
    floor = min(p.as_of for p in plans)
    base: dict[int, int] = {
        account_id: int(total)
        for account_id, total in session.execute(
            select(Posting.account_id, func.sum(Posting.amount_cents))
            .where(Posting.account_id.in_(every), Posting.entry_date <= floor)
            .group_by(Posting.account_id)
        )
    }
    credited_entries = (
        select(Posting.entry_id)
        .where(
            Posting.account_id.in_(community or [0]),
            Posting.entry_date > floor,
            Posting.entry_date <= until,
        )
        .scalar_subquery()
    )
    daily: dict[int, list[tuple[date, int, int]]] = {}
    for account_id, day, change, hours in session.execute(
        select(
            Posting.account_id,
            Posting.entry_date,
            func.sum(Posting.amount_cents),
            func.sum(case((Posting.entry_id.in_(credited_entries), Posting.amount_cents), else_=0)),
        )
        .where(
            Posting.account_id.in_(every),
            Posting.entry_date > floor,
            Posting.entry_date <= until,
        )
        .group_by(Posting.account_id, Posting.entry_date)
        .order_by(Posting.entry_date)
    ):
        daily.setdefault(account_id, []).append((day, int(change), int(hours)))
    found: dict[int, Movements] = {}
    for plan in plans:
        ids = accounts.get((plan.household_id, plan.book_id), [])
        opening = sum(base.get(a, 0) for a in ids)
        by_day: dict[date, list[int]] = {}
        for account_id in ids:
            for day, change, hours in daily.get(account_id, []):
                if day <= plan.as_of:
                    opening += change
                else:
                    moved = by_day.setdefault(day, [0, 0])
                    moved[0] += change
                    moved[1] += hours
        found[plan.id] = Movements(
            opening, tuple((day, c, h) for day, (c, h) in sorted(by_day.items()))
        )
    return found


def standings(session: Session, plans: Sequence[RepaymentPlan], as_of: date) -> dict[int, Standing]:
    """Each plan's standing, judged on ``as_of`` or the day it closed (see :func:`judged_on`)."""
    moves = movements_of(session, plans, as_of)
    return {
        plan.id: standing(session, plan, judged_on(plan, as_of), moves[plan.id]) for plan in plans
    }


# --- standing: pure arithmetic on a schedule and the movements ------------------------------


class InstallmentState(enum.StrEnum):
    PAID = "paid"  # met within its grace period
    MISSED = "missed"  # not met when its grace period ran out
    IN_GRACE = "in_grace"  # due, grace period not over
    UPCOMING = "upcoming"  # not yet due


@dataclass(frozen=True)
class InstallmentLine:
    seq: int
    due_date: date
    deadline: date
    amount: Decimal
    means: Means
    expected_to_date: Decimal  # the installments up to and including this one
    state: InstallmentState
    #: For a missed installment: whether the repayment has since caught up with it.
    caught_up: bool


@dataclass(frozen=True)
class Standing:
    """A plan's expected-versus-actual on a day."""

    as_of: date
    debt: Decimal
    expected: Decimal  # installments due on or before ``as_of``
    repaid: Decimal  # from the ledger, capped at the debt
    repaid_by_hours: Decimal  # the part of ``repaid`` that came from credited hours
    lines: list[InstallmentLine] = field(default_factory=list)

    @property
    def repaid_in_cash(self) -> Decimal:
        return self.repaid - self.repaid_by_hours

    @property
    def behind(self) -> Decimal:
        return max(self.expected - self.repaid, Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.debt - self.repaid

    @property
    def missed(self) -> list[InstallmentLine]:
        return [line for line in self.lines if line.state is InstallmentState.MISSED]

    @property
    def all_met(self) -> bool:
        """Whether every installment has been met within its grace period (or before it)."""
        return all(line.state is InstallmentState.PAID for line in self.lines)

    @property
    def caught_up(self) -> bool:
        """Whether every installment whose grace period is over has been met, late or not."""
        return all(line.caught_up for line in self.missed)

    @property
    def expected_by_means(self) -> dict[Means, Decimal]:
        out = {Means.CASH: Decimal("0.00"), Means.HOURS: Decimal("0.00")}
        for line in self.lines:
            if line.due_date <= self.as_of:
                out[line.means] += line.amount
        return out


def standing_of(
    installments: Sequence[tuple[date, int, Means]],
    debt_cents: int,
    movements_: Movements,
    grace_days: int,
    as_of: date,
) -> Standing:
    """Expected against repaid on ``as_of``; pure, so property tests can drive it directly."""
    days = [m[0] for m in movements_.moves]
    falls: list[int] = []
    hours: list[int] = []
    fall = hour = 0
    for _, change, hours_change in movements_.moves:
        fall -= change
        hour -= hours_change
        falls.append(fall)
        hours.append(hour)

    def repaid_at(day: date) -> tuple[int, int]:
        i = bisect.bisect_right(days, day)
        if i == 0:
            return 0, 0
        paid = min(debt_cents, max(0, falls[i - 1]))
        return paid, min(max(0, hours[i - 1]), paid)

    repaid_now, hours_now = repaid_at(as_of)
    lines: list[InstallmentLine] = []
    cumulative = expected = 0
    for seq, (due, cents, how) in enumerate(installments, start=1):
        cumulative += cents
        deadline = due + timedelta(days=grace_days)
        if due <= as_of:
            expected += cents
        if deadline < as_of:
            met_in_time = repaid_at(deadline)[0] >= cumulative
            state = InstallmentState.PAID if met_in_time else InstallmentState.MISSED
        elif repaid_now >= cumulative:
            state = InstallmentState.PAID
        elif due <= as_of:
            state = InstallmentState.IN_GRACE
        else:
            state = InstallmentState.UPCOMING
        lines.append(
            InstallmentLine(
                seq=seq,
                due_date=due,
                deadline=deadline,
                amount=from_cents(cents),
                means=how,
                expected_to_date=from_cents(cumulative),
                state=state,
                caught_up=repaid_now >= cumulative,
            )
        )
    return Standing(
        as_of=as_of,
        debt=from_cents(debt_cents),
        expected=from_cents(expected),
        repaid=from_cents(repaid_now),
        repaid_by_hours=from_cents(hours_now),
        lines=lines,
    )


def standing(
    session: Session, plan: RepaymentPlan, as_of: date, moves: Movements | None = None
) -> Standing:
    """The plan's standing on ``as_of``; ``moves`` read up to that day or later may be given
    (one read of the ledger serves the standing on several days)."""
    return standing_of(
        [(i.due_date, i.amount_cents, i.means) for i in plan.installments],
        plan.debt_cents,
        moves if moves is not None else movements(session, plan, as_of),
        plan.grace_days,
        as_of,
    )


def judged_on(plan: RepaymentPlan, as_of: date) -> date:
    """The day a report judges ``plan`` on: ``as_of``, or the day it closed if that was earlier
    (a cancelled or superseded plan misses nothing after it ended)."""
    if plan.closed_on is not None and plan.closed_on < as_of:
        return plan.closed_on
    return as_of


def in_good_standing(session: Session, plan: RepaymentPlan, as_of: date) -> bool:
    return plan.status is PlanStatus.ACTIVE and standing(session, plan, as_of).caught_up


# --- writing -------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _event(
    session: Session,
    plan: RepaymentPlan,
    action: str,
    from_status: PlanStatus | None,
    actor: str,
    note: str | None = None,
) -> None:
    session.add(
        PlanEvent(
            plan_id=plan.id,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=plan.status.value,
            actor=actor,
            at=_now(),
            note=note,
        )
    )


def next_code(session: Session, agency: Agency, year: int) -> str:
    prefix = f"PR{year}-"
    taken = session.scalars(
        select(RepaymentPlan.code).where(
            RepaymentPlan.agency_id == agency.id, RepaymentPlan.code.like(f"{prefix}%")
        )
    ).all()
    numbers = [int(c[len(prefix) :]) for c in taken if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _checked_installments(
    code: str, installments: Iterable[InstallmentDraft], debt_cents: int, as_of: date, mixed: bool
) -> list[PlanInstallment]:
    rows: list[PlanInstallment] = []
    previous: date | None = None
    for seq, draft in enumerate(installments, start=1):
        try:
            cents = to_cents(draft.amount, field=Phrase(N_("installment %(seq)s"), seq=seq))
        except InvalidAmount as exc:
            raise PlanRefused(plan=code, problem=exc.phrase) from None
        if cents <= 0:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_("installment %(seq)s must be more than zero, not %(amount)s"),
                    seq=seq,
                    amount=draft.amount,
                ),
            )
        try:
            how = Means(draft.means)
        except ValueError:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_("installment %(seq)s: %(means)r is neither cash nor hours"),
                    seq=seq,
                    means=draft.means,
                ),
            ) from None
        if how is Means.HOURS and not mixed:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_(
                        "installment %(seq)s is to be met with hours, but the plan names no "
                        "restitution agreement"
                    ),
                    seq=seq,
                ),
            )
        if draft.due_date <= as_of:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_(
                        "installment %(seq)s is due on %(due)s, not after the day the debt was "
                        "stated (%(as_of)s)"
                    ),
                    seq=seq,
                    due=draft.due_date,
                    as_of=as_of,
                ),
            )
        if previous is not None and draft.due_date <= previous:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_(
                        "installment %(seq)s is due on %(due)s, not after installment "
                        "%(previous)s (%(previous_due)s): dates must be in order"
                    ),
                    seq=seq,
                    due=draft.due_date,
                    previous=seq - 1,
                    previous_due=previous,
                ),
            )
        previous = draft.due_date
        rows.append(
            PlanInstallment(seq=seq, due_date=draft.due_date, amount_cents=cents, means=how)
        )
    if not rows:
        raise PlanRefused(plan=code, problem=N_("a plan needs at least one installment"))
    total = sum(r.amount_cents for r in rows)
    if total != debt_cents:
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("the installments sum to %(total)s, the debt is %(debt)s (difference %(gap)s)"),
                total=from_cents(total),
                debt=from_cents(debt_cents),
                gap=from_cents(total - debt_cents),
            ),
        )
    return rows


def create_plan(
    session: Session,
    agency: Agency,
    *,
    household: Household,
    book: Book,
    debt: Decimal | str,
    as_of: date,
    installments: Iterable[InstallmentDraft],
    actor: str,
    code: str | None = None,
    agreement: Agreement | None = None,
    override_note: str | None = None,
    note: str | None = None,
    supersedes: RepaymentPlan | None = None,
    settings: Settings | None = None,
) -> RepaymentPlan:
    """A draft plan, checked against the schedule, the ledger and any agreement it names."""
    rules = settings or Settings()
    code = code or next_code(session, agency, as_of.year)
    if household.agency_id != agency.id:
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("household %(household)s is of another agency"), household=household.code
            ),
        )
    try:
        debt_cents = to_cents(debt, field=N_("debt"))
    except InvalidAmount as exc:
        raise PlanRefused(plan=code, problem=exc.phrase) from None
    if debt_cents <= 0:
        raise PlanRefused(
            plan=code,
            problem=Phrase(N_("the debt must be more than zero, not %(debt)s"), debt=debt),
        )
    if rules.grace_days < 0 or rules.break_after < 1:
        raise PlanRefused(
            plan=code,
            problem=N_(
                "the grace period cannot be negative and a plan breaks after one miss or more"
            ),
        )
    if session.scalar(
        select(RepaymentPlan.id).where(
            RepaymentPlan.agency_id == agency.id, RepaymentPlan.code == code
        )
    ):
        raise PlanRefused(plan=code, problem=N_("a plan with this code already exists"))
    if not plan_accounts(session, household.id, book.id):
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("household %(household)s has no account in book %(book)s"),
                household=household.code,
                book=book.code,
            ),
        )
    if agreement is not None:
        _check_agreement(session, code, agreement, household, book)
    rows = _checked_installments(code, installments, debt_cents, as_of, agreement is not None)
    arrears = arrears_cents(session, household.id, book.id, as_of)
    override_note = (override_note or "").strip() or None
    if debt_cents > arrears and override_note is None:
        raise DebtAboveArrears(
            plan=code,
            debt=from_cents(debt_cents),
            household=household.code,
            book=book.code,
            date=as_of.isoformat(),
            arrears=from_cents(arrears),
        )
    live = session.scalars(
        select(RepaymentPlan).where(
            RepaymentPlan.household_id == household.id,
            RepaymentPlan.book_id == book.id,
            RepaymentPlan.status.in_(LIVE),
        )
    ).all()
    for other in live:
        if supersedes is None or other.id != supersedes.id:
            raise PlanRefused(
                plan=code,
                problem=Phrase(
                    N_(
                        "household %(household)s already has plan %(plan)s (%(status)s) in book "
                        "%(book)s: renegotiate or cancel it first"
                    ),
                    household=household.code,
                    plan=other.code,
                    status=other.status.value,
                    book=book.code,
                ),
            )
    plan = RepaymentPlan(
        agency_id=agency.id,
        code=code,
        household_id=household.id,
        book_id=book.id,
        debt_cents=debt_cents,
        as_of=as_of,
        status=PlanStatus.DRAFT,
        agreement_id=agreement.id if agreement else None,
        grace_days=rules.grace_days,
        break_after=rules.break_after,
        override_note=override_note,
        supersedes_id=supersedes.id if supersedes else None,
        note=note,
        created_by=actor,
        created_at=_now(),
        installments=rows,
    )
    session.add(plan)
    session.flush()
    _event(session, plan, "create", None, actor, note=override_note)
    audit(session, actor, "plan.create", plan)
    return plan


def _check_agreement(
    session: Session, code: str, agreement: Agreement, household: Household, book: Book
) -> None:
    if agreement.household_id != household.id:
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("agreement %(agreement)s is of another household, not %(household)s"),
                agreement=agreement.code,
                household=household.code,
            ),
        )
    debtor = session.get(DebtorAccount, agreement.debtor_account_id)
    if debtor is None or debtor.book_id != book.id:
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("agreement %(agreement)s repays a debt in another book, not %(book)s"),
                agreement=agreement.code,
                book=book.code,
            ),
        )
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.ACTIVE):
        raise PlanRefused(
            plan=code,
            problem=Phrase(
                N_("agreement %(agreement)s is %(status)s"),
                agreement=agreement.code,
                status=agreement.status.value,
            ),
        )


#: How a refusal names each transition ("it cannot be activated").
_DONE = {
    "activate": N_("activated"),
    "cancel": N_("cancelled"),
    "supersede": N_("superseded"),
    "break": N_("broken"),
    "complete": N_("completed"),
}


def _move(
    session: Session,
    plan: RepaymentPlan,
    to: PlanStatus,
    allowed: tuple[PlanStatus, ...],
    action: str,
    actor: str,
    *,
    on: date | None = None,
    note: str | None = None,
) -> None:
    if plan.status not in allowed:
        raise PlanTransitionRefused(
            plan=plan.code,
            status=plan.status.value,
            action=_DONE.get(action, action),
            allowed=either([s.value for s in allowed]),
        )
    before = plan.status
    plan.status = to
    if to not in LIVE:
        plan.closed_on = on
    session.flush()
    _event(session, plan, action, before, actor, note)
    audit(session, actor, f"plan.{action}", plan, before={"status": before.value})


def activate_plan(session: Session, plan: RepaymentPlan, *, on: date, actor: str) -> RepaymentPlan:
    """The household signed: the plan runs, the plan it renegotiates is superseded, and the
    household's open case, if any, moves to *in plan*."""
    from condo_admin.desk.cases import OPEN_STATUSES, open_case_of, set_status
    from condo_admin.desk.models import CaseStatus

    _move(session, plan, PlanStatus.ACTIVE, (PlanStatus.DRAFT,), "activate", actor, on=on)
    case = open_case_of(session, plan.household_id)
    if case is not None and case.status in OPEN_STATUSES and case.status is not CaseStatus.IN_PLAN:
        set_status(session, case, CaseStatus.IN_PLAN, on=on, actor=actor)
    if plan.supersedes is not None and plan.supersedes.status in LIVE:
        _move(
            session,
            plan.supersedes,
            PlanStatus.SUPERSEDED,
            LIVE,
            "supersede",
            actor,
            on=on,
            note=f"renegotiated as {plan.code}",
        )
    return plan


def cancel_plan(
    session: Session, plan: RepaymentPlan, *, on: date, reason: str, actor: str
) -> RepaymentPlan:
    if not reason.strip():
        raise PlanRefused(plan=plan.code, problem=N_("a cancellation needs a reason"))
    _move(session, plan, PlanStatus.CANCELLED, LIVE, "cancel", actor, on=on, note=reason)
    return plan


def renegotiate(
    session: Session,
    plan: RepaymentPlan,
    *,
    as_of: date,
    installments: Iterable[InstallmentDraft],
    actor: str,
    debt: Decimal | str | None = None,
    code: str | None = None,
    override_note: str | None = None,
    note: str | None = None,
    settings: Settings | None = None,
) -> RepaymentPlan:
    """A new draft plan superseding ``plan`` once activated; by default for the debt left.

    The debt left is what the ledger shows on ``as_of`` (the household's balance in the book):
    what was repaid under the old plan has already lowered it.
    """
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.BROKEN, PlanStatus.DRAFT):
        raise PlanTransitionRefused(
            plan=plan.code,
            status=plan.status.value,
            action=N_("renegotiated"),
            allowed=either(
                [s.value for s in (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.BROKEN)]
            ),
        )
    if debt is None:
        debt = from_cents(arrears_cents(session, plan.household_id, plan.book_id, as_of))
    new = create_plan(
        session,
        plan.agency,
        household=plan.household,
        book=plan.book,
        debt=debt,
        as_of=as_of,
        installments=installments,
        actor=actor,
        code=code,
        agreement=plan.agreement,
        override_note=override_note,
        note=note or f"renegotiates {plan.code}",
        supersedes=plan,
        settings=settings or Settings(grace_days=plan.grace_days, break_after=plan.break_after),
    )
    return new


# --- the plans monitor ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    plan: RepaymentPlan
    standing: Standing
    newly_missed: list[InstallmentLine]
    became: PlanStatus | None  # BROKEN or COMPLETED when the check changed the plan


def check_plans(
    session: Session, as_of: date, *, actor: str, agency: Agency | None = None
) -> list[CheckResult]:
    """Mark installments missed on ``as_of``, break and complete plans; one result per active plan.

    Running it again on the same day changes nothing: a missed installment is marked once.
    """
    query = (
        select(RepaymentPlan)
        .where(RepaymentPlan.status == PlanStatus.ACTIVE)
        .options(selectinload(RepaymentPlan.installments), selectinload(RepaymentPlan.book))
        .order_by(RepaymentPlan.code)
    )
    if agency is not None:
        query = query.where(RepaymentPlan.agency_id == agency.id)
    results: list[CheckResult] = []
    active = list(session.scalars(query).all())
    judged = standings(session, active, as_of)
    for plan in active:
        found = judged[plan.id]
        newly: list[InstallmentLine] = []
        by_seq = {i.seq: i for i in plan.installments}
        for line in found.missed:
            row = by_seq[line.seq]
            if row.missed_on is None:
                row.missed_on = line.deadline + timedelta(days=1)
                newly.append(line)
                _event(
                    session,
                    plan,
                    "missed",
                    plan.status,
                    actor,
                    note=f"installment {line.seq} of {line.amount} due {line.due_date.isoformat()}",
                )
        became: PlanStatus | None = None
        if len(found.missed) >= plan.break_after:
            _move(
                session,
                plan,
                PlanStatus.BROKEN,
                (PlanStatus.ACTIVE,),
                "break",
                actor,
                # The day the grace period of the miss that broke it ran out.
                on=min(as_of, found.missed[plan.break_after - 1].deadline + timedelta(days=1)),
                note=f"{len(found.missed)} installments missed",
            )
            became = PlanStatus.BROKEN
        elif found.repaid >= found.debt or found.all_met:
            _move(
                session,
                plan,
                PlanStatus.COMPLETED,
                (PlanStatus.ACTIVE,),
                "complete",
                actor,
                on=as_of if found.repaid >= found.debt else min(as_of, found.lines[-1].deadline),
            )
            became = PlanStatus.COMPLETED
        session.flush()
        results.append(CheckResult(plan, found, newly, became))
    return results


# --- affordability -------------------------------------------------------------------------


@dataclass(frozen=True)
class Affordability:
    """The heaviest month of cash installments against the household's disposable income."""

    monthly_installment: Decimal
    disposable: Decimal | None  # None: no household budget recorded
    share: Decimal | None  # None when there is no budget or nothing disposable
    threshold: Decimal

    @property
    def warning(self) -> str | None:
        if self.disposable is None:
            return "no household budget is recorded: affordability cannot be judged"
        if self.disposable <= 0:
            return f"the household has no disposable income ({self.disposable})"
        if self.share is not None and self.share > self.threshold:
            return (
                f"the installment takes {self.share:.0%} of disposable income "
                f"(above {self.threshold:.0%})"
            )
        return None


def affordability(
    session: Session, plan: RepaymentPlan, *, on: date, settings: Settings | None = None
) -> Affordability:
    rules = settings or Settings()
    by_month: dict[tuple[int, int], int] = defaultdict(int)
    for row in plan.installments:
        if row.means is Means.CASH:
            by_month[(row.due_date.year, row.due_date.month)] += row.amount_cents
    heaviest = from_cents(max(by_month.values(), default=0))
    budget = budget_on(session, plan.household_id, on)
    if budget is None:
        return Affordability(heaviest, None, None, rules.affordability_threshold)
    disposable = means(budget).disposable
    share = (heaviest / disposable).quantize(Decimal("0.0001")) if disposable > 0 else None
    return Affordability(heaviest, disposable, share, rules.affordability_threshold)


# --- reporting -----------------------------------------------------------------------------


def as_table(session: Session, found: Sequence[RepaymentPlan], as_of: date) -> Table:
    """Plans with expected against repaid on ``as_of`` (closed plans: on the day they closed),
    and a chart of what each has repaid."""
    rows: list[list[Cell]] = []
    judged = standings(session, found, as_of)
    for plan in found:
        s = judged[plan.id]
        rows.append(
            [
                plan.code,
                plan.household.code,
                plan.book.code,
                plan.status.value,
                "mixed" if plan.agreement_id else "cash",
                s.debt,
                s.expected,
                s.repaid,
                s.repaid_by_hours,
                s.behind,
                len(s.missed),
            ]
        )
    total = [sum((row[i] for row in rows), Decimal("0.00")) for i in range(5, 10)]
    return Table(
        title=f"Repayment plans as of {as_of.isoformat()}: {len(rows)}",
        headers=[
            "plan",
            "household",
            "book",
            "status",
            "kind",
            "debt",
            "expected",
            "repaid",
            "of which hours",
            "behind",
            "missed",
        ],
        rows=rows,
        footer=["total", "", "", "", "", *total, sum(int(row[10]) for row in rows)],
        chart=Chart(
            title="Repaid by plan",
            labels=[str(row[0]) for row in rows],
            values=[row[7] for row in rows],  # type: ignore[misc]
        ),
    )


# --- finding -------------------------------------------------------------------------------


def find_plan(session: Session, agency: Agency, code: str) -> RepaymentPlan:
    plan = session.scalar(
        select(RepaymentPlan).where(
            RepaymentPlan.agency_id == agency.id, RepaymentPlan.code == code
        )
    )
    if plan is None:
        raise NotFound(what="Repayment plan", ref=code)
    return plan


def plans_of(session: Session, household_id: int) -> list[RepaymentPlan]:
    """Every plan of a household, newest first, renegotiations included."""
    return list(
        session.scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.household_id == household_id)
            .order_by(RepaymentPlan.created_at.desc(), RepaymentPlan.id.desc())
        )
    )


def events_of(session: Session, plan: RepaymentPlan) -> list[PlanEvent]:
    return list(
        session.scalars(
            select(PlanEvent).where(PlanEvent.plan_id == plan.id).order_by(PlanEvent.id)
        )
    )
