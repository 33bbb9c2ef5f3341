"""The demo's advice desk: plans in every state, worked cases and a run of letters, all real."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.demo.seed import seed_demo
from condo_admin.desk import plans, reminders
from condo_admin.desk.models import Case, Letter, Means, PlanStatus, RepaymentPlan
from condo_admin.desk.warnings import desk_warnings
from ledger import openitems

TODAY = date(2026, 11, 25)


def test_the_demo_desk_shows_every_plan_state_cases_and_letters(session: Session) -> None:
    summary = seed_demo(session, today=TODAY)
    found = session.scalars(select(RepaymentPlan).order_by(RepaymentPlan.code)).all()
    assert {p.status for p in found} == set(PlanStatus)
    assert summary.plans == {
        status.value: sum(1 for p in found if p.status is status)
        for status in PlanStatus
        if any(p.status is status for p in found)
    }

    mixed = [p for p in found if p.agreement_id is not None]
    assert len(mixed) == 1
    assert any(i.means is Means.HOURS for i in mixed[0].installments)

    superseded = next(p for p in found if p.status is PlanStatus.SUPERSEDED)
    successor = next(p for p in found if p.supersedes_id == superseded.id)
    assert successor.status is PlanStatus.ACTIVE
    assert plans.in_good_standing(session, successor, TODAY)

    completed = next(p for p in found if p.status is PlanStatus.COMPLETED)
    assert plans.standing(session, completed, completed.closed_on).all_met

    flagged = {
        w.household_id
        for w in desk_warnings(session, TODAY)
        if any(f.rule.value == "plan_missed" for f in w.flags)
    }
    behind = [
        p
        for p in found
        if p.status is PlanStatus.ACTIVE and not plans.standing(session, p, TODAY).caught_up
    ]
    assert behind and {p.household_id for p in behind} == flagged

    cases = session.scalars(select(Case)).all()
    assert len(cases) == summary.cases > 0
    assert any(c.closed_on is not None for c in cases)
    assert any(c.hold_letters for c in cases)
    assert any(len(c.diary) > 2 for c in cases)

    letters = session.scalars(select(Letter)).all()
    assert len(letters) == summary.letters > 0
    text = PdfReader(io.BytesIO(letters[0].pdf)).pages[0].extract_text()
    assert letters[0].debtor_account.rf_reference[:4] in text
    # The run wrote every letter due today: a second run finds nothing new.
    again = reminders.generate(session, letters[0].run.agency, TODAY, actor="test")
    assert again.letters == []
    assert openitems.verify(session) == []
