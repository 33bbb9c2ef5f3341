"""The resident's household budget: saved as a new version with the resident as its author,
disposable income shown, what an installment would take of it; bad input refused next to its
field with nothing written; only the household's own budget."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent
from condo_admin.auth.models import Role
from condo_admin.desk.household_budgets import budget_on, means
from condo_admin.desk.models import HouseholdBudget
from portal.blueprint import today
from tests.web.helpers import engine_of, text
from tests.web.portal.helpers import resident
from tests.web.portal.plan_helpers import plan_of
from tests.web.site import Site, csrf_token, login

#: A month of the Rossi household: 1,234.56 in, 300.00 + 450.50 out, 484.06 left.
MONTH = {"income_pension": "1.234,56", "expense_housing": "300", "expense_food": "450,50"}


def _versions(app: Flask, household_id: int) -> int:
    with Session(engine_of(app)) as session:
        return session.scalar(
            select(func.count())
            .select_from(HouseholdBudget)
            .where(HouseholdBudget.household_id == household_id)
        )


def _save(client: FlaskClient, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/portal/budget")
    return client.post("/portal/budget", data={"csrf_token": token, **fields})


@pytest.fixture
def rossi(site: Site) -> int:
    return site.a.household_ids[0]


def test_the_budget_is_saved_by_the_resident_and_shown(client, app, site, rossi) -> None:
    resident(client, site)
    before = _versions(app, rossi)
    response = _save(client, MONTH)
    assert response.status_code == 302 and response.headers["Location"] == "/portal/budget"
    assert _versions(app, rossi) == before + 1
    with Session(engine_of(app)) as session:
        found = budget_on(session, rossi, today())
        assert found is not None and found.recorded_by == "user:resident-a"
        figures = means(found)
        assert (str(figures.income), str(figures.expenses)) == ("1234.56", "750.50")
        assert {(line.kind.value, line.category) for line in found.lines} == {
            ("income", "pension"), ("expense", "housing"), ("expense", "food")
        }  # fmt: skip
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "household_budget.record", AuditEvent.target_id == found.id
            )
        )
        assert event is not None and event.actor == "user:resident-a"
    page = text(client.get("/portal/budget"))
    assert "Il tuo bilancio è salvato." in page
    assert re.search(r'id="budget-disposable">484,06\xa0€<', page)
    assert "Ogni mese ti rimangono 484,06\xa0€ dopo le spese necessarie." in page
    assert 'value="1.234,56"' in page and 'value="450,50"' in page  # the form shows it back


def test_an_installment_is_measured_against_what_is_left(client, app, site) -> None:
    resident(client, site)
    _save(client, MONTH)
    light = text(client.get("/portal/budget?installment=48,40"))
    assert "Una rata di 48,40\xa0€ al mese prenderebbe il 10% di quello che ti rimane" in light
    assert 'id="share-warning"' not in light
    # Above the desk's threshold (30 % of disposable income) the page warns.
    heavy = text(client.get("/portal/budget?installment=200"))
    assert "prenderebbe il 41%" in heavy
    assert "È più del 30% di quello che ti rimane" in heavy


def test_the_running_plan_s_installment_is_measured_by_default(client, app, site) -> None:
    resident(client, site)
    _save(client, MONTH)
    with plan_of(app, site):
        page = text(client.get("/portal/budget"))
    assert "La rata del tuo piano di rientro, 100,00\xa0€ al mese, prende il 21%" in page


def test_a_bad_amount_is_refused_next_to_its_field_and_nothing_is_written(
    client, app, site, rossi
) -> None:
    resident(client, site)
    before = _versions(app, rossi)
    response = _save(client, {**MONTH, "expense_food": "tanti", "income_wages": "-5"})
    page = text(response)
    assert response.status_code == 400
    assert re.search(r'id="expense_food-problem">Scrivi un numero come 850,50\.<', page)
    assert 'aria-describedby="expense_food-problem"' in page
    assert 'id="income_wages-problem"' in page
    assert 'value="tanti"' in page and 'value="1.234,56"' in page  # what was typed stays
    assert _versions(app, rossi) == before


def test_an_empty_budget_and_a_bad_installment_are_refused(client, app, site, rossi) -> None:
    resident(client, site)
    before = _versions(app, rossi)
    response = _save(client, {})
    assert response.status_code == 400
    assert "Scrivi almeno un importo" in text(response)
    too_much = _save(client, {"income_wages": "2000000"})
    assert too_much.status_code == 400 and "È troppo per un mese" in text(too_much)
    assert _versions(app, rossi) == before
    bad = client.get("/portal/budget?installment=zero")
    assert bad.status_code == 400 and 'id="installment-problem"' in text(bad)


def test_a_form_without_its_csrf_token_is_refused(client, app, site, rossi) -> None:
    resident(client, site)
    before = _versions(app, rossi)
    response = client.post("/portal/budget", data=MONTH)
    assert response.status_code == 400
    assert _versions(app, rossi) == before


def test_the_budget_speaks_english_after_the_switch(client, app, site) -> None:
    resident(client, site)
    _save(client, MONTH)
    token = csrf_token(client, "/portal/budget")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/budget"})
    page = text(client.get("/portal/budget"))
    assert "Your household budget" in page and "Wages or salary" in page
    assert "Each month €484.06 is left to you after essential expenses." in page
    refused = _save(client, {"expense_food": "lots"})
    assert refused.status_code == 400 and "Write a number such as 850.50." in text(refused)


def test_another_household_sees_only_its_own_budget(client, app, site) -> None:
    resident(client, site)
    _save(client, {"income_pension": "1.111,11"})
    other = client.application.test_client()
    resident(other, site, "b")
    assert "1.111,11" not in text(other.get("/portal/budget"))


def test_staff_do_not_get_the_budget_page(client, site) -> None:
    for role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.HOUSING_BODY):
        c = client.application.test_client()
        login(c, site.a.users[role])
        assert c.get("/portal/budget").status_code == 403, role
        token = csrf_token(c, "/account")
        assert c.post("/portal/budget", data={"csrf_token": token, **MONTH}).status_code == 403
