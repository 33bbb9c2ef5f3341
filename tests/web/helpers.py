"""Small helpers shared by the web tests (the fixtures stay in conftest.py, owned by the lead)."""

from __future__ import annotations

import itertools
import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from condo_admin.auth import operations as users
from condo_admin.auth.models import Role, User
from condo_admin.registry.models import Agency
from tests.factories import ACTOR
from tests.web.site import PASSWORD

_counter = itertools.count(1)


def engine_of(app: Flask) -> Engine:
    return app.extensions["condo"].engine


def unique_username(prefix: str = "web") -> str:
    """A username no other test (nor another run on the same database) will take."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}-{next(_counter)}"


def make_user(app: Flask, agency_code: str, role: Role = Role.OPERATOR) -> tuple[int, str]:
    """A fresh staff user of the agency, committed, with the site's password."""
    username = unique_username(role.value.replace("_", ""))
    with Session(engine_of(app)) as session:
        agency = session.query(Agency).filter_by(code=agency_code).one()
        user = users.create_user(
            session,
            username=username,
            display_name=f"Test {username}",
            role=role,
            password=PASSWORD,
            actor=ACTOR,
            agency=agency,
        )
        session.commit()
        return user.id, username


def reset_password(app: Flask, username: str, password: str = PASSWORD) -> None:
    with Session(engine_of(app)) as session:
        users.set_password(session, users.find_user(session, username), password, actor=ACTOR)
        session.commit()


def load(app: Flask, username: str) -> User:
    with Session(engine_of(app), expire_on_commit=False) as session:
        return users.find_user(session, username)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def token_of(client: FlaskClient, path: str) -> str:
    """The CSRF token of the page at ``path`` (any page with a form or the navigation bar)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(client.get(path)))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, page[:200]
    return found.group(1)
