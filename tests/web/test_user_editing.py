"""An administrator changes a user's role, scope and activation on the user's page.

Each test works on users it creates (unique names), so the shared site keeps its users as they
are. A change ends the changed user's sessions; an administrator cannot demote or deactivate
themselves; users of another agency are not found.
"""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent
from condo_admin.auth import operations as users
from condo_admin.auth.errors import UserRefused
from condo_admin.auth.models import Role, User
from condo_admin.registry.models import Agency, Household, HousingBody
from tests.factories import ACTOR
from tests.web.helpers import engine_of, load, text, token_of
from tests.web.site import PASSWORD, Site, login


def _make_user(app, site: Site, role: Role = Role.OPERATOR):  # type: ignore[no-untyped-def]
    """A fresh staff user of agency A. Its name sorts after the site's users (which stay on the
    first page of the users list) and contains no site username (``operator-b``...)."""
    username = f"zz-edit-{uuid.uuid4().hex[:10]}"
    with Session(engine_of(app)) as session:
        agency = session.scalar(select(Agency).where(Agency.code == site.a.code))
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


def _field_errors(page: str, field_id: str) -> list[str]:
    """The error messages rendered in the same form group as the field ``field_id``."""
    for group in page.split('<div class="mb-3')[1:]:
        if f'id="{field_id}"' in group:
            found = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', group, re.S)
            return [html.unescape(e).strip() for e in found]
    raise AssertionError(f"no field {field_id} on the page")


def _admin(client: FlaskClient, site: Site, agency: str = "a") -> FlaskClient:
    assert login(client, getattr(site, agency).users[Role.ADMIN]).status_code == 302
    return client


def _edit(client: FlaskClient, user_id: int, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token_of(client, f"/users/{user_id}"), **fields}
    return client.post(f"/users/{user_id}/edit", data=data)


def _codes(app, site: Site) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Agency A's second household's code, its housing body's code and agency B's household."""
    with Session(engine_of(app)) as session:
        household = session.get(Household, site.a.household_ids[1])
        body = session.scalar(select(HousingBody).join(Agency).where(Agency.code == site.a.code))
        other = session.get(Household, site.b.household_ids[0])
        return household.code, body.code, other.code


def _events(app, user_id: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with Session(engine_of(app), expire_on_commit=False) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target_type == "User", AuditEvent.target_id == user_id)
                .order_by(AuditEvent.id)
            )
        )


def test_the_user_page_shows_the_form_with_the_user_as_they_stand(client, app, site):
    with Session(engine_of(app)) as session:
        household = session.get(Household, site.a.household_ids[0]).code  # the resident's
    _admin(client, site)
    page = text(client.get(f"/users/{site.a.user_ids[Role.RESIDENT]}"))
    assert 'id="edit-user"' in page
    assert re.search(r'<option selected value="resident">|<option value="resident" selected', page)
    assert f'value="{household}"' in page
    assert re.search(r'id="active"[^>]*checked|checked[^>]*id="active"', page)


def test_an_operator_becomes_a_resident_and_is_logged_out(client, app, site):
    household, _, _ = _codes(app, site)
    user_id, username = _make_user(app, site)
    other = app.test_client()
    assert login(other, username).status_code == 302
    before = load(app, username)
    _admin(client, site)
    response = _edit(client, user_id, role="resident", scope=household, active="y")
    assert response.status_code == 302 and response.headers["Location"] == f"/users/{user_id}"
    assert f"{username} modificato" in text(client.get(f"/users/{user_id}"))
    after = load(app, username)
    assert (after.role, after.household_id, after.agency_id) == (
        Role.RESIDENT,
        site.a.household_ids[1],
        None,
    )
    assert after.session_version == before.session_version + 1
    assert urlsplit(other.get("/account").headers["Location"]).path == "/login"
    event = _events(app, user_id)[-1]
    assert event.action == "user.set_role"
    assert event.actor == f"user:{site.a.users[Role.ADMIN]}"
    assert event.before is not None and event.after is not None
    assert (event.before["role"], event.after["role"]) == ("operator", "resident")
    assert "password_hash" not in event.before and "password_hash" not in event.after


def test_a_resident_becomes_housing_body_staff_then_an_operator_again(client, app, site):
    household, body, _ = _codes(app, site)
    user_id, username = _make_user(app, site)
    _admin(client, site)
    assert _edit(client, user_id, role="resident", scope=household, active="y").status_code == 302
    assert _edit(client, user_id, role="housing_body", scope=body, active="y").status_code == 302
    staff = load(app, username)
    assert (staff.role, staff.household_id) == (Role.HOUSING_BODY, None)
    assert staff.housing_body_id is not None
    assert _edit(client, user_id, role="operator", scope="", active="y").status_code == 302
    back = load(app, username)
    assert (back.role, back.housing_body_id, back.household_id) == (Role.OPERATOR, None, None)
    assert back.agency_id is not None
    assert [e.action for e in _events(app, user_id)][-3:] == ["user.set_role"] * 3


def test_deactivating_and_reactivating_a_user(client, app, site):
    user_id, username = _make_user(app, site)
    _admin(client, site)
    assert _edit(client, user_id, role="operator", scope="").status_code == 302  # unchecked
    assert load(app, username).active is False
    assert login(app.test_client(), username).status_code == 200  # the login form again
    assert _edit(client, user_id, role="operator", scope="", active="y").status_code == 302
    assert load(app, username).active is True
    assert login(app.test_client(), username).status_code == 302
    assert [e.action for e in _events(app, user_id)][-2:] == ["user.deactivate", "user.activate"]


def test_saving_without_a_change_writes_nothing_and_keeps_the_sessions(client, app, site):
    user_id, username = _make_user(app, site)
    before = load(app, username)
    events = len(_events(app, user_id))
    _admin(client, site)
    response = _edit(client, user_id, role="operator", scope="", active="y")
    assert response.status_code == 302
    assert "Nessuna modifica." in text(client.get(f"/users/{user_id}"))
    assert load(app, username).session_version == before.session_version
    assert len(_events(app, user_id)) == events


def test_an_admin_may_not_demote_or_deactivate_themselves(client, app, site):
    user_id, username = _make_user(app, site, Role.ADMIN)
    assert login(client, username).status_code == 302
    demoted = _edit(client, user_id, role="operator", scope="", active="y")
    assert demoted.status_code == 400
    assert _field_errors(text(demoted), "role") == [
        "Non puoi toglierti il ruolo di amministratore: chiedi a un altro amministratore."
    ]
    deactivated = _edit(client, user_id, role="admin", scope="")
    assert deactivated.status_code == 400
    assert _field_errors(text(deactivated), "active") == [
        "Non puoi disattivarti da solo: chiedi a un altro amministratore."
    ]
    user = load(app, username)
    assert (user.role, user.active) == (Role.ADMIN, True)
    assert client.get("/users").status_code == 200  # still logged in, still an administrator
    # Saving oneself unchanged is fine and keeps the session.
    assert _edit(client, user_id, role="admin", scope="", active="y").status_code == 302
    assert client.get("/users").status_code == 200


def test_an_unknown_or_foreign_scope_is_shown_next_to_the_scope_field(client, app, site):
    _, _, foreign = _codes(app, site)
    user_id, username = _make_user(app, site)
    _admin(client, site)
    for code in ("NOPE", foreign):
        response = _edit(client, user_id, role="resident", scope=code, active="y")
        assert response.status_code == 400
        assert _field_errors(text(response), "scope") == [f"Nessun nucleo con codice {code}."]
    bad_role = _edit(client, user_id, role="owner", scope="", active="y")
    assert bad_role.status_code == 400 and _field_errors(text(bad_role), "role")
    assert load(app, username).role is Role.OPERATOR


def test_users_of_another_agency_are_not_found_and_not_changed(client, app, site):
    _admin(client, site)
    for role in (Role.OPERATOR, Role.RESIDENT):
        target = site.b.user_ids[role]
        before = load(app, site.b.users[role])
        response = client.post(
            f"/users/{target}/edit",
            data={"csrf_token": token_of(client, "/users"), "role": "admin", "active": "y"},
        )
        assert response.status_code == 404
        assert load(app, site.b.users[role]).session_version == before.session_version
    missing = client.post(
        "/users/999999/edit", data={"csrf_token": token_of(client, "/users"), "role": "admin"}
    )
    assert missing.status_code == 404


def test_only_administrators_edit_users_and_only_with_the_token(client, app, site):
    user_id, username = _make_user(app, site)
    assert login(client, site.a.users[Role.OPERATOR]).status_code == 302
    token = token_of(client, "/account")
    refused = client.post(
        f"/users/{user_id}/edit", data={"csrf_token": token, "role": "admin", "active": "y"}
    )
    assert refused.status_code == 403
    admin = _admin(app.test_client(), site)
    no_token = admin.post(f"/users/{user_id}/edit", data={"role": "admin", "active": "y"})
    assert no_token.status_code == 400 and "Il modulo era scaduto" in text(no_token)
    assert load(app, username).role is Role.OPERATOR


def test_the_password_form_no_longer_changes_the_activation(client, app, site):
    user_id, username = _make_user(app, site)
    _admin(client, site)
    response = client.post(
        f"/users/{user_id}",
        data={"csrf_token": token_of(client, f"/users/{user_id}"), "password": "Brand-new-pass-7"},
    )
    assert response.status_code == 302
    assert load(app, username).active is True


# --- the operations behind the form ------------------------------------------------------------


def test_set_role_keeps_a_user_in_their_agency(app, site):
    user_id, _ = _make_user(app, site)
    with Session(engine_of(app)) as session:
        user = session.get(User, user_id)
        b_household = session.get(Household, site.b.household_ids[0])
        version = user.session_version
        with pytest.raises(UserRefused, match="another agency"):
            users.set_role(session, user, Role.RESIDENT, household=b_household, actor=ACTOR)
        with pytest.raises(UserRefused, match="must belong to a household"):
            users.set_role(session, user, Role.RESIDENT, actor=ACTOR)
        assert (user.role, user.session_version) == (Role.OPERATOR, version)
        session.rollback()


def test_the_operations_refuse_self_demotion_and_self_deactivation(app, site):
    user_id, username = _make_user(app, site, Role.ADMIN)
    with Session(engine_of(app)) as session:
        user = session.get(User, user_id)
        with pytest.raises(UserRefused, match="your own administrator role") as demoted:
            users.set_role(session, user, Role.OPERATOR, agency=user.agency, actor=user.actor)
        assert demoted.value.field == "role"
        with pytest.raises(UserRefused, match="deactivate yourself") as deactivated:
            users.set_active(session, user, False, actor=f"user:{username}")
        assert deactivated.value.field == "active"
        # Another administrator may do both.
        users.set_role(session, user, Role.OPERATOR, agency=user.agency, actor=ACTOR)
        users.set_active(session, user, False, actor=ACTOR)
        assert (user.role, user.active) == (Role.OPERATOR, False)
        session.rollback()
