"""The admin screens: dashboard, language, audit log, users, error pages.

The site is shared by the whole test session: new users get unique names, passwords changed are
put back, and audit events added carry an actor of their own.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from condo_admin.accounting.models import DebtorAccount
from condo_admin.audit.models import AuditEvent
from condo_admin.auth.models import Role, User
from condo_admin.registry.models import Agency, Household
from ledger.models import Posting
from tests.web.helpers import (
    engine_of,
    html_lang,
    load,
    make_user,
    reset_password,
    text,
    token_of,
    unique_username,
)
from tests.web.site import PASSWORD, login

NEW_PASSWORD = "Another-good-pass-2025"


def _admin(client, site):  # type: ignore[no-untyped-def]
    assert login(client, site.a.users[Role.ADMIN]).status_code == 302
    return client


def _field_errors(page: str, field_id: str) -> list[str]:
    """The error messages rendered in the same form group as the field ``field_id``."""
    for group in page.split('<div class="mb-3')[1:]:
        if f'id="{field_id}"' in group:
            found = re.findall(r'<div class="invalid-feedback[^"]*">(.*?)</div>', group, re.S)
            return [html.unescape(e).strip() for e in found]
    raise AssertionError(f"no field {field_id} on the page")


def _count_users(app, username: str) -> int:  # type: ignore[no-untyped-def]
    with Session(engine_of(app)) as session:
        return session.scalar(
            select(func.count()).select_from(User).where(User.username == username)
        )


# --- dashboard ---------------------------------------------------------------------------------


def _arrears_of(app, agency_code: str) -> Decimal:  # type: ignore[no-untyped-def]
    """Sum of the positive household balances of the agency, read straight from the postings."""
    with Session(engine_of(app)) as session:
        per_household = (
            select(DebtorAccount.household_id, func.sum(Posting.amount_cents).label("owed"))
            .join(Posting, Posting.account_id == DebtorAccount.account_id)
            .join(Household, Household.id == DebtorAccount.household_id)
            .join(Agency, Agency.id == Household.agency_id)
            .where(Agency.code == agency_code)
            .group_by(DebtorAccount.household_id)
            .subquery()
        )
        cents = session.scalar(
            select(func.coalesce(func.sum(per_household.c.owed), 0)).where(per_household.c.owed > 0)
        )
    return Decimal(int(cents)) / 100


def test_the_dashboard_shows_the_arrears_of_the_agency_only(client, app, site):
    expected = _arrears_of(app, site.a.code)
    assert expected == Decimal("300.00")  # Rossi: two charges of 150.00
    assert _arrears_of(app, site.b.code) == Decimal("300.00")  # B owes as much, not counted
    page = text(_admin(client, site).get("/dashboard"))
    figure = re.search(r'id="total-arrears">([^<]*)<', page)
    assert figure, page
    shown = figure.group(1).replace("\xa0", " ").strip()
    assert shown.startswith("300,00"), shown  # Italian: decimal comma
    assert "600" not in shown


def test_the_dashboard_shows_the_figures_as_they_stood_on_another_day(client, site):
    page = text(_admin(client, site).get("/dashboard?as_of=2000-01-31"))
    figure = re.search(r'id="total-arrears">([^<]*)<', page)
    assert figure and figure.group(1).replace("\xa0", " ").strip().startswith("0,00")
    assert "31 gen 2000" in page
    assert client.get("/dashboard?as_of=not-a-day").status_code == 200


def test_the_dashboard_draws_three_inline_svg_charts(client, site):
    response = _admin(client, site).get("/dashboard")
    assert response.status_code == 200
    assert text(response).count("<svg") == 3


def test_the_dashboard_carries_no_script(client, site):
    page = text(_admin(client, site).get("/dashboard"))
    assert "<script" not in page


def test_an_operator_sees_the_same_dashboard(client, site):
    login(client, site.a.users[Role.OPERATOR])
    page = text(client.get("/dashboard"))
    assert re.search(r'id="total-arrears">300,00', page)


# --- language ----------------------------------------------------------------------------------


def test_the_language_follows_the_choice_before_login(client):
    page = text(client.get("/login"))
    assert html_lang(page) == "it" and "Accedi" in page  # Italian by default
    token = token_of(client, "/login")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = text(client.get("/login"))
    assert html_lang(page) == "en" and "Log in" in page and "Accedi" not in page
    client.post("/language/it", data={"csrf_token": token, "next": "/login"})
    assert html_lang(text(client.get("/login"))) == "it"


def test_a_logged_in_user_switches_to_english_and_back(client, site):
    _admin(client, site)
    page = text(client.get("/dashboard"))
    assert html_lang(page) == "it" and "Cruscotto" in page  # the user's own language
    token = token_of(client, "/dashboard")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/dashboard"})
    assert response.headers["Location"] == "/dashboard"
    page = text(client.get("/dashboard"))
    assert html_lang(page) == "en" and ">Dashboard" in page and "Cruscotto" not in page
    client.post("/language/it", data={"csrf_token": token})
    assert html_lang(text(client.get("/dashboard"))) == "it"


def test_the_language_switch_needs_its_token_ignores_unknown_codes_and_stays_on_site(client):
    assert client.post("/language/en", data={"next": "/login"}).status_code == 400
    token = token_of(client, "/login")
    response = client.post("/language/de", data={"csrf_token": token, "next": "//evil.example"})
    assert response.headers["Location"] == "/login"
    assert html_lang(text(client.get("/login"))) == "it"


# --- audit log ---------------------------------------------------------------------------------

_ROW = re.compile(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>")


def _rows(page: str) -> list[tuple[str, str, str]]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [tuple(html.unescape(v) for v in row) for row in _ROW.findall(body)]  # type: ignore[misc]


def _total(page: str) -> int:
    found = re.search(r"(\d+) in tutto", page)
    assert found, "no page summary"
    return int(found.group(1))


@pytest.fixture
def pager_actor(app, site) -> str:  # type: ignore[no-untyped-def]
    """55 audit events of agency A by an actor of their own: 28 'pager.even', 27 'pager.odd',
    one target."""
    actor = f"pager-{uuid.uuid4().hex[:10]}"
    with Session(engine_of(app)) as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == site.a.code))
        now = datetime.now(UTC)
        session.add_all(
            AuditEvent(
                at=now,
                actor=actor,
                action="pager.even" if i % 2 == 0 else "pager.odd",
                target_type="PagerTarget",
                target_id=i,
                agency_id=agency_id,
                before=None,
                after={"i": i},
            )
            for i in range(55)
        )
        session.commit()
    return actor


def test_audit_filters_narrow_the_list(client, site, pager_actor):
    _admin(client, site)
    everything = text(client.get("/audit"))
    by_actor = text(client.get(f"/audit?actor={pager_actor}"))
    assert _total(by_actor) == 55 < _total(everything)
    assert {actor for actor, _, _ in _rows(by_actor)} == {pager_actor}

    odd = text(client.get(f"/audit?actor={pager_actor}&action=pager.o"))
    assert _total(odd) == 27
    assert {action for _, action, _ in _rows(odd)} == {"pager.odd"}

    users_only = text(client.get("/audit?target=User"))
    assert 0 < _total(users_only) < _total(everything)
    assert all(what.startswith("User #") for _, _, what in _rows(users_only))

    none = text(client.get(f"/audit?actor={pager_actor}&target=User"))
    assert _total(none) == 0 and _rows(none) == [] and "Nessun risultato." in none


def test_audit_pages_keep_the_filters(client, site, pager_actor):
    _admin(client, site)
    first = text(client.get(f"/audit?actor={pager_actor}&target=PagerTarget"))
    assert len(_rows(first)) == 50 and "Pagina 1 di 2" in first
    found = re.search(r'rel="next" href="([^"]+)"', first)
    assert found, "no link to the next page"
    link = html.unescape(found.group(1))
    query = parse_qs(urlsplit(link).query)
    assert query == {"actor": [pager_actor], "target": ["PagerTarget"], "page": ["2"]}
    second = text(client.get(link))
    rows = _rows(second)
    assert len(rows) == 5 and {actor for actor, _, _ in rows} == {pager_actor}
    assert "Pagina 2 di 2" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second
    ids_first = {what for _, _, what in _rows(first)}
    assert ids_first.isdisjoint({what for _, _, what in rows})


def test_only_admins_see_the_audit_log(client, site):
    assert urlsplit(client.get("/audit").headers["Location"]).path == "/login"
    login(client, site.a.users[Role.OPERATOR])
    assert client.get("/audit").status_code == 403


def test_audit_log_shows_nothing_of_another_agency(client, site):
    page = text(_admin(client, site).get("/audit?target=User&action=user.create"))
    assert site.b.users[Role.RESIDENT] not in page
    assert site.b.users[Role.ADMIN] not in page


# --- users -------------------------------------------------------------------------------------


def test_an_admin_sees_the_users_of_the_agency_only(client, site):
    response = _admin(client, site).get("/users")
    page = text(response)
    assert response.status_code == 200
    for username in site.a.users.values():  # staff, housing body and resident of A
        assert f">{username}</a>" in page
    for username in site.b.users.values():
        assert f">{username}</a>" not in page


def test_a_user_of_another_agency_is_not_found(client, app, site):
    _admin(client, site)
    for role in (Role.ADMIN, Role.HOUSING_BODY, Role.RESIDENT):
        assert client.get(f"/users/{site.b.user_ids[role]}").status_code == 404
    assert client.get("/users/999999").status_code == 404
    token = token_of(client, "/users")
    b_admin = site.b.users[Role.ADMIN]
    before = load(app, b_admin)
    response = client.post(
        f"/users/{site.b.user_ids[Role.ADMIN]}",
        data={"csrf_token": token, "password": NEW_PASSWORD, "active": "y"},
    )
    assert response.status_code == 404
    after = load(app, b_admin)
    assert (after.password_hash, after.session_version) == (
        before.password_hash,
        before.session_version,
    )


def test_creating_a_user_through_the_form(client, app, site):
    _admin(client, site)
    username = unique_username("form")
    token = token_of(client, "/users")
    response = client.post(
        "/users",
        data={
            "csrf_token": token,
            "username": username,
            "display_name": "Giulia Form",
            "email": "",
            "role": "operator",
            "scope": "",
            "language": "en",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    listed = text(client.get("/users"))
    assert f"Utente {username} creato." in listed and f">{username}</a>" in listed

    with Session(engine_of(app)) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None and user.agency is not None
        assert (user.role, user.agency.code, user.language) == (Role.OPERATOR, site.a.code, "en")
        assert check_password_hash(user.password_hash, NEW_PASSWORD)
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.create",
                AuditEvent.target_type == "User",
                AuditEvent.target_id == user.id,
            )
        )
        assert event is not None and event.actor == f"user:{site.a.users[Role.ADMIN]}"
        assert event.after is not None and event.after["username"] == username
        assert "password_hash" not in event.after
        assert user.password_hash not in str(event.after) and "scrypt" not in str(event.after)


def test_creating_a_user_with_an_email(client, app, site):
    _admin(client, site)
    username, response = _post_user(client, email="giulia@example.org")
    assert response.status_code == 302, response.status_code
    assert load(app, username).email == "giulia@example.org"


def test_creating_a_resident_of_a_household_of_the_agency(client, app, site):
    with Session(engine_of(app)) as session:
        code = session.get(Household, site.a.household_ids[1]).code
    _admin(client, site)
    username = unique_username("resident")
    response = client.post(
        "/users",
        data={
            "csrf_token": token_of(client, "/users"),
            "username": username,
            "display_name": "Bianchi",
            "role": "resident",
            "scope": code,
            "language": "it",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert load(app, username).household_id == site.a.household_ids[1]


def _post_user(client, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "username": unique_username("bad"),
        "display_name": "Nobody",
        "role": "operator",
        "scope": "",
        "language": "it",
        "password": NEW_PASSWORD,
        **fields,
    }
    data["csrf_token"] = token_of(client, "/users")
    return data["username"], client.post("/users", data=data)


def test_a_short_password_is_shown_next_to_the_password_field(client, app, site):
    _admin(client, site)
    username, response = _post_user(client, password="short-1")
    assert response.status_code == 400
    errors = _field_errors(text(response), "password")
    assert errors and "10" in errors[0]
    assert _count_users(app, username) == 0


def test_a_password_refused_by_the_strength_rules_is_shown_next_to_the_password_field(
    client, app, site
):
    _admin(client, site)
    username, response = _post_user(client, password="1234567890123")  # digits only
    assert response.status_code == 400
    assert _count_users(app, username) == 0
    page = text(response)
    assert any("troppo debole" in e for e in _field_errors(page, "password"))
    assert _field_errors(page, "scope") == []


def test_a_taken_username_is_shown_next_to_the_username_field(client, app, site):
    _admin(client, site)
    _, response = _post_user(client, username=site.b.users[Role.OPERATOR])
    assert response.status_code == 400
    page = text(response)
    assert any("già in uso" in e for e in _field_errors(page, "username"))
    assert _field_errors(page, "scope") == []


def test_an_unknown_household_is_shown_next_to_the_scope_field(client, app, site):
    with Session(engine_of(app)) as session:
        b_code = session.get(Household, site.b.household_ids[0]).code
    _admin(client, site)
    for code in ("NOPE", b_code):  # unknown, or another agency's
        username, response = _post_user(client, role="resident", scope=code)
        assert response.status_code == 400
        assert _field_errors(text(response), "scope") == [f"Nessun nucleo con codice {code}."]
        assert _count_users(app, username) == 0


def test_the_list_is_the_same_after_a_refused_creation(client, site):
    _admin(client, site)
    _, response = _post_user(client, role="resident", scope="NOPE")
    assert response.status_code == 400
    assert f">{site.a.users[Role.RESIDENT]}</a>" in text(response)


def test_resetting_a_password_ends_the_sessions_of_that_user(client, app, site):
    user_id, username = make_user(app, site.a.code)
    other = app.test_client()
    try:
        assert login(other, username).status_code == 302
        assert other.get("/account").status_code == 200
        _admin(client, site)
        token = token_of(client, f"/users/{user_id}")
        response = client.post(
            f"/users/{user_id}",
            data={"csrf_token": token, "password": NEW_PASSWORD, "active": "y"},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == f"/users/{user_id}"
        assert f"Password di {username} reimpostata." in text(client.get(f"/users/{user_id}"))
        assert urlsplit(other.get("/account").headers["Location"]).path == "/login"
        user = load(app, username)
        assert user.active and check_password_hash(user.password_hash, NEW_PASSWORD)
        with Session(engine_of(app)) as session:
            event = session.scalar(
                select(AuditEvent).where(
                    AuditEvent.action == "user.set_password", AuditEvent.target_id == user_id
                )
            )
            assert event is not None and "password_hash" not in (event.after or {})
        assert client.get("/users").status_code == 200  # the admin is still logged in
    finally:
        reset_password(app, username)


def test_a_weak_reset_is_refused_next_to_the_password_field(client, app, site):
    user_id, username = make_user(app, site.a.code)
    before = load(app, username)
    _admin(client, site)
    token = token_of(client, f"/users/{user_id}")
    for weak in ("short", "12345678901234", f"x-{username}-x"):
        response = client.post(
            f"/users/{user_id}", data={"csrf_token": token, "password": weak, "active": "y"}
        )
        assert response.status_code == 400, weak
        assert _field_errors(text(response), "password"), weak
    after = load(app, username)
    assert (after.password_hash, after.session_version) == (
        before.password_hash,
        before.session_version,
    )
    assert check_password_hash(after.password_hash, PASSWORD)


# --- error pages -------------------------------------------------------------------------------


def test_a_missing_page_is_the_friendly_404(client):
    response = client.get("/no/such/page")
    page = text(response)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Non trovato" in page and "Questa pagina non esiste" in page
    assert "Traceback" not in page and "werkzeug" not in page.lower()


def test_a_wrong_method_is_the_friendly_405(client):
    response = client.get("/logout")
    assert response.status_code == 405 and "Non consentito" in text(response)


def test_an_unexpected_error_is_the_friendly_500_and_is_logged(app, caplog):
    def boom() -> str:
        raise RuntimeError("secret-detail-4242 in the database")

    app.add_url_rule("/boom", "boom", boom)
    client = app.test_client()
    with caplog.at_level("ERROR"):
        response = client.get("/boom")
    page = text(response)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Errore del server" in page and "Qualcosa non ha funzionato" in page
    assert "secret-detail-4242" not in page and "Traceback" not in page
    assert "RuntimeError" not in page
    assert "secret-detail-4242" in caplog.text  # the operators get the details in the log
