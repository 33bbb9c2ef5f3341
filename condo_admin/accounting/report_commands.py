"""``condo payments`` and ``condo report``: payments, arrears aging, early warning, restitution.

Thin on purpose: options are parsed here, the work is done by :mod:`.payments`, :mod:`.aging`
and :mod:`.early_warning`, and reports are written by :mod:`condo_admin.exporting`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import click
from sqlalchemy import select

from condo_admin import exporting, formatting


def _cli():  # type: ignore[no-untyped-def]
    """The shared CLI helpers, imported late: condo_admin.cli imports this module."""
    from condo_admin import cli

    return cli


def write_report(table: exporting.Table, fmt: str, output: Path | None) -> None:
    if fmt == "xlsx" and output is None:
        raise _cli().Refused("--format xlsx needs an output file: add -o FILE.xlsx")
    text = exporting.write(table, fmt, output)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"Written {output} ({len(table.rows)} rows).", err=True)


def output_options(command):  # type: ignore[no-untyped-def]
    command = click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(exporting.FORMATS),
        default="table",
        show_default=True,
    )(command)


@click.group()
def payments() -> None:
    """Payments of debtors: record, reverse, and see what is still open."""


@payments.command("record")
@click.option("--account", "ref", required=True, help="RF reference or BOOK:ACCOUNT code.")
@click.option("--amount", required=True, help="Amount paid, e.g. 120.50 or 120,50.")
@click.option("--date", "on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--designate",
    "designated",
    multiple=True,
    type=int,
    help="Entry number of a charge the payer named (repeatable, in order).",
)
@click.option("--method", type=click.Choice(["bank", "cash"]), default="bank", show_default=True)
@click.option("--reference", help="The payer's reference or the bank line text.")
@click.option("--key", help="Idempotency key (e.g. the bank line id): repeating posts nothing.")
def record_command(
    ref: str,
    amount: str,
    on: datetime,
    designated: tuple[int, ...],
    method: str,
    reference: str | None,
    key: str | None,
) -> None:
    """Record a payment and show which charges it paid."""
    from condo_admin.accounting.payments import find_debtor, record_payment

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        debtor = find_debtor(session, ref)
        result = record_payment(
            session,
            debtor,
            _amount(amount),
            on.date(),
            actor=cli._actor(),
            designated=designated,
            method=method,
            reference=reference,
            key=key,
        )
        household = debtor.household.name
    state = "recorded" if result.created else "already recorded, nothing posted"
    click.echo(
        f"Payment #{result.entry_id} of {formatting.money(result.amount)} from {household} "
        f"({result.account}): {state}."
    )
    for s in result.settled:
        click.echo(
            f"  paid #{s.entry_id} {formatting.day(s.due_date)} {s.memo}: "
            f"{formatting.money(s.amount)}"
        )
    if result.credit_left:
        click.echo(f"  credit left for later charges: {formatting.money(result.credit_left)}")


def _amount(text: str) -> Decimal:
    """Read as a file's amounts are: Italian or plain notation, ambiguous ones refused."""
    from condo_admin.tabular import NotANumber, parse_number
    from ledger.errors import N_, InvalidAmount, Phrase

    try:
        return parse_number(text, example="120.50 or 120,50", places=2)
    except NotANumber as exc:
        raise InvalidAmount(
            field="--amount", value=text, reason=Phrase(N_("expected %(what)s"), what=exc.expected)
        ) from None


@payments.command("reverse")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why (bounced, wrong household...): kept with it.")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Default: the payment's.")
def reverse_command(entry_id: int, reason: str, on: datetime | None) -> None:
    """Cancel payment ENTRY_ID; the charges it paid are open again."""
    from condo_admin.accounting.payments import reverse_payment

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        reversal = reverse_payment(
            session, entry_id, reason=reason, actor=cli._actor(), on=on.date() if on else None
        )
        when = reversal.entry_date
        reversal_id = reversal.id
    click.echo(f"Payment #{entry_id} reversed by entry #{reversal_id} on {formatting.day(when)}.")


@payments.command("open")
@click.option("--account", "ref", required=True, help="RF reference or BOOK:ACCOUNT code.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
def open_command(ref: str, as_of: datetime | None) -> None:
    """The charges of one debtor not yet paid, oldest first, with their entry numbers."""
    from condo_admin.accounting.payments import find_debtor, open_charges
    from condo_admin.accounting.references import printable

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    day = as_of.date() if as_of else cli._today()
    with obj.session() as session:
        debtor = find_debtor(session, ref)
        charges = open_charges(session, debtor, day)
        click.echo(
            f"{debtor.household.name} — {debtor.account.code} — "
            f"{printable(debtor.rf_reference)} — as of {formatting.day(day)}"
        )
    if not charges:
        click.echo("Nothing open.")
        return
    for c in charges:
        click.echo(
            f"  #{c.entry_id:<8} {formatting.day(c.due_date):>10}  {c.memo:<50} "
            f"{formatting.money(c.open):>14} of {formatting.money(c.amount)}"
        )
    total = sum((c.open for c in charges), Decimal("0.00"))
    click.echo(f"  {len(charges)} charges open, {formatting.money(total)} in all.")


@payments.command("trail")
@click.argument("entry_id", type=int)
def trail_command(entry_id: int) -> None:
    """How ENTRY_ID (a charge or a payment) was settled: every allocation, who and when."""
    from condo_admin.accounting.payments import allocation_trail

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        lines = allocation_trail(session, entry_id)
    if not lines:
        click.echo(f"Entry #{entry_id} has no allocations (nothing settled it, or not a debtor's).")
        return
    for line in lines:
        click.echo(
            f"{formatting.day(line.effective_date):>10}  {line.kind:<12} "
            f"{formatting.money(line.amount):>14}  with #{line.other_entry_id} {line.other_memo} "
            f"(by entry #{line.caused_by_entry_id}, {line.created_by})"
        )


@click.group()
def report() -> None:
    """Reports on arrears: aging and the early-warning list."""


@report.command("aging")
@click.option("--as-of", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--by",
    type=click.Choice(["household", "unit", "building", "body", "book"]),
    default="household",
    show_default=True,
)
@click.option("--book", "book_codes", multiple=True, help="Only these books (repeatable).")
@output_options
def aging_command(
    as_of: datetime, by: str, book_codes: tuple[str, ...], fmt: str, output: Path | None
) -> None:
    """Open charges by days past due, with unused credit apart; totals match the ledger."""
    from condo_admin.accounting.aging import aging_report, as_table
    from ledger.models import Book

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        book_ids = None
        if book_codes:
            book_ids = [cli._book(session, code).id for code in book_codes]
        table = as_table(aging_report(session, as_of.date(), by=by, book_ids=book_ids))
        if book_codes:
            names = session.scalars(select(Book.code).where(Book.id.in_(book_ids)))
            table.title += f" (books {', '.join(names)})"
    write_report(table, fmt, output)


@report.command("early-warning")
@click.option("--as-of", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--grace-days",
    default=5,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Days after the due date before a charge counts as missed.",
)
@output_options
def early_warning_command(as_of: datetime, grace_days: int, fmt: str, output: Path | None) -> None:
    """Households to call, and why."""
    from condo_admin.accounting.early_warning import Settings, as_table
    from condo_admin.desk.warnings import desk_warnings

    cli = _cli()
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        warnings = desk_warnings(session, as_of.date(), Settings(grace_days=grace_days))
    write_report(as_table(warnings, as_of.date()), fmt, output)


@report.command("restitution")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--by",
    type=click.Choice(["agreement", "household", "building", "activity", "body"]),
    default="agreement",
    show_default=True,
)
@output_options
def restitution_command(
    start: datetime, end: datetime, by: str, fmt: str, output: Path | None
) -> None:
    """Community-service hours and euros credited for work done in a period."""
    from volunteering.figures import as_table, period_totals

    cli = _cli()
    if end < start:
        raise cli.Refused("--to is before --from")
    obj = click.get_current_context().find_object(cli.Context)
    with obj.session() as session:
        rows = period_totals(session, start.date(), end.date(), by=by)
    write_report(as_table(rows, start.date(), end.date(), by), fmt, output)


def register(main: click.Group) -> None:
    main.add_command(payments)
    main.add_command(report)


__all__ = ["register"]
