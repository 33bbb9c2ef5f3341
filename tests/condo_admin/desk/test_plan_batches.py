"""Plans judged together read the same figures as plans judged one by one."""

from __future__ import annotations

from datetime import date

from condo_admin.desk import plans
from tests.condo_admin.desk.office import Office


def test_movements_of_many_plans_equal_each_plans_own(session):
    first = Office(session)
    second = Office(session)
    early = first.plan()  # stated on the office's as-of day
    first.pay(date(2024, 7, 20), "120.00")
    first.charge(date(2024, 8, 1), "100.00")
    first.pay(date(2024, 8, 25), "230.00")
    late = second.plan(as_of=date(2024, 7, 20), first_due=date(2024, 8, 31))
    second.pay(date(2024, 7, 15), "50.00")  # before the second plan's date: part of its base
    second.pay(date(2024, 8, 20), "90.00")
    until = date(2024, 12, 31)
    together = plans.movements_of(session, [early, late], until)
    for plan in (early, late):
        assert together[plan.id] == plans.movements(session, plan, until)
    judged = plans.standings(session, [early, late], until)
    for plan in (early, late):
        assert judged[plan.id] == plans.standing(session, plan, until)
