"""What the command modules of each domain share: the late link to the CLI, who acts, dates,
printing after commit, and amounts typed on the command line.

``condo_admin.cli`` imports the domain command modules at its end, so they reach it only inside
functions (:func:`cli`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import click

from condo_admin.tabular import NotANumber, parse_number
from ledger.errors import N_, InvalidAmount, Phrase

AMOUNT_EXAMPLE = "7.50 or 7,50"


def cli():  # type: ignore[no-untyped-def]
    """The shared CLI module, imported late: it imports the command modules."""
    from condo_admin import cli as module

    return module


def actor() -> str:
    return cli()._actor()


def day(value: datetime | None) -> date:
    """An optional date option, today when left out."""
    return value.date() if value is not None else cli()._today()


def echo(lines: Iterable[str]) -> None:
    """Print a report once its transaction has committed: never a success that did not happen."""
    for line in lines:
        click.echo(line)


def amount(text: str, option: str, example: str = AMOUNT_EXAMPLE) -> Decimal:
    """Euros typed on the command line, read exactly as a file's amounts are."""
    try:
        return parse_number(text, example=example, places=2, positive=True)
    except NotANumber as exc:
        raise InvalidAmount(
            field=option, value=text, reason=Phrase(N_("expected %(what)s"), what=exc.expected)
        ) from None
