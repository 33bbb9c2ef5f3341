"""A repayment plan of a household of the committed site, for the duration of a test.

The site is shared by every web test (and the desk's tests draft plans for the same household),
so a plan made here is cancelled again when the test ends, and the household's open case, if the
activation moved it, goes back to the status it had.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.desk.cases import open_case_of, set_status
from condo_admin.desk.models import RepaymentPlan
from condo_admin.desk.plans import InstallmentDraft, activate_plan, cancel_plan, create_plan
from condo_admin.registry.models import Agency, Household
from tests.factories import ACTOR
from tests.web.helpers import engine_of
from tests.web.site import Site

#: The Rossi household owes 150.00 of January and 150.00 of February 2025; the plan repays them.
AS_OF = date(2025, 3, 1)
INSTALLMENTS = [
    InstallmentDraft(date(2025, 4, 10), "100.00"),
    InstallmentDraft(date(2025, 5, 10), "100.00"),
    InstallmentDraft(date(2025, 6, 10), "100.00"),
]


@contextmanager
def plan_of(app: Flask, site: Site, agency: str = "a", *, activate: bool = True) -> Iterator[int]:
    """A plan of 300.00 in three monthly installments for agency ``agency``'s Rossi household
    (signed unless ``activate`` is false), its id; cancelled when the block ends."""
    engine = engine_of(app)
    household_id = getattr(site, agency).household_ids[0]
    today = datetime.now(UTC).date()
    with Session(engine) as session:
        household = session.get(Household, household_id)
        assert household is not None
        debtor = session.scalar(
            select(DebtorAccount).where(DebtorAccount.household_id == household_id)
        )
        assert debtor is not None
        case = open_case_of(session, household_id)
        case_status = case.status if case is not None else None
        plan = create_plan(
            session,
            session.get(Agency, household.agency_id),  # type: ignore[arg-type]
            household=household,
            book=debtor.book,
            debt="300.00",
            as_of=AS_OF,
            installments=INSTALLMENTS,
            actor=ACTOR,
        )
        if activate:
            activate_plan(session, plan, on=today, actor=ACTOR)
        session.commit()
        plan_id = plan.id
    try:
        yield plan_id
    finally:
        with Session(engine) as session:
            plan = session.get(RepaymentPlan, plan_id)
            assert plan is not None
            cancel_plan(session, plan, on=today, reason="end of the portal test", actor=ACTOR)
            case = open_case_of(session, household_id)
            if case is not None and case_status is not None and case.status is not case_status:
                set_status(session, case, case_status, on=today, actor=ACTOR)
            session.commit()
