"""The advice desk's full early-warning list: the ledger's three rules and the plans' rule.

A household whose active repayment plan has an installment missed and not caught up since is
flagged with the plan, the installment and how far behind it is (PRODUCT.md 4.3, fourth rule).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from condo_admin.accounting.early_warning import (
    Flag,
    HouseholdWarning,
    Rule,
    Settings,
    early_warnings,
)
from condo_admin.desk.models import PlanStatus, RepaymentPlan
from condo_admin.desk.plans import standings


def plan_flags(session: Session, as_of: date) -> dict[int, list[Flag]]:
    """One flag per active plan behind on a missed installment, by household id."""
    flags: dict[int, list[Flag]] = {}
    plans = list(
        session.scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.status == PlanStatus.ACTIVE, RepaymentPlan.as_of < as_of)
            .options(selectinload(RepaymentPlan.installments), selectinload(RepaymentPlan.book))
            .order_by(RepaymentPlan.code)
        )
    )
    judged = standings(session, plans, as_of)
    for plan in plans:
        found = judged[plan.id]
        behind = [line for line in found.missed if not line.caught_up]
        if not behind:
            continue
        line = behind[-1]
        flags.setdefault(plan.household_id, []).append(
            Flag(
                Rule.PLAN_MISSED,
                {
                    "plan": plan.code,
                    "seq": line.seq,
                    "amount": line.amount,
                    "due": line.due_date,
                    "repaid": found.repaid,
                    "expected": line.expected_to_date,
                },
            )
        )
    return flags


def desk_warnings(
    session: Session, as_of: date, settings: Settings | None = None
) -> list[HouseholdWarning]:
    return early_warnings(session, as_of, settings, extra_flags=plan_flags(session, as_of))
