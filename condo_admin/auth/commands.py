"""``condo users``: create users, set their passwords, list them, from the terminal.

Passwords are read from a prompt (typed twice, not echoed) or, for scripts, from the environment
variable named by ``--password-env``; never from the command line, where ``ps`` would show them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from condo_admin import lookups
from condo_admin.auth import operations as users
from condo_admin.auth.models import Role, User
from condo_admin.registry.models import HousingBody, Person

if TYPE_CHECKING:
    from condo_admin.cli import Context


def _cli():  # type: ignore[no-untyped-def]
    from condo_admin import cli

    return cli


def _password(env: str | None) -> str:
    if env:
        value = os.environ.get(env)
        if not value:
            raise _cli().Refused(f"the environment variable {env} is not set")
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("users")
def users_group() -> None:
    """User accounts: create, set a password, list."""


@users_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The name shown on screen.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_code", help="Agency code (default: the only agency).")
@click.option("--body", "body_code", help="For a housing_body user: the body's code.")
@click.option("--household", "household_code", help="For a resident: the household's code.")
@click.option("--person", "tax_code", help="For a supervisor: the person's tax code.")
@click.option("--email")
@click.option("--language", type=click.Choice(["it", "en"]), default="it", show_default=True)
@click.option("--password-env", help="Read the password from this environment variable.")
@click.pass_obj
def create(
    obj: Context,
    username: str,
    display_name: str,
    role: str,
    agency_code: str | None,
    body_code: str | None,
    household_code: str | None,
    tax_code: str | None,
    email: str | None,
    language: str,
    password_env: str | None,
) -> None:
    """Create USERNAME with a role and the agency, body or household it belongs to."""
    password = _password(password_env)
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        scope: dict[str, object] = {}
        chosen = Role(role)
        if chosen is Role.HOUSING_BODY:
            body = session.scalar(
                select(HousingBody).where(
                    HousingBody.agency_id == agency.id, HousingBody.code == (body_code or "")
                )
            )
            if body is None:
                raise _cli().Refused(
                    f"no housing body {body_code!r} in agency {agency.code}"
                    if body_code
                    else "a housing_body user needs --body CODE"
                )
            scope["housing_body"] = body
        elif chosen is Role.RESIDENT:
            if not household_code:
                raise _cli().Refused("a resident needs --household CODE")
            scope["household"] = lookups.household(session, agency, household_code)
        else:
            scope["agency"] = agency
            if tax_code:
                person = session.scalar(
                    select(Person).where(
                        Person.agency_id == agency.id, Person.tax_code == tax_code.upper()
                    )
                )
                if person is None:
                    raise _cli().Refused(f"no person with tax code {tax_code} in {agency.code}")
                scope["person"] = person
        user = users.create_user(
            session,
            username=username,
            display_name=display_name,
            role=chosen,
            password=password,
            email=email,
            language=language,
            actor=_cli()._actor(),
            **scope,  # type: ignore[arg-type]
        )
        line = f"User {user.username} ({user.role.value}) created."
    click.echo(line)


@users_group.command("set-password")
@click.argument("username")
@click.option("--password-env", help="Read the password from this environment variable.")
@click.pass_obj
def set_password(obj: Context, username: str, password_env: str | None) -> None:
    """Set USERNAME's password; every session of theirs ends."""
    password = _password(password_env)
    with obj.session() as session:
        user = users.find_user(session, username)
        users.set_password(session, user, password, actor=_cli()._actor())
    click.echo(f"Password of {username} set.")


@users_group.command("list")
@click.pass_obj
def list_users(obj: Context) -> None:
    """Every user with role, scope and state."""
    with obj.session() as session:
        lines = []
        for user in session.scalars(select(User).order_by(User.username)):
            scope = (
                user.agency.code
                if user.agency
                else user.housing_body.code
                if user.housing_body
                else user.household.code
                if user.household
                else "-"
            )
            state = "active" if user.active else "inactive"
            lines.append(f"{user.username:<24} {user.role.value:<13} {scope:<16} {state}")
    for line in lines:
        click.echo(line)


def register(main: click.Group) -> None:
    main.add_command(users_group)
