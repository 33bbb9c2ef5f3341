"""Creating users, changing their role, scope and password, and checking them at login.

Passwords are hashed with werkzeug's scrypt; a login for an unknown user still checks a hash, so
the time taken does not tell whether the username exists. Setting a password, a role or a scope,
and (de)activating, bump the user's ``session_version``, which ends every session opened with the
old one. Nobody takes away their own administrator role or deactivates themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from condo_admin.audit.operations import record as audit
from condo_admin.audit.operations import snapshot
from condo_admin.auth.errors import UserRefused, WeakPassword
from condo_admin.auth.models import STAFF, Role, User
from condo_admin.registry.models import Agency, Household, HousingBody, Person
from ledger.errors import N_, NotFound, Phrase

MIN_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Checked when the username is unknown, so that both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")
#: What each role must be tied to (and may not be tied to anything else).
_SCOPE = {
    Role.ADMIN: "agency",
    Role.OPERATOR: "agency",
    Role.SUPERVISOR: "agency",
    Role.HOUSING_BODY: "housing_body",
    Role.RESIDENT: "household",
}
#: The scopes as a refusal names them.
_WORDS = {"agency": N_("agency"), "housing_body": N_("housing body"), "household": N_("household")}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_strength(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            problem=Phrase(N_("use at least %(count)s characters"), count=MIN_LENGTH)
        )
    if password.isdigit():
        raise WeakPassword(problem=N_("use letters as well as digits"))
    if username and username.lower() in password.lower():
        raise WeakPassword(problem=N_("it must not contain the username"))


def _username(value: str) -> str:
    name = value.strip().lower()
    if not _USERNAME.match(name):
        raise UserRefused(
            username=repr(value),
            problem=N_("a username is 2 to 64 lower-case letters, digits, '.', '_' or '-'"),
            field="username",
        )
    return name


def _role(username: str, role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserRefused(
            username=username,
            problem=Phrase(
                N_("%(role)r is not a role (%(roles)s)"),
                role=role,
                roles=", ".join(r.value for r in Role),
            ),
            field="role",
        ) from None


def _check_scope(
    username: str,
    role: Role,
    agency: Agency | None,
    housing_body: HousingBody | None,
    household: Household | None,
    person: Person | None,
) -> None:
    """The role's scope is set, and nothing else is (a supervisor is also a person)."""
    scopes = {"agency": agency, "housing_body": housing_body, "household": household}
    needed = _SCOPE[role]
    if scopes[needed] is None:
        raise UserRefused(
            username=username,
            problem=Phrase(
                N_("a %(role)s must belong to a %(scope)s"), role=role.value, scope=_WORDS[needed]
            ),
        )
    extra = [key for key, value in scopes.items() if value is not None and key != needed]
    if extra:
        raise UserRefused(
            username=username,
            problem=Phrase(
                N_("a %(role)s belongs to a %(scope)s only, not to a %(other)s"),
                role=role.value,
                scope=_WORDS[needed],
                other=_WORDS[extra[0]],
            ),
        )
    if role is Role.SUPERVISOR and person is None:
        raise UserRefused(
            username=username, problem=N_("a supervisor must be a person of the registry")
        )
    if person is not None and agency is not None and person.agency_id != agency.id:
        raise UserRefused(username=username, problem=N_("the person belongs to another agency"))


def agency_id_of(user: User) -> int | None:
    """The agency a user works in or for: their own, their housing body's or household's."""
    if user.agency_id is not None:
        return user.agency_id
    if user.housing_body is not None:
        return user.housing_body.agency_id
    if user.household is not None:
        return user.household.agency_id
    return None


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    actor: str,
    agency: Agency | None = None,
    housing_body: HousingBody | None = None,
    household: Household | None = None,
    person: Person | None = None,
    email: str | None = None,
    language: str = "it",
) -> User:
    name = _username(username)
    role = _role(name, role)
    if session.scalar(select(func.count()).select_from(User).where(User.username == name)):
        raise UserRefused(username=name, problem=N_("this username is taken"), field="username")
    _check_scope(name, role, agency, housing_body, household, person)
    if language not in ("it", "en"):
        raise UserRefused(username=name, problem=N_("the language is it or en"), field="language")
    if not display_name.strip():
        raise UserRefused(username=name, problem=N_("give the name to show"), field="display_name")
    check_strength(password, name)
    user = User(
        username=name,
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
        agency_id=agency.id if agency else None,
        housing_body_id=housing_body.id if housing_body else None,
        household_id=household.id if household else None,
        person_id=person.id if person else None,
        language=language,
        active=True,
        session_version=1,
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user.create", user, after=_public(user))
    return user


def _public(user: User) -> dict[str, object]:
    """What the audit log keeps of a user: never the password hash."""
    data = snapshot(user)
    data.pop("password_hash", None)
    return data


def set_password(session: Session, user: User, password: str, *, actor: str) -> User:
    check_strength(password, user.username)
    before = _public(user)
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.flush()
    audit(session, actor, "user.set_password", user, before=before, after=_public(user))
    return user


def set_active(session: Session, user: User, active: bool, *, actor: str) -> User:
    """(De)activate a user; their sessions end. Nobody deactivates themselves."""
    if not active and actor == user.actor:
        raise UserRefused(
            username=user.username,
            problem=N_("you may not deactivate yourself; ask another administrator"),
            field="active",
        )
    before = _public(user)
    user.active = active
    user.session_version += 1
    session.flush()
    audit(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        user,
        before=before,
        after=_public(user),
    )
    return user


def set_role(
    session: Session,
    user: User,
    role: Role | str,
    *,
    actor: str,
    agency: Agency | None = None,
    housing_body: HousingBody | None = None,
    household: Household | None = None,
    person: Person | None = None,
) -> User:
    """Give a user another role or scope, within the agency they belong to; their sessions end.

    The scope is checked as :func:`create_user` checks it. An administrator may not take away
    their own administrator role (someone must stay able to manage users). When nothing changes
    nothing is written, and the user stays logged in.
    """
    role = _role(user.username, role)
    _check_scope(user.username, role, agency, housing_body, household, person)
    if actor == user.actor and user.role is Role.ADMIN and role is not Role.ADMIN:
        raise UserRefused(
            username=user.username,
            problem=N_(
                "you may not take away your own administrator role; ask another administrator"
            ),
            field="role",
        )
    new = (
        role,
        agency.id if agency else None,
        housing_body.id if housing_body else None,
        household.id if household else None,
        person.id if person else None,
    )
    old = (user.role, user.agency_id, user.housing_body_id, user.household_id, user.person_id)
    if new == old:
        return user
    current = agency_id_of(user)
    moved_to = agency.id if agency else (housing_body or household).agency_id  # type: ignore[union-attr]
    if current is not None and moved_to != current:
        raise UserRefused(
            username=user.username, problem=N_("a user cannot move to another agency")
        )
    before = _public(user)
    user.role = role
    user.agency = agency
    user.housing_body = housing_body
    user.household = household
    user.person = person
    user.session_version += 1
    session.flush()
    audit(session, actor, "user.set_role", user, before=before, after=_public(user))
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(what="User", ref=username)
    return user


def load_user(session: Session, user_id: str) -> User | None:
    """The user a session cookie names (``<id>:<session version>``), if still valid and active."""
    try:
        raw_id, version = user_id.split(":")
        user = session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def is_staff(user: User) -> bool:
    return user.role in STAFF
