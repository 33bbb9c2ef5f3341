"""The resident's repayment plan: each installment in plain words, how the plan is going in one
sentence, expected against repaid and what is left, a chart; only the household's own plans."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.payments import record_payment
from condo_admin.auth.models import Role, User
from condo_admin.desk.models import PlanStatus
from condo_admin.desk.plans import activate_plan, cancel_plan, create_plan
from portal import repayment
from portal.repayment import Verdict, Word
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from tests.web.helpers import engine_of, text
from tests.web.portal.helpers import resident
from tests.web.portal.plan_helpers import AS_OF, INSTALLMENTS, plan_of
from tests.web.site import csrf_token, login

# --- the plan read for the resident (a rolled-back session) --------------------------------


@pytest.fixture
def estate(session: Session) -> Estate:
    estate = Estate(session)
    estate.charge(estate.rossi, date(2025, 1, 10), "150.00")
    estate.charge(estate.rossi, date(2025, 2, 10), "150.00")
    return estate


def _plan(estate: Estate, *, activate: bool = True):  # type: ignore[no-untyped-def]
    plan = create_plan(
        estate.session,
        estate.agency,
        household=estate.rossi.household,
        book=estate.book,
        debt="300.00",
        as_of=AS_OF,
        installments=INSTALLMENTS,
        actor=ACTOR,
    )
    if activate:
        activate_plan(estate.session, plan, on=AS_OF, actor=ACTOR)
    return plan


def _story(estate: Estate, plan, day: date) -> repayment.Story:  # type: ignore[no-untyped-def]
    (found,) = repayment.stories(estate.session, [plan], day)
    return found


def test_each_installment_is_paid_paid_late_missed_or_due_by_a_day(estate: Estate) -> None:
    plan = _plan(estate)
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 4, 12), actor=ACTOR)
    # Nothing by the end of May's grace period (15 May): the second installment is missed...
    behind = _story(estate, plan, date(2025, 5, 17))
    assert [s.word for s in behind.steps] == [Word.PAID, Word.MISSED, Word.DUE]
    assert behind.steps[2].pay_by == date(2025, 6, 10)  # not yet due: by its due date
    assert behind.verdict is Verdict.BEHIND
    assert behind.standing.expected == Decimal("200.00")
    assert behind.standing.repaid == Decimal("100.00")
    # ...and paid late once the household catches up; June's is due, in its grace period.
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 5, 20), actor=ACTOR)
    due = _story(estate, plan, date(2025, 6, 12))
    assert [s.word for s in due.steps] == [Word.PAID, Word.PAID_LATE, Word.DUE]
    assert due.steps[2].pay_by == date(2025, 6, 15)  # due already: by the end of its grace
    assert due.verdict is Verdict.DUE_NOW and due.next_step == due.steps[2]
    assert due.standing.remaining == Decimal("100.00")
    # The chart: at each grace period's end, what should have been repaid and what was.
    assert due.points == [
        (date(2025, 4, 15), Decimal("100.00"), Decimal("100.00")),
        (date(2025, 5, 15), Decimal("200.00"), Decimal("100.00")),
        (date(2025, 6, 15), Decimal("300.00"), None),
    ]


def test_a_plan_on_track_names_its_next_installment(estate: Estate) -> None:
    plan = _plan(estate)
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 4, 9), actor=ACTOR)
    found = _story(estate, plan, date(2025, 4, 20))
    assert found.verdict is Verdict.ON_TRACK
    assert found.next_step is not None and found.next_step.seq == 2
    assert found.next_step.pay_by == date(2025, 5, 10)


def test_an_ended_plan_owes_nothing_more_and_is_judged_on_the_day_it_ended(estate: Estate) -> None:
    plan = _plan(estate)
    cancel_plan(estate.session, plan, on=date(2025, 4, 20), reason="moved", actor=ACTOR)
    found = _story(estate, plan, date(2025, 9, 1))
    assert found.judged == date(2025, 4, 20) and found.verdict is Verdict.CANCELLED
    assert [s.word for s in found.steps] == [Word.MISSED, Word.VOID, Word.VOID]
    assert not found.current


def test_running_plans_come_first_then_the_past_newest_first(estate: Estate) -> None:
    old = _plan(estate)
    cancel_plan(estate.session, old, on=date(2025, 3, 2), reason="error", actor=ACTOR)
    draft = _plan(estate, activate=False)
    cancel_plan(estate.session, draft, on=date(2025, 3, 3), reason="error", actor=ACTOR)
    running = _plan(estate)
    found = repayment.plans_for(estate.session, estate.rossi.household_id)
    assert [p.id for p in found] == [running.id, draft.id, old.id]
    assert found[0].status is PlanStatus.ACTIVE


# --- the page, on the committed site -------------------------------------------------------


@pytest.fixture
def on_12_may(monkeypatch: pytest.MonkeyPatch) -> date:
    """The portal's today: the April installment missed, May's in its grace period."""
    day = date(2025, 5, 12)
    monkeypatch.setattr("portal.plan_views.today", lambda: day)
    return day


def test_the_resident_reads_how_the_plan_is_going(client, app, site, on_12_may) -> None:
    with plan_of(app, site) as plan_id:
        response = resident(client, site).get("/portal/plan")
        page = text(response)
    assert response.status_code == 200
    assert f'id="plan-{plan_id}"' in page
    # The sentence at the top: behind, with what was expected (April's and May's installments,
    # both due) and what was repaid.
    assert "Il tuo piano è in ritardo: a oggi avresti dovuto rimborsare 200,00\xa0€" in page
    assert "e hai rimborsato 0,00\xa0€" in page
    # Each installment's state in plain words.
    assert "non pagata — contatta lo sportello" in page
    assert "da pagare entro il 15 maggio 2025" in page  # due, in its grace period
    assert "da pagare entro il 10 giugno 2025" in page  # not yet due
    # Figures: the debt, expected by today, repaid, left; and the chart with its figures.
    assert "300,00\xa0€" in page and "Ancora da rimborsare" in page
    assert "<svg" in page and "<script" not in page
    assert "I numeri del grafico" in page


def test_the_plan_speaks_english_after_the_switch(client, app, site, on_12_may) -> None:
    with plan_of(app, site):
        resident(client, site)
        token = csrf_token(client, "/portal/plan")
        client.post("/language/en", data={"csrf_token": token, "next": "/portal/plan"})
        page = text(client.get("/portal/plan"))
    assert "Your plan is behind: by today you should have repaid €200.00" in page
    assert "missed — please contact the desk" in page
    assert "due by May 15, 2025" in page and "community hours" not in page


def test_a_past_plan_is_listed_and_opens(client, app, site, on_12_may) -> None:
    with plan_of(app, site) as plan_id:
        pass  # now cancelled: a past plan
    resident(client, site)
    page = text(client.get("/portal/plan"))
    assert f'href="/portal/plan/{plan_id}"' in page and "annullato" in page
    detail = client.get(f"/portal/plan/{plan_id}")
    assert detail.status_code == 200
    assert "Questo piano è stato annullato." in text(detail)
    assert "non più da pagare" in text(detail)


def test_no_plan_is_said_kindly_with_how_to_ask_for_one(client, app, site) -> None:
    # Agency B's household has no running plan (the privacy test's draft is cancelled after it).
    page = text(resident(client, site, "b").get("/portal/plan"))
    assert "Non hai nessun piano di rientro" in page
    assert "Per chiedere un piano, vieni allo sportello o telefona." in page
    assert 'href="/portal/budget"' in page


def test_another_household_s_plan_or_none_answers_404(client, app, site) -> None:
    with plan_of(app, site, "b", activate=False) as theirs, plan_of(app, site) as mine:
        resident(client, site)
        assert client.get(f"/portal/plan/{mine}").status_code == 200
        response = client.get(f"/portal/plan/{theirs}")
        # No plan code (PR<year>-<number>) of anyone's appears on the refusal.
        assert response.status_code == 404
        assert not re.search(r"PR\d{4}-\d{4}", text(response))
        assert client.get("/portal/plan/999999999").status_code == 404
        assert f"plan-{theirs}" not in text(client.get("/portal/plan"))
        other = client.application.test_client()
        resident(other, site, "b")
        assert other.get(f"/portal/plan/{mine}").status_code == 404


def test_staff_do_not_get_the_plan_page(client, app, site) -> None:
    with plan_of(app, site) as plan_id:
        for role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.HOUSING_BODY):
            c = client.application.test_client()
            login(c, site.a.users[role])
            assert c.get("/portal/plan").status_code == 403, role
            assert c.get(f"/portal/plan/{plan_id}").status_code == 403, role


# --- the demo's resident: a mixed plan in good standing ------------------------------------


def test_the_demo_resident_sees_paid_installments_hours_and_the_chart(demo_app, monkeypatch):
    day = date(2026, 11, 25)  # the demo's day
    monkeypatch.setattr("portal.plan_views.today", lambda: day)
    with Session(engine_of(demo_app)) as session:
        user = session.scalar(select(User).where(User.username == "residente"))
        found = repayment.stories(session, repayment.plans_for(session, user.household_id), day)
    running = [s for s in found if s.current]
    assert running and running[0].mixed
    client = demo_app.test_client()
    assert login(client, "residente", "condo-demo-2026").status_code == 302
    page = text(client.get("/portal/plan"))

    def euros(value: Decimal) -> str:
        return format_currency(value, "EUR", locale="it")

    s = running[0]
    assert page.count(">pagata<") == sum(step.word is Word.PAID for step in s.steps) > 0
    assert euros(s.standing.repaid) in page and euros(s.standing.remaining) in page
    assert euros(s.standing.repaid_by_hours) in page and "ore per la comunità" in page
    if s.verdict is Verdict.ON_TRACK:
        assert "Il tuo piano sta andando bene" in page
    assert "<svg" in page
