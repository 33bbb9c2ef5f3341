"""The authorization matrix: every route of the application, who may open it, who may not.

EXPECTED lists every endpoint with the roles it admits (or PUBLIC). The tests fail when a route is
added without an entry here, when an entry names a route that is gone, when a view's declared
``allowed_roles`` differ from the table, and when a request by anonymous or by each role of agency
A is not answered as the table says: anonymous on a protected route goes to the login page, a role
not admitted gets 403, a role admitted gets the page (neither 403 nor the login page).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from condo_admin.app import create_app
from condo_admin.auth.models import Role
from condo_admin.web.security import limiter
from tests.web.helpers import token_of
from tests.web.site import Site, login

PUBLIC = None
EVERY_ROLE = frozenset(Role)
DESK = frozenset({Role.ADMIN, Role.OPERATOR})
ADMIN = frozenset({Role.ADMIN})

#: endpoint -> the roles admitted, or PUBLIC. A new route must be added here to pass.
EXPECTED: dict[str, frozenset[Role] | None] = {
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.language": PUBLIC,
    "auth.logout": EVERY_ROLE,
    "admin.home": EVERY_ROLE,
    "admin.account": EVERY_ROLE,
    "admin.dashboard": DESK,
    "admin.audit_log": ADMIN,
    "admin.users": ADMIN,
    "admin.create_user": ADMIN,
    "admin.user": ADMIN,
    "admin.edit_user": ADMIN,
    "reports.index": DESK,
    "reports.aging_report": DESK,
    "reports.early_warning": DESK,
    "reports.restitution": DESK,
    "body.units": frozenset({Role.HOUSING_BODY}),
    "portal.home": frozenset({Role.RESIDENT}),
    "portal.hours": frozenset({Role.RESIDENT}),
    "portal.log_hours": frozenset({Role.RESIDENT}),
    "portal.contest_hours": frozenset({Role.RESIDENT}),
    "portal.plan": frozenset({Role.RESIDENT}),
    "portal.plan_detail": frozenset({Role.RESIDENT}),
    "portal.budget": frozenset({Role.RESIDENT}),
    "portal.save_budget": frozenset({Role.RESIDENT}),
    "portal.statement": frozenset({Role.RESIDENT}),
    "portal.statement_book": frozenset({Role.RESIDENT}),
    "portal.statement_pdf": frozenset({Role.RESIDENT}),
    "portal.statement_xlsx": frozenset({Role.RESIDENT}),
    "portal.documents": frozenset({Role.RESIDENT}),
    "portal.letter_pdf": frozenset({Role.RESIDENT}),
    "restitution.queue": frozenset({Role.SUPERVISOR}),
    "restitution.decide": frozenset({Role.SUPERVISOR}),
    "restitution.agreements": DESK,
    "restitution.agreement": DESK,
    "restitution.create_agreement": DESK,
    "restitution.agreement_action": DESK,
    "desk.cases": DESK,
    "desk.open_case": DESK,
    "desk.open_from_warnings": DESK,
    "desk.case": DESK,
    "desk.case_note": DESK,
    "desk.case_status": DESK,
    "desk.case_assign": DESK,
    "desk.case_next": DESK,
    "desk.case_hold": DESK,
    "desk.case_close": DESK,
    "desk.plans": DESK,
    "desk.create_plan": DESK,
    "desk.plan": DESK,
    "desk.plan_action": DESK,
    "registry.buildings": DESK,
    "registry.create_building": ADMIN,
    "registry.building": DESK,
    "registry.create_unit": ADMIN,
    "registry.rent": ADMIN,
    "registry.households": DESK,
    "registry.create_household": ADMIN,
    "registry.bodies": DESK,
    "registry.create_body": ADMIN,
    "registry.end_occupancy": ADMIN,
    "registry.people": DESK,
    "registry.household": DESK,
    "registry.add_member": ADMIN,
    "registry.add_staircase": ADMIN,
    "budgets.close": ADMIN,
    "money.charges": ADMIN,
    "money.payments": DESK,
    "money.statement": DESK,
    "desk.letters": DESK,
    "desk.run_letters": DESK,
    "desk.letter_pdf": DESK,
    "budgets.budgets": DESK,
    "budgets.budget": DESK,
    "budgets.approve": ADMIN,
    "budgets.share_table": DESK,
    "budgets.building_accounts": DESK,
    "budgets.new_share_table": ADMIN,
    "budgets.revise_share_table": ADMIN,
    "budgets.new_budget": ADMIN,
    "money.one_off": ADMIN,
    "ledger.books": ADMIN,
    "ledger.entry": DESK,
    "ledger.reverse_entry": ADMIN,
}
#: Static files: Flask's own and Bootstrap-Flask's (served locally, not a CDN).
NOT_VIEWS = {"static", "bootstrap.static"}
#: Who asks: anonymous (None) and each role of agency A.
WHO: list[Role | None] = [None, *Role]


def _who_id(who: Role | None) -> str:
    return "anonymous" if who is None else who.value


def _rule(app: Flask, endpoint: str) -> Rule:
    rules = list(app.url_map.iter_rules(endpoint))
    assert len(rules) == 1, f"{endpoint}: {len(rules)} rules; give each its own EXPECTED entry"
    return rules[0]


#: Path arguments of the sample requests. Cases, plans and hour entries that do not exist: a
#: role admitted then gets 404 from the lookup (past the role check) and changes nothing.
SAMPLES: dict[str, object] = {
    "case_id": 999999,
    "entry_id": 999999,
    "code": "NO-SUCH-PLAN",
    "building_id": 999999,
    "letter_id": 999999,
    "budget_id": 999999,
    "table_id": 999999,
    "occupancy_id": 999999,
    "debtor_id": 999999,
    "household_id": 999999,
    "agreement_id": 999999,
    "plan_id": 999999,
    "book_id": 999999,
    "action": "activate",
}
SAMPLES_OF: dict[str, dict[str, object]] = {
    "auth.language": {"code": "it"},
    "restitution.decide": {"action": "verify"},
}


def _url(app: Flask, rule: Rule, site: Site) -> str:
    samples = {
        **SAMPLES,
        "user_id": site.a.user_ids[Role.OPERATOR],
        **SAMPLES_OF.get(rule.endpoint, {}),
    }
    missing = set(rule.arguments) - set(samples)
    assert not missing, f"{rule.endpoint}: add a sample value for {sorted(missing)}"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments})


def _to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


@pytest.fixture(scope="module")
def matrix_app(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": site.url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("matrix")),
            "TESTING": True,
        }
    )
    yield app
    app.extensions["condo"].engine.dispose()


@pytest.fixture(scope="module")
def session_cookies(matrix_app: Flask, site: Site) -> dict[Role, str]:
    """One login per role of agency A; each request then starts from a copy of its cookie."""
    with matrix_app.app_context():
        limiter.reset()
    cookies: dict[Role, str] = {}
    for role, username in site.a.users.items():
        client = matrix_app.test_client()
        assert login(client, username).status_code == 302, username
        cookie = client.get_cookie("session")
        assert cookie is not None
        cookies[role] = cookie.value
    with matrix_app.app_context():
        limiter.reset()
    return cookies


def _client(app: Flask, cookies: dict[Role, str], who: Role | None) -> FlaskClient:
    client = app.test_client()
    if who is not None:
        client.set_cookie("session", cookies[who])
    return client


# --- the table against the application ---------------------------------------------------------


def test_every_route_of_the_application_is_in_the_table(matrix_app: Flask) -> None:
    routed = {rule.endpoint for rule in matrix_app.url_map.iter_rules()} - NOT_VIEWS
    untested = sorted(routed - set(EXPECTED))
    assert not untested, f"routes missing from EXPECTED (say who may open them): {untested}"


def test_every_endpoint_of_the_table_still_exists(matrix_app: Flask) -> None:
    routed = {rule.endpoint for rule in matrix_app.url_map.iter_rules()}
    gone = sorted(set(EXPECTED) - routed)
    assert not gone, f"EXPECTED names endpoints the application no longer has: {gone}"


def _declared_params() -> list[object]:
    params: list[object] = []
    for endpoint, allowed in EXPECTED.items():
        marks = []
        params.append(pytest.param(endpoint, allowed, id=endpoint, marks=marks))
    return params


@pytest.mark.parametrize(("endpoint", "allowed"), _declared_params())
def test_each_view_declares_the_roles_of_the_table(
    matrix_app: Flask, endpoint: str, allowed: frozenset[Role] | None
) -> None:
    view = matrix_app.view_functions[endpoint]
    assert hasattr(view, "allowed_roles"), f"{endpoint} is neither @roles(...) nor @public"
    if allowed is PUBLIC:
        assert view.allowed_roles is None, f"{endpoint} should be @public"
    else:
        assert view.allowed_roles == allowed


# --- the table against requests ----------------------------------------------------------------


@pytest.mark.parametrize("who", WHO, ids=_who_id)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_who_may_open_what(
    matrix_app: Flask,
    session_cookies: dict[Role, str],
    site: Site,
    endpoint: str,
    who: Role | None,
) -> None:
    allowed = EXPECTED[endpoint]
    rule = _rule(matrix_app, endpoint)
    url = _url(matrix_app, rule, site)
    client = _client(matrix_app, session_cookies, who)
    if "GET" in (rule.methods or set()):
        response = client.get(url)
    else:
        token = token_of(client, "/login" if who is None else "/account")
        response = client.post(url, data={"csrf_token": token, "next": "/account"})
    status, location = response.status_code, response.headers.get("Location")
    assert status < 500, f"{endpoint} as {_who_id(who)}: {status}"

    if allowed is PUBLIC:
        assert status != 403 and not _to_login(response), (endpoint, status, location)
    elif who is None:
        assert _to_login(response), f"{endpoint} anonymous: {status} {location}"
        assert "next=" in (location or "")  # flask-login's redirect, back here after login
    elif who not in allowed:
        assert status == 403, f"{endpoint} as {who.value}: {status} {location}"
    elif endpoint == "auth.logout":
        # Logging out is the one allowed request that ends on the login page, without 'next'.
        assert status == 302 and location == "/login", location
        assert _to_login(client.get("/account"))
    else:
        assert status != 403 and not _to_login(response), (endpoint, who.value, status, location)
        assert _to_login(client.get("/account")) is False  # still logged in afterwards


def test_a_role_refused_sees_the_friendly_403_page(
    matrix_app: Flask, session_cookies: dict[Role, str]
) -> None:
    client = _client(matrix_app, session_cookies, Role.RESIDENT)
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Accesso negato" in page and "Traceback" not in page
