"""People, a household's page with its members, and a building's staircases, from the browser.

The site is shared by the whole test session: what a test adds (people, households, staircases)
has names and codes of its own, and what it changes belongs to a household or building it made.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import date

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.audit.models import AuditEvent
from condo_admin.auth.models import Role
from condo_admin.demo.taxcodes import tax_code
from condo_admin.registry import operations as registry
from condo_admin.registry.models import (
    Agency,
    Building,
    Household,
    HouseholdMember,
    MemberRole,
    Occupancy,
    Person,
    Staircase,
    Unit,
)
from tests.factories import ACTOR, unique
from tests.web.helpers import engine_of, text
from tests.web.site import Site, csrf_token, login

_years = itertools.count(1)


def _born() -> date:
    """An adult's birth date no other test of the session uses (so tax codes never clash)."""
    n = next(_years)
    return date(1950 + n % 40, 1 + n % 12, 1 + n % 28)


def _field_errors(page: str, field_id: str) -> list[str]:
    """The error messages rendered in the same form group as the field ``field_id``."""
    for group in page.split('<div class="mb-3')[1:]:
        if f'id="{field_id}"' in group:
            found = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', group, re.S)
            return [html.unescape(e).strip() for e in found]
    raise AssertionError(f"no field {field_id} on the page")


def _as(client, site: Site, role: Role, agency: str = "a"):  # type: ignore[no-untyped-def]
    assert login(client, getattr(site, agency).users[role]).status_code == 302
    return client


def _fresh_household(app: Flask, site: Site) -> tuple[int, int, int]:
    """A household of agency A of its own, living in a flat of a building of its own:
    (household id, occupancy id, building id)."""
    with Session(engine_of(app)) as session:
        agency = session.scalar(select(Agency).where(Agency.code == site.a.code))
        building = registry.create_building(
            session,
            agency,
            unique("BLD"),
            "Via Fresca 1",
            address="Via Fresca 1",
            postcode="20100",
            city="Milano",
            province="MI",
            actor=ACTOR,
        )
        flat = registry.create_unit(session, building, "F1", "flat", actor=ACTOR)
        born = _born()
        holder = registry.create_person(
            session,
            agency,
            "Anna",
            "Gialli",
            tax_code=tax_code("Gialli", "Anna", born, "F", "F205"),
            birth_date=born,
            actor=ACTOR,
        )
        household = registry.create_household(
            session, agency, unique("HH"), holder, since=date(2024, 1, 1), actor=ACTOR
        )
        occupancy = registry.start_occupancy(
            session, household, flat, start=date(2024, 1, 1), actor=ACTOR
        )
        session.commit()
        return household.id, occupancy.id, building.id


# --- people ------------------------------------------------------------------------------------


def test_the_desk_finds_people_by_name_or_tax_code_with_their_households(client, app, site):
    with Session(engine_of(app)) as session:
        verdi = session.scalar(
            select(Person).where(
                Person.last_name == "Verdi",
                Person.agency_id
                == select(Agency.id).where(Agency.code == site.a.code).scalar_subquery(),
            )
        )
        rossi_code = session.get(Household, site.a.household_ids[0]).code
        b_verdi = session.scalar(
            select(Person.tax_code).where(
                Person.last_name == "Verdi",
                Person.agency_id
                == select(Agency.id).where(Agency.code == site.b.code).scalar_subquery(),
            )
        )
        b_households = [session.get(Household, i).code for i in site.b.household_ids]
    _as(client, site, Role.OPERATOR)
    everyone = client.get("/registry/people")
    page = text(everyone)
    assert everyone.status_code == 200
    assert verdi.tax_code in page and rossi_code in page
    assert f'href="/registry/households/{site.a.household_ids[0]}"' in page
    assert b_verdi != verdi.tax_code and b_verdi not in page  # B's supervisor
    assert not any(f">{code}</a>" in page for code in b_households)

    by_name = text(client.get("/registry/people?q=luca+VERDI"))
    assert verdi.tax_code in by_name and rossi_code not in by_name
    by_code = text(client.get(f"/registry/people?q={verdi.tax_code.lower()}"))
    assert "Verdi" in by_code and rossi_code not in by_code
    nobody = text(client.get("/registry/people?q=%25"))  # a LIKE wildcard is only a character
    assert "Nessun risultato." in nobody and verdi.tax_code not in nobody


def test_other_roles_do_not_see_the_people(client, site):
    for role in (Role.SUPERVISOR, Role.HOUSING_BODY, Role.RESIDENT):
        fresh = client.application.test_client()
        _as(fresh, site, role)
        assert fresh.get("/registry/people").status_code == 403


def test_the_households_list_links_each_code_to_its_page(client, site):
    _as(client, site, Role.OPERATOR)
    page = text(client.get("/registry/households"))
    for household_id in site.a.household_ids:
        assert f'href="/registry/households/{household_id}"' in page


# --- a household's page ------------------------------------------------------------------------


def test_a_household_page_shows_holder_members_homes_and_accounts(client, app, site):
    household_id = site.a.household_ids[0]
    with Session(engine_of(app)) as session:
        household = session.get(Household, household_id)
        holder = session.scalar(
            select(Person)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .where(
                HouseholdMember.household_id == household_id,
                HouseholdMember.role == MemberRole.HOLDER,
            )
        )
        debtors = session.scalars(
            select(DebtorAccount).where(DebtorAccount.household_id == household_id)
        ).all()
        unit = session.scalar(
            select(Unit).join(Occupancy).where(Occupancy.household_id == household_id)
        )
        expected = (household.code, holder.tax_code, unit.code, unit.building.code)
        references = [(d.id, d.rf_reference) for d in debtors]
    _as(client, site, Role.OPERATOR)
    response = client.get(f"/registry/households/{household_id}")
    page = text(response)
    assert response.status_code == 200
    assert all(value in page for value in expected)
    assert "intestatario" in page.lower()
    for debtor_id, reference in references:
        assert reference in page and f"/statements/{debtor_id}" in page
    assert "300,00" in page  # two monthly charges of 150.00, unpaid
    # An operator reads; only administrators add members or end an occupancy.
    assert 'id="new-member"' not in page and "/end" not in page


def test_another_agencys_household_is_not_found(client, site):
    _as(client, site, Role.ADMIN)
    token = csrf_token(client, "/registry/households")
    b_household = site.b.household_ids[0]
    assert client.get(f"/registry/households/{b_household}").status_code == 404
    assert client.get("/registry/households/999999").status_code == 404
    refused = client.post(
        f"/registry/households/{b_household}/members",
        data={
            "csrf_token": token,
            "first_name": "Intrusa",
            "last_name": "Altrove",
            "birth_date": "2016-02-02",
            "role": "member",
            "since": "2025-01-01",
        },
    )
    assert refused.status_code == 404


def _members(app: Flask, household_id: int) -> list[tuple[str, str | None, MemberRole, tuple]]:
    """Each member: name, tax code, role and (membership id, person id)."""
    with Session(engine_of(app)) as session:
        return [
            (m.person.full_name, m.person.tax_code, m.role, (m.id, m.person_id))
            for m in session.scalars(
                select(HouseholdMember).where(HouseholdMember.household_id == household_id)
            )
        ]


def test_an_admin_adds_an_adult_and_a_child_to_a_household(client, app, site):
    household_id, _, _ = _fresh_household(app, site)
    _as(client, site, Role.ADMIN)
    path = f"/registry/households/{household_id}"
    token = csrf_token(client, path)
    born = _born()
    code = tax_code("Gialli", "Marco", born, "M", "F205")
    adult = client.post(
        f"{path}/members",
        data={
            "csrf_token": token,
            "first_name": "Marco",
            "last_name": "Gialli",
            "tax_code": code.lower(),
            "birth_date": born.isoformat(),
            "role": "member",
            "since": "2025-03-01",
        },
    )
    assert adult.status_code == 302 and adult.headers["Location"] == path
    child = client.post(
        f"{path}/members",
        data={
            "csrf_token": token,
            "first_name": "Sara",
            "last_name": "Gialli",
            "tax_code": "",
            "birth_date": date(2019, 6, 1).isoformat(),
            "role": "member",
            "since": "2025-03-01",
        },
    )
    assert child.status_code == 302
    page = text(client.get(path))
    assert "Marco Gialli ora fa parte del nucleo." in page
    assert "Sara Gialli ora fa parte del nucleo." in page
    assert code in page
    assert page.count('badge text-bg-info">minore') == 1  # Sara only
    members = _members(app, household_id)
    assert sorted((name, role) for name, _, role, _ in members) == [
        ("Anna Gialli", MemberRole.HOLDER),
        ("Marco Gialli", MemberRole.MEMBER),
        ("Sara Gialli", MemberRole.MEMBER),
    ]
    assert {name: tax for name, tax, _, _ in members}["Sara Gialli"] is None
    added = [(member_id, person_id) for name, _, _, (member_id, person_id) in members
             if name != "Anna Gialli"]  # fmt: skip
    with Session(engine_of(app)) as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id).where(
                AuditEvent.actor == f"user:{site.a.users[Role.ADMIN]}",
                AuditEvent.target_id.in_([i for pair in added for i in pair]),
                AuditEvent.target_type.in_(("Person", "HouseholdMember")),
            )
        ).all()
    expected = {("household.member_add", "HouseholdMember", m) for m, _ in added} | {
        ("person.create", "Person", p) for _, p in added
    }
    assert set(events) == expected


def test_an_adult_without_a_tax_code_is_refused_next_to_the_field(client, app, site):
    household_id, _, _ = _fresh_household(app, site)
    _as(client, site, Role.ADMIN)
    path = f"/registry/households/{household_id}"
    response = client.post(
        f"{path}/members",
        data={
            "csrf_token": csrf_token(client, path),
            "first_name": "Piero",
            "last_name": "Senzacodice",
            "birth_date": "1960-01-01",
            "role": "member",
            "since": "2025-03-01",
        },
    )
    assert response.status_code == 400
    errors = _field_errors(text(response), "tax_code")
    assert errors and "Piero Senzacodice" in errors[0]
    assert 'value="Piero"' in text(response)  # the form keeps what was typed
    assert len(_members(app, household_id)) == 1
    with Session(engine_of(app)) as session:
        assert not session.scalar(select(Person.id).where(Person.last_name == "Senzacodice"))


def test_a_member_form_without_its_token_or_by_an_operator_changes_nothing(client, app, site):
    household_id, _, _ = _fresh_household(app, site)
    data = {
        "first_name": "Bimba",
        "last_name": "Gialli",
        "birth_date": "2020-01-01",
        "role": "member",
        "since": "2025-03-01",
    }
    path = f"/registry/households/{household_id}"
    _as(client, site, Role.ADMIN)
    no_token = client.post(f"{path}/members", data=data)
    assert no_token.status_code == 400 and "Il modulo era scaduto" in text(no_token)
    operator = client.application.test_client()
    _as(operator, site, Role.OPERATOR)
    token = csrf_token(operator, path)
    assert operator.post(f"{path}/members", data={**data, "csrf_token": token}).status_code == 403
    assert len(_members(app, household_id)) == 1


def test_an_admin_ends_an_occupancy_from_the_household_page(client, app, site):
    household_id, occupancy_id, _ = _fresh_household(app, site)
    _as(client, site, Role.ADMIN)
    path = f"/registry/households/{household_id}"
    page = text(client.get(path))
    assert f"/registry/occupancies/{occupancy_id}/end" in page
    response = client.post(
        f"/registry/occupancies/{occupancy_id}/end",
        data={"csrf_token": csrf_token(client, path), "end": "2025-06-30", "back": "household"},
    )
    assert response.status_code == 302 and response.headers["Location"] == path
    with Session(engine_of(app)) as session:
        assert session.get(Occupancy, occupancy_id).end_date == date(2025, 6, 30)
    assert f"/registry/occupancies/{occupancy_id}/end" not in text(client.get(path))


# --- staircases --------------------------------------------------------------------------------


def _staircases(app: Flask, building_id: int) -> list[str]:
    with Session(engine_of(app)) as session:
        return list(
            session.scalars(
                select(Staircase.code)
                .where(Staircase.building_id == building_id)
                .order_by(Staircase.code)
            )
        )


def test_an_admin_adds_a_staircase_and_a_unit_on_it(client, app, site):
    _, _, building_id = _fresh_household(app, site)
    _as(client, site, Role.ADMIN)
    path = f"/registry/buildings/{building_id}"
    token = csrf_token(client, path)
    added = client.post(
        f"{path}/staircases",
        data={"csrf_token": token, "staircase-code": "C", "staircase-name": ""},
    )
    assert added.status_code == 302 and added.headers["Location"] == path
    assert _staircases(app, building_id) == ["C"]
    page = text(client.get(path))
    assert "Scala C" in page and 'id="staircases"' in page

    again = client.post(f"{path}/staircases", data={"csrf_token": token, "staircase-code": "C"})
    assert again.status_code == 400
    assert any("già in uso" in e for e in _field_errors(text(again), "staircase-code"))
    assert _staircases(app, building_id) == ["C"]

    with Session(engine_of(app)) as session:
        staircase_id = session.scalar(
            select(Staircase.id).where(Staircase.building_id == building_id)
        )
    made = client.post(
        f"{path}/units",
        data={"csrf_token": token, "code": "F2", "kind": "flat", "staircase": str(staircase_id)},
    )
    assert made.status_code == 302
    plain = client.post(
        f"{path}/units", data={"csrf_token": token, "code": "F3", "kind": "flat", "staircase": ""}
    )
    assert plain.status_code == 302
    with Session(engine_of(app)) as session:
        units = dict(
            session.execute(
                select(Unit.code, Unit.staircase_id).where(Unit.building_id == building_id)
            ).all()
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "staircase.create",
                AuditEvent.target_id == staircase_id,
                AuditEvent.actor == f"user:{site.a.users[Role.ADMIN]}",
            )
        )
    assert units == {"F1": None, "F2": staircase_id, "F3": None}
    assert audited == 1


def test_a_staircase_of_another_building_is_not_a_choice(client, app, site):
    _, _, building_id = _fresh_household(app, site)
    _, _, other_id = _fresh_household(app, site)
    with Session(engine_of(app)) as session:
        other = registry.add_staircase(
            session, session.get(Building, other_id), "Z", "Scala Z", actor=ACTOR
        )
        session.commit()
        other_staircase = other.id
    _as(client, site, Role.ADMIN)
    path = f"/registry/buildings/{building_id}"
    response = client.post(
        f"{path}/units",
        data={
            "csrf_token": csrf_token(client, path),
            "code": "F9",
            "kind": "flat",
            "staircase": str(other_staircase),
        },
    )
    assert response.status_code == 400 and _field_errors(text(response), "staircase")
    with Session(engine_of(app)) as session:
        assert not session.scalar(
            select(Unit.id).where(Unit.building_id == building_id, Unit.code == "F9")
        )


def test_staircases_are_added_by_admins_of_the_agency_only(client, app, site):
    _, _, building_id = _fresh_household(app, site)
    path = f"/registry/buildings/{building_id}"
    operator = client.application.test_client()
    _as(operator, site, Role.OPERATOR)
    page = text(operator.get(path))
    assert 'id="staircases"' in page and 'id="new-staircase"' not in page
    token = csrf_token(operator, path)
    assert (
        operator.post(f"{path}/staircases", data={"csrf_token": token, "code": "X"}).status_code
        == 403
    )
    other = client.application.test_client()
    _as(other, site, Role.ADMIN, "b")
    token = csrf_token(other, "/registry/buildings")
    assert other.get(path).status_code == 404
    assert (
        other.post(f"{path}/staircases", data={"csrf_token": token, "code": "X"}).status_code == 404
    )
    no_token = client.application.test_client()
    _as(no_token, site, Role.ADMIN)
    assert no_token.post(f"{path}/staircases", data={"code": "X"}).status_code == 400
    assert _staircases(app, building_id) == []
