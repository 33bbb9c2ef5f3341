"""The arithmetic of repayment plans, for any schedule and any movements of the ledger.

``plans.standing_of`` and ``plans.equal_installments`` are pure, so Hypothesis drives them directly
with synthetic :class:`~condo_admin.desk.plans.Movements` (no database): a debt, a schedule of
installments after the day it was stated, and day-by-day changes of the household's balance, some
of them from credited hours (which only ever lower it), others anything (charges, payments,
reversals). The number of examples is the project's profile (see ``tests/conftest.py``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from condo_admin.desk.models import Means
from condo_admin.desk.plans import InstallmentState, Movements, equal_installments, standing_of
from ledger.money import to_cents

AS_OF = date(2024, 6, 30)
CENT = Decimal("0.01")

grace = st.integers(min_value=0, max_value=15)
means = st.sampled_from([Means.CASH, Means.CASH, Means.HOURS])


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[tuple[date, int, Means]], int]:
    """Installments due after ``AS_OF``, in strictly increasing order, and the debt they sum to."""
    gaps = draw(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=8))
    amounts = draw(
        st.lists(
            st.integers(min_value=1, max_value=200_000), min_size=len(gaps), max_size=len(gaps)
        )
    )
    day, rows = AS_OF, []
    for gap, cents in zip(gaps, amounts, strict=True):
        day += timedelta(days=gap)
        rows.append((day, cents, draw(means)))
    return rows, sum(amounts)


@st.composite
def movements(draw: st.DrawFn) -> Movements:
    """Changes of the balance on distinct days after ``AS_OF``: each day a cash part of any sign
    and a part from credited hours that lowers the balance (or, undone, raises it back a little)."""
    offsets = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=400), min_size=0, max_size=12))
    )
    moves = []
    for offset in offsets:
        cash = draw(st.integers(min_value=-300_000, max_value=150_000))
        hours = draw(st.integers(min_value=-50_000, max_value=5_000))
        moves.append((AS_OF + timedelta(days=offset), cash + hours, hours))
    base = draw(st.integers(min_value=0, max_value=2_000_000))
    return Movements(base, tuple(moves))


days_after = st.integers(min_value=0, max_value=450).map(lambda n: AS_OF + timedelta(days=n))


# --- the equal schedule --------------------------------------------------------------------


@given(
    total=st.integers(min_value=1, max_value=10_000_000),
    count=st.integers(min_value=1, max_value=60),
    first_due=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    months_apart=st.integers(min_value=1, max_value=3),
)
def test_an_equal_schedule_sums_to_the_debt_in_parts_a_cent_apart_at_most(
    total: int, count: int, first_due: date, months_apart: int
) -> None:
    debt = Decimal(total) / 100
    drafts = equal_installments(debt, count, first_due, months_apart=months_apart)
    amounts = [Decimal(d.amount) for d in drafts]
    assert len(drafts) == count
    assert sum(amounts) == debt
    assert max(amounts) - min(amounts) <= CENT
    assert all(a == a.quantize(CENT) for a in amounts)
    # The odd cents go to the first installments.
    assert amounts == sorted(amounts, reverse=True)
    assert {d.means for d in drafts} == {Means.CASH}


@given(
    count=st.integers(min_value=1, max_value=36),
    first_due=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    months_apart=st.integers(min_value=1, max_value=3),
)
def test_an_equal_schedule_falls_on_the_same_day_of_every_month(
    count: int, first_due: date, months_apart: int
) -> None:
    """One installment every ``months_apart`` months, on the first one's day of the month (or the
    month's last day when it is shorter), in strictly increasing order."""
    drafts = equal_installments("1000.00", count, first_due, months_apart=months_apart)
    days = [d.due_date for d in drafts]
    assert days[0] == first_due
    assert all(a < b for a, b in pairwise(days))
    for i, day in enumerate(days):
        months = (day.year - first_due.year) * 12 + day.month - first_due.month
        assert months == i * months_apart
        month_end = (day + timedelta(days=1)).day == 1
        assert day.day == first_due.day or (day.day < first_due.day and month_end)


# --- standing ------------------------------------------------------------------------------


@given(schedule=schedules(), moved=movements(), grace_days=grace, on=days_after)
def test_repaid_stays_between_zero_and_the_debt_and_hours_within_repaid(
    schedule: tuple[list[tuple[date, int, Means]], int],
    moved: Movements,
    grace_days: int,
    on: date,
) -> None:
    rows, debt = schedule
    found = standing_of(rows, debt, moved, grace_days, on)
    assert Decimal("0.00") <= found.repaid <= found.debt
    assert Decimal("0.00") <= found.repaid_by_hours <= found.repaid
    assert found.repaid_in_cash + found.repaid_by_hours == found.repaid
    assert found.remaining >= 0 and found.behind >= 0


@given(schedule=schedules(), moved=movements(), grace_days=grace, on=days_after)
def test_repaid_is_the_fall_of_the_balance_capped_at_the_debt(
    schedule: tuple[list[tuple[date, int, Means]], int],
    moved: Movements,
    grace_days: int,
    on: date,
) -> None:
    rows, debt = schedule
    fall = -sum(change for day, change, _ in moved.moves if day <= on)
    found = standing_of(rows, debt, moved, grace_days, on)
    assert to_cents(found.repaid) == min(debt, max(0, fall))


@given(
    schedule=schedules(),
    moved=movements(),
    grace_days=grace,
    first=days_after,
    later=st.integers(min_value=0, max_value=120),
)
def test_expected_never_falls_as_the_days_go_by(
    schedule: tuple[list[tuple[date, int, Means]], int],
    moved: Movements,
    grace_days: int,
    first: date,
    later: int,
) -> None:
    rows, debt = schedule
    before = standing_of(rows, debt, moved, grace_days, first)
    after = standing_of(rows, debt, moved, grace_days, first + timedelta(days=later))
    assert before.expected <= after.expected <= after.debt
    assert to_cents(after.expected) == sum(c for due, c, _ in rows if due <= after.as_of)
    assert sum(after.expected_by_means.values()) == after.expected


@given(
    schedule=schedules(),
    grace_days=grace,
    on=days_after,
    early=st.lists(st.integers(min_value=0, max_value=30), min_size=8, max_size=8),
    extra=st.integers(min_value=0, max_value=100_000),
)
def test_a_schedule_paid_on_time_has_no_missed_installment(
    schedule: tuple[list[tuple[date, int, Means]], int],
    grace_days: int,
    on: date,
    early: list[int],
    extra: int,
) -> None:
    """Each installment paid on its due date or up to a month before it (after the previous
    payment, after the day the debt was stated), the first one with ``extra`` on top."""
    rows, debt = schedule
    moves: list[tuple[date, int, int]] = []
    previous = AS_OF
    for (due, cents, _), ahead in zip(rows, early, strict=False):
        day = max(previous + timedelta(days=1), due - timedelta(days=ahead))
        moves.append((day, -cents - (extra if not moves else 0), 0))
        previous = day
    found = standing_of(rows, debt, Movements(debt, tuple(moves)), grace_days, on)
    assert found.missed == []
    assert found.caught_up
    assert all(line.state is InstallmentState.PAID for line in found.lines if line.due_date <= on)
    assert found.behind == 0


@given(schedule=schedules(), moved=movements(), grace_days=grace, on=days_after)
def test_only_an_installment_whose_grace_ran_out_can_be_missed(
    schedule: tuple[list[tuple[date, int, Means]], int],
    moved: Movements,
    grace_days: int,
    on: date,
) -> None:
    rows, debt = schedule
    found = standing_of(rows, debt, moved, grace_days, on)
    for line in found.lines:
        assert line.deadline == line.due_date + timedelta(days=grace_days)
        if line.state is InstallmentState.MISSED:
            assert line.deadline < on
        if line.state is InstallmentState.UPCOMING:
            assert line.due_date > on
        if line.state is InstallmentState.IN_GRACE:
            assert line.due_date <= on <= line.deadline
        assert line.caught_up == (found.repaid >= line.expected_to_date)
    assert found.caught_up == all(line.caught_up for line in found.missed)
