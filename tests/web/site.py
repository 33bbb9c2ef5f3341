"""A small committed world for the web tests: two agencies, and a user of every role in each.

Built once per database through the public operations. Agency A has a building with two flats,
the Rossi household owing two months, a housing body and a supervisor who is a person of the
registry; agency B has the same shape, so that every test can also try to reach B from A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from condo_admin.auth.models import Role
from condo_admin.auth.operations import create_user
from condo_admin.demo.taxcodes import tax_code
from condo_admin.registry import operations as registry
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR

PASSWORD = "correct-horse-42"


@dataclass
class Agency:
    code: str
    users: dict[Role, str] = field(default_factory=dict)  # role -> username
    user_ids: dict[Role, int] = field(default_factory=dict)
    household_ids: list[int] = field(default_factory=list)


@dataclass
class Site:
    url: str
    a: Agency
    b: Agency


def _agency(session: Session, suffix: str) -> Agency:
    estate = Estate(session)
    estate.charge(estate.rossi, date(2025, 1, 10), "150.00")
    estate.charge(estate.rossi, date(2025, 2, 10), "150.00")
    born = date(1970, 3, 3 if suffix == "a" else 4)
    supervisor = registry.create_person(
        session,
        estate.agency,
        "Luca",
        "Verdi",
        tax_code=tax_code("Verdi", "Luca", born, "M", "F205"),
        birth_date=born,
        actor=ACTOR,
    )
    made = Agency(estate.agency.code)
    scopes = {
        Role.ADMIN: {"agency": estate.agency},
        Role.OPERATOR: {"agency": estate.agency},
        Role.SUPERVISOR: {"agency": estate.agency, "person": supervisor},
        Role.HOUSING_BODY: {"housing_body": estate.body},
        Role.RESIDENT: {"household": estate.rossi.household},
    }
    for role, scope in scopes.items():
        username = f"{role.value.replace('_', '')}-{suffix}"
        user = create_user(
            session,
            username=username,
            display_name=f"{role.value} {suffix.upper()}",
            role=role,
            password=PASSWORD,
            actor=ACTOR,
            **scope,  # type: ignore[arg-type]
        )
        made.users[role] = username
        made.user_ids[role] = user.id
    made.household_ids = [d.household_id for d in estate.debtors]
    return made


def build(engine: Engine, url: str) -> Site:
    with Session(engine) as session:
        site = Site(url, _agency(session, "a"), _agency(session, "b"))
        session.commit()
    return site


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
