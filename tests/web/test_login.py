"""Logging in and out: credentials, rate limit, CSRF, sessions that end, safe redirects."""

from __future__ import annotations

from sqlalchemy.orm import Session

from condo_admin.auth import operations as users
from condo_admin.auth.models import Role, User
from tests.factories import ACTOR
from tests.web.site import PASSWORD, csrf_token, login


def test_an_admin_logs_in_and_lands_on_the_dashboard(client, site):
    response = login(client, site.a.users[Role.ADMIN])
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200 and "total-arrears" in page.get_data(as_text=True)


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(client, site):
    wrong_password = login(client, site.a.users[Role.ADMIN], "not-the-password")
    unknown_user = login(client, "nobody-at-all", "not-the-password")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert "Nome utente o password errati." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_attempts_are_rate_limited(client, site):
    for _ in range(5):
        assert login(client, site.a.users[Role.ADMIN], "bad-password-0").status_code == 200
    blocked = login(client, site.a.users[Role.ADMIN])
    assert blocked.status_code == 429
    assert "Troppi tentativi" in blocked.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(client, site):
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "Il modulo era scaduto" in response.get_data(as_text=True)
    login(client, site.a.users[Role.ADMIN])
    assert client.post("/logout").status_code == 400  # logout is a POST with a token
    assert client.get("/dashboard").status_code == 200


def test_logging_out_ends_the_session(client, site):
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_a_new_password_ends_every_session_opened_with_the_old_one(client, app, site):
    username = site.a.users[Role.SUPERVISOR]
    login(client, username)
    assert client.get("/account").status_code == 200
    engine = app.extensions["condo"].engine
    with Session(engine) as session:
        user = users.find_user(session, username)
        users.set_password(session, user, PASSWORD + "-new", actor=ACTOR)
        session.commit()
    try:
        assert client.get("/account").status_code == 302
        assert login(client, username, PASSWORD + "-new").status_code == 302
    finally:
        with Session(engine) as session:
            users.set_password(session, users.find_user(session, username), PASSWORD, actor=ACTOR)
            session.commit()


def test_after_login_only_a_path_on_this_site_is_followed(client, site):
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"username": site.a.users[Role.ADMIN], "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/dashboard"


def test_passwords_are_stored_as_scrypt_hashes(app, site):
    with Session(app.extensions["condo"].engine) as session:
        user = users.find_user(session, site.a.users[Role.ADMIN])
        assert isinstance(user, User)
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_every_page_carries_the_security_headers(client):
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    cookie = client.get_cookie("session")
    assert cookie is None or cookie.http_only
