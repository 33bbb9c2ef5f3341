"""The registry from the browser's forms: housing bodies, a household moving out, budgets."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.auth.models import Role
from condo_admin.registry.models import HousingBody, Occupancy
from tests.factories import unique
from tests.web.site import csrf_token, login


def test_an_admin_adds_a_housing_body_and_a_bad_one_is_refused(client, app, site):
    login(client, site.a.users[Role.ADMIN])
    token = csrf_token(client, "/registry/bodies")
    code = unique("COOP")
    made = client.post(
        "/registry/bodies",
        data={
            "csrf_token": token,
            "code": code,
            "name": "Cooperativa Abitare",
            "kind": "cooperative",
        },
    )
    assert made.status_code == 302
    page = client.get("/registry/bodies").get_data(as_text=True)
    assert code in page and "cooperativa" in page
    again = client.post(
        "/registry/bodies",
        data={"csrf_token": token, "code": code, "name": "Twice", "kind": "cooperative"},
    )
    assert again.status_code == 400 and "è già in uso" in again.get_data(as_text=True)
    with Session(app.extensions["condo"].engine) as session:
        assert len(session.scalars(select(HousingBody).where(HousingBody.code == code)).all()) == 1


def test_operators_read_the_bodies_but_do_not_add_them(client, site):
    login(client, site.a.users[Role.OPERATOR])
    assert client.get("/registry/bodies").status_code == 200
    token = csrf_token(client, "/registry/bodies")
    refused = client.post(
        "/registry/bodies", data={"csrf_token": token, "code": "X1", "name": "X", "kind": "private"}
    )
    assert refused.status_code == 403


def test_a_move_out_before_the_move_in_is_refused_and_nothing_changes(client, app, site):
    login(client, site.a.users[Role.ADMIN])
    with Session(app.extensions["condo"].engine) as session:
        occupancy = session.scalar(
            select(Occupancy).where(
                Occupancy.household_id == site.a.household_ids[1], Occupancy.end_date.is_(None)
            )
        )
        occupancy_id, building_id = occupancy.id, occupancy.unit.building_id
    token = csrf_token(client, f"/registry/buildings/{building_id}")
    client.post(
        f"/registry/occupancies/{occupancy_id}/end",
        data={"csrf_token": token, "end": "1999-01-01"},
    )
    page = client.get(f"/registry/buildings/{building_id}").get_data(as_text=True)
    assert re.search(r"alert-danger", page)
    with Session(app.extensions["condo"].engine) as session:
        assert session.get(Occupancy, occupancy_id).end_date is None


def test_another_agency_cannot_end_an_occupancy(client, app, site):
    with Session(app.extensions["condo"].engine) as session:
        occupancy_id = session.scalar(
            select(Occupancy.id).where(Occupancy.household_id == site.a.household_ids[1])
        )
    login(client, site.b.users[Role.ADMIN])
    token = csrf_token(client, "/registry/bodies")
    response = client.post(
        f"/registry/occupancies/{occupancy_id}/end",
        data={"csrf_token": token, "end": date(2099, 1, 1).isoformat()},
    )
    assert response.status_code == 404


def test_an_admin_approves_nothing_twice_and_enters_the_final_accounts(demo_app):
    from condo_admin.accounting.models import Budget, BudgetStatus
    from condo_admin.demo.users import DEMO_PASSWORD

    client = demo_app.test_client()
    login(client, "admin", DEMO_PASSWORD)
    with Session(demo_app.extensions["condo"].engine) as session:
        budget = session.scalar(
            select(Budget).where(Budget.status == BudgetStatus.APPROVED).order_by(Budget.id)
        )
        budget_id, categories = budget.id, [line.category for line in budget.lines]
    page = client.get(f"/accounting/budgets/{budget_id}").get_data(as_text=True)
    assert 'id="final-accounts"' in page
    token = csrf_token(client, f"/accounting/budgets/{budget_id}")
    bad = {"csrf_token": token, "on": "2026-11-25", **{f"actual-{c}": "12,3,4" for c in categories}}
    client.post(f"/accounting/budgets/{budget_id}/close", data=bad)
    with Session(demo_app.extensions["condo"].engine) as session:
        assert session.get(Budget, budget_id).status is BudgetStatus.APPROVED
    good = {
        "csrf_token": token,
        "on": "2026-11-25",
        **{f"actual-{c}": "1000,00" for c in categories},
    }
    client.post(f"/accounting/budgets/{budget_id}/close", data=good)
    page = client.get(f"/accounting/budgets/{budget_id}").get_data(as_text=True)
    assert "Consuntivo registrato" in page
    with Session(demo_app.extensions["condo"].engine) as session:
        assert session.get(Budget, budget_id).status is BudgetStatus.CLOSED
