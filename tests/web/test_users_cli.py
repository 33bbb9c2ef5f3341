"""``condo users create|set-password|list`` in-process on a fresh, migrated database.

Passwords come from the environment variable named by ``--password-env``. Every refusal is one
``Error:`` line with exit status 2 and leaves the users and the audit log as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from click.testing import Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from condo_admin.audit.models import AuditEvent
from condo_admin.auth.models import Role, User
from condo_admin.db import make_engine
from condo_admin.demo.taxcodes import tax_code
from condo_admin.registry import operations as registry
from tests.cli_results import ok, refused
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR

ENV = "CONDO_TEST_NEW_PASSWORD"
GOOD = "a-long-enough-pass-7"
OTHER = "another-long-pass-8"
SUPERVISOR = tax_code("Verdi", "Anna", date(1975, 5, 10), "F", "F205")
STRANGER = tax_code("Gallo", "Sara", date(1999, 9, 9), "F", "L219")


@dataclass
class World:
    engine: Engine
    agency: str
    household: str
    body: str

    def user(self, username: str) -> User | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.scalar(select(User).where(User.username == username))

    def snapshot(self) -> tuple[int, int, tuple[tuple[str, str, int], ...]]:
        with Session(self.engine) as session:
            users = session.execute(
                select(User.username, User.password_hash, User.session_version).order_by(User.id)
            ).all()
            events = session.scalar(select(func.count()).select_from(AuditEvent))
        return len(users), events, tuple(tuple(u) for u in users)  # type: ignore[misc]


@pytest.fixture
def world(cli, empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """One agency with a building, the Rossi household, a housing body and a supervisor."""
    assert cli("init-db").exit_code == 0
    monkeypatch.setenv(ENV, GOOD)
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        estate = Estate(session)
        registry.create_person(
            session,
            estate.agency,
            "Anna",
            "Verdi",
            tax_code=SUPERVISOR,
            birth_date=date(1975, 5, 10),
            actor=ACTOR,
        )
        session.commit()
        yield World(
            engine=engine,
            agency=estate.agency.code,
            household=estate.rossi.household.code,
            body=estate.body.code,
        )
    engine.dispose()


def create(cli, username: str, role: str, *extra: str) -> Result:  # type: ignore[no-untyped-def]
    return cli(
        "users", "create", username, "--name", f"Name of {username}", "--role", role,
        "--password-env", ENV, *extra,
    )  # fmt: skip


# --- create ------------------------------------------------------------------------------------


def test_creating_an_admin_with_the_password_from_the_environment(cli, world: World) -> None:
    out = ok(create(cli, "Giulia.Admin", "admin", "--email", "giulia@example.org"))
    assert out.strip() == "User giulia.admin (admin) created."
    user = world.user("giulia.admin")
    assert user is not None
    assert (user.role, user.email, user.language, user.active) == (
        Role.ADMIN,
        "giulia@example.org",
        "it",
        True,
    )
    assert user.password_hash.startswith("scrypt:") and GOOD not in user.password_hash
    assert check_password_hash(user.password_hash, GOOD)
    assert user.created_by.startswith("cli")
    with Session(world.engine) as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.create", AuditEvent.target_id == user.id
            )
        )
        assert event is not None and event.actor.startswith("cli")
        assert event.after is not None and "password_hash" not in event.after
        assert "scrypt" not in str(event.after)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("operator", ()),
        ("supervisor", ("--person", SUPERVISOR.lower())),
        ("housing_body", ("--body", "{body}")),
        ("resident", ("--household", "{household}")),
    ],
)
def test_each_role_is_created_with_its_scope(
    cli, world: World, role: str, scope: tuple[str, ...]
) -> None:
    args = [a.format(body=world.body, household=world.household) for a in scope]
    ok(create(cli, f"new-{role}", role, "--agency", world.agency, "--language", "en", *args))
    user = world.user(f"new-{role}")
    assert user is not None and user.role == Role(role) and user.language == "en"
    if role in ("operator", "supervisor"):
        assert user.agency_id is not None and user.housing_body_id is None
    if role == "supervisor":
        assert user.person_id is not None
    if role == "housing_body":
        assert user.housing_body_id is not None and user.agency_id is None
    if role == "resident":
        assert user.household_id is not None and user.agency_id is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("weak", "operator"), "short-1", "too weak: use at least 10 characters"),
        (("digits", "operator"), "12345678901234", "too weak: use letters as well as digits"),
        (("mario", "operator"), "mario-1234567", "too weak: it must not contain the username"),
        (("Bad Name", "operator"), GOOD, "a username is 2 to 64 lower-case letters"),
        (("res", "resident", "--household", "NOPE"), GOOD, "Household NOPE in agency"),
        (("res", "resident"), GOOD, "a resident needs --household CODE"),
        (("hb", "housing_body", "--body", "NOPE"), GOOD, "no housing body 'NOPE'"),
        (("sup", "supervisor"), GOOD, "a supervisor must be a person of the registry"),
        (("sup", "supervisor", "--person", STRANGER), GOOD, f"no person with tax code {STRANGER}"),
        (("op", "operator", "--agency", "NOPE"), GOOD, "NOPE does not exist"),
    ],
    ids=[
        "short",
        "digits",
        "username",
        "bad-username",
        "unknown-household",
        "no-household",
        "unknown-body",
        "supervisor-without-person",
        "unknown-person",
        "unknown-agency",
    ],
)
def test_refusals_create_nothing(
    cli,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    password: str,
    message: str,
) -> None:
    monkeypatch.setenv(ENV, password)
    before = world.snapshot()
    refused(create(cli, *args), message)
    assert world.snapshot() == before


def test_a_taken_username_is_refused(cli, world: World) -> None:
    ok(create(cli, "taken", "operator"))
    before = world.snapshot()
    refused(create(cli, "TAKEN", "admin"), "User taken: this username is taken.")
    assert world.snapshot() == before


def test_a_missing_password_variable_is_refused(
    cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV)
    before = world.snapshot()
    refused(create(cli, "nopass", "operator"), f"the environment variable {ENV} is not set")
    assert world.snapshot() == before


# --- set-password ------------------------------------------------------------------------------


def test_set_password_changes_the_hash_and_ends_sessions(
    cli, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(create(cli, "mario", "operator"))
    before = world.user("mario")
    assert before is not None
    monkeypatch.setenv(ENV, OTHER)
    out = ok(cli("users", "set-password", "Mario", "--password-env", ENV))
    assert out.strip() == "Password of Mario set."
    after = world.user("mario")
    assert after is not None
    assert after.password_hash != before.password_hash
    assert check_password_hash(after.password_hash, OTHER)
    assert not check_password_hash(after.password_hash, GOOD)
    assert after.session_version == before.session_version + 1
    with Session(world.engine) as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.set_password", AuditEvent.target_id == after.id
            )
        )
        assert event is not None
        assert "password_hash" not in (event.before or {}) | (event.after or {})


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("mario", "short", "too weak: use at least 10 characters"),
        ("mario", "xx-mario-xx-1", "it must not contain the username"),
        ("nobody", OTHER, "User nobody does not exist."),
    ],
    ids=["short", "username", "unknown-user"],
)
def test_set_password_refusals_change_nothing(
    cli,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    password: str,
    message: str,
) -> None:
    ok(create(cli, "mario", "operator"))
    before = world.snapshot()
    monkeypatch.setenv(ENV, password)
    refused(cli("users", "set-password", username, "--password-env", ENV), message)
    assert world.snapshot() == before


# --- list --------------------------------------------------------------------------------------


def test_list_shows_every_user_with_role_scope_and_state(cli, world: World) -> None:
    assert ok(cli("users", "list")) == ""
    ok(create(cli, "zeta-admin", "admin"))
    ok(create(cli, "alfa-res", "resident", "--household", world.household))
    ok(create(cli, "beta-hb", "housing_body", "--body", world.body))
    lines = ok(cli("users", "list")).splitlines()
    assert [line.split() for line in lines] == [
        ["alfa-res", "resident", world.household, "active"],
        ["beta-hb", "housing_body", world.body, "active"],
        ["zeta-admin", "admin", world.agency, "active"],
    ]
