"""The ``condo`` command: thin wrappers that parse, call an operation, print and commit once.

Any refusal (a domain error, an unreachable database, a bad option) prints one clear line on
stderr and exits with status 2; a traceback is shown only with ``CONDO_DEBUG=1``.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from condo_admin import __version__, formatting
from ledger.errors import CondoError, NotFound

EXIT_REFUSED = 2
DEMO_HOST = "127.0.0.1"
DEMO_PORT = 5000


class Refused(click.ClickException):
    """A refusal decided by the command itself (not by a domain operation)."""

    exit_code = EXIT_REFUSED


class CondoGroup(click.Group):
    """Turns every expected failure into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # the point: never a traceback
            if os.environ.get("CONDO_DEBUG"):
                raise
            click.echo(f"Error: {_describe(exc)}", err=True)
            ctx.exit(EXIT_REFUSED)


def _describe(exc: Exception) -> str:
    if isinstance(exc, CondoError):
        return exc.message
    if isinstance(exc, SQLAlchemyError):
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"database error: {detail} (is it reachable and migrated? try 'condo init-db')"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return f"unexpected {type(exc).__name__}: {exc} (set CONDO_DEBUG=1 for details)"


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _today() -> date:
    return datetime.now(UTC).date()


class Context:
    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            from condo_admin.app import create_app

            config = {"DATABASE_URL": self.database_url} if self.database_url else None
            self._app = create_app(config)
        return self._app

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One business operation: commit on success, roll back on any error."""
        session = self.app.extensions["condo"].sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


pass_context = click.make_pass_decorator(Context)
DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group(cls=CondoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="CONDO_DATABASE_URL",
    help="SQLAlchemy URL (default: a SQLite file in the instance folder).",
)
@click.version_option(__version__, prog_name="condo")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """condo-admin: social condominium administration."""
    ctx.obj = Context(database_url)


@main.command("init-db")
@pass_context
def init_db(obj: Context) -> None:
    """Create or upgrade the database schema to the latest version."""
    from condo_admin.migrate import current_revision, head_revision, upgrade

    engine = obj.app.extensions["condo"].engine
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Database {url} is up to date (revision {after}).")
    else:
        click.echo(
            f"Database {url} upgraded from {before or 'empty'} to {after} (head {head_revision()})."
        )


def _database_is_empty(session: Session) -> bool:
    from condo_admin.registry.models import Agency

    return session.scalar(select(func.count()).select_from(Agency)) == 0


def _seed(obj: Context, seed: int, today: date) -> None:
    from condo_admin.demo.seed import seed_demo

    with obj.session() as session:
        if not _database_is_empty(session):
            raise Refused("the database already holds data; seed-demo only fills an empty database")
        bar: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if bar.get("stage") != stage:
                if "bar" in bar:
                    bar["bar"].render_finish()
                bar["stage"] = stage
                bar["bar"] = click.progressbar(
                    length=max(total, 1), label=f"{stage:<28}", file=sys.stderr
                )
                bar["done"] = 0
            bar["bar"].update(done - bar["done"])
            bar["done"] = done

        summary = seed_demo(session, today=today, seed=seed, progress=progress)
        if "bar" in bar:
            bar["bar"].render_finish()
    click.echo("Demo data created:")
    for line in summary.lines():
        click.echo(f"  {line}")


@main.command("seed-demo")
@click.option("--seed", default=2024, show_default=True, help="Random seed (same seed, same data).")
@click.option("--today", type=DATE, help="Last day of the generated history (default: today).")
@pass_context
def seed_demo_command(obj: Context, seed: int, today: datetime | None) -> None:
    """Fill an empty database with two years of realistic demo data."""
    _seed(obj, seed, today.date() if today else _today())


def _serve(app: Flask, host: str, port: int, threads: int) -> None:
    from waitress import serve

    click.echo(f"condo-admin {__version__} serving on http://{host}:{port} (Ctrl+C to stop)")
    serve(app, host=host, port=port, threads=threads, ident="condo-admin")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@pass_context
def serve(obj: Context, host: str, port: int, threads: int) -> None:
    """Serve the web application with waitress (a production WSGI server)."""
    _serve(obj.app, host, port, threads)


@main.command()
@click.option("--host", default=DEMO_HOST, show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True, type=click.IntRange(1, 65535))
@pass_context
def demo(obj: Context, host: str, port: int) -> None:
    """Set up the database, add demo data if it is empty, and serve it."""
    from condo_admin.migrate import upgrade

    upgrade(obj.app.extensions["condo"].engine)
    with obj.session() as session:
        empty = _database_is_empty(session)
    if empty:
        _seed(obj, 2024, _today())
    else:
        click.echo("The database already holds data; serving it as it is.")
    from condo_admin.demo.users import DEMO_PASSWORD

    click.echo(
        f"Open http://{host}:{port}/ and log in as admin, operatore, supervisore, ente or "
        f"residente with the password {DEMO_PASSWORD} (the demo's logins)."
    )
    _serve(obj.app, host, port, threads=8)


@main.command("export-journal")
@click.option("--book", "book_code", help="Only this book (default: every book).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Journal file to write ('-' for standard output).",
)
@pass_context
def export_journal(obj: Context, book_code: str | None, output: Path) -> None:
    """Write the ledger as an hledger journal for independent checking."""
    from ledger.export import write_hledger

    with obj.session() as session:
        if str(output) == "-":
            write_hledger(session, sys.stdout, book_code)
            return
        tmp = output.with_name(output.name + ".part")
        with tmp.open("w", encoding="utf-8") as fh:
            lines = write_hledger(session, fh, book_code)
        tmp.replace(output)
    click.echo(
        f"Wrote {lines} lines to {output}. Check it with: hledger -f {output} balance", err=True
    )


@main.group()
def ledger() -> None:
    """Inspect and maintain the ledger: trial balance, statements, lock dates, reversals."""


def _book(session: Session, code: str):  # type: ignore[no-untyped-def]
    from ledger.models import Book

    book = session.scalar(select(Book).where(Book.code == code))
    if book is None:
        raise NotFound(what="Book", ref=code)
    return book


@ledger.command("books")
@pass_context
def list_books(obj: Context) -> None:
    """List the books with their lock dates."""
    from ledger.models import Book

    with obj.session() as session:
        books = session.scalars(select(Book).order_by(Book.code)).all()
        if not books:
            click.echo("No books yet.")
        for book in books:
            locked = formatting.day(book.lock_date) if book.lock_date else "-"
            click.echo(f"{book.code:<20} {book.name:<50} locked to {locked}")


@ledger.command("trial-balance")
@click.option("--book", "book_code", required=True)
@click.option("--as-of", type=DATE)
@pass_context
def trial_balance(obj: Context, book_code: str, as_of: datetime | None) -> None:
    """Debits and credits per account of one book."""
    from ledger.queries import trial_balance as compute

    with obj.session() as session:
        tb = compute(session, _book(session, book_code), as_of.date() if as_of else None)
    money = formatting.money
    click.echo(f"{'account':<40} {'debits':>16} {'credits':>16} {'balance':>16}")
    for row in tb.rows:
        amounts = (money(row.debits), money(row.credits), money(row.balance))
        click.echo(f"{row.code:<40} " + " ".join(f"{a:>16}" for a in amounts))
    click.echo(f"{'total':<40} {money(tb.total_debits):>16} {money(tb.total_credits):>16}")


@ledger.command("statement")
@click.argument("book_code")
@click.argument("account_code")
@click.option("--from", "start", type=DATE)
@click.option("--to", "end", type=DATE)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--after", help="Cursor printed at the end of the previous page.")
@pass_context
def statement(
    obj: Context,
    book_code: str,
    account_code: str,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    after: str | None,
) -> None:
    """One page of an account's statement with running balance."""
    from condo_admin.accounting.books import book_account
    from ledger.queries import statement as page_of

    with obj.session() as session:
        account = book_account(session, _book(session, book_code), account_code)
        page = page_of(
            session,
            account,
            start=start.date() if start else None,
            end=end.date() if end else None,
            after=after,
            limit=limit,
        )
    money, day = formatting.money, formatting.day
    click.echo(f"{account_code} — opening balance {money(page.opening_balance)}")
    for line in page.lines:
        click.echo(
            f"{day(line.entry_date):>10}  #{line.entry_id:<8} {line.memo[:40]:<40} "
            f"{money(line.amount):>14} {money(line.balance):>14}"
        )
    click.echo(f"closing balance {money(page.closing_balance)}")
    if page.next_cursor:
        click.echo(f"more: --after {page.next_cursor}")


@ledger.command("lock")
@click.option("--book", "book_code", required=True)
@click.option("--date", "until", required=True, type=DATE, help="Last locked day (inclusive).")
@pass_context
def lock(obj: Context, book_code: str, until: datetime) -> None:
    """Lock a book up to a date: nothing can be posted or reversed on or before it."""
    from ledger.posting import lock_book

    with obj.session() as session:
        book = lock_book(session, _book(session, book_code), until.date(), actor=_actor())
        click.echo(f"Book {book.code} is locked up to {formatting.day(book.lock_date)}.")


@ledger.command("reverse")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why the entry is reversed (kept with it).")
@click.option("--date", "on", type=DATE, help="Date of the reversal (default: the original's).")
@pass_context
def reverse_entry(obj: Context, entry_id: int, reason: str, on: datetime | None) -> None:
    """Cancel a posted entry with a linked reversing entry."""
    from ledger.models import JournalEntry
    from ledger.posting import reverse

    with obj.session() as session:
        entry = session.get(JournalEntry, entry_id)
        if entry is None:
            raise NotFound(what="Entry", ref=f"#{entry_id}")
        reversal = reverse(
            session, entry, reason=reason, actor=_actor(), on=on.date() if on else None
        )
        when = formatting.day(reversal.entry_date)
        click.echo(f"Entry #{entry_id} reversed by entry #{reversal.id} on {when}.")


@main.group()
def charges() -> None:
    """Charge runs: post the installments and rents due in a month."""


@charges.command("run")
@click.option("--period", required=True, help="Month to charge, as YYYY-MM.")
@click.option("--book", "book_code", help="Only this book (default: every creditor book).")
@pass_context
def run_charges_command(obj: Context, period: str, book_code: str | None) -> None:
    """Post what is due in PERIOD; running it again posts nothing."""
    from condo_admin.accounting.charges import Period, run_charges
    from condo_admin.accounting.errors import NothingToCharge
    from condo_admin.accounting.models import CreditorBook
    from ledger.models import Book

    month = Period.parse(period)
    with obj.session() as session:
        if book_code is not None:
            books = [_book(session, book_code)]
        else:
            books = list(
                session.scalars(
                    select(Book)
                    .join(CreditorBook, CreditorBook.book_id == Book.id)
                    .order_by(Book.code)
                )
            )
        results, skipped = [], []
        with click.progressbar(books, label=f"Charging {month}", file=sys.stderr) as bar:
            for book in bar:
                try:
                    results.append(run_charges(session, book, month, actor=_actor()))
                except NothingToCharge as exc:
                    if book_code is not None:
                        raise
                    skipped.append(exc.message)
    for r in results:
        state = "posted" if r.created else "already run, nothing posted"
        click.echo(
            f"{r.book:<20} {formatting.number(r.entries):>7} entries "
            f"{formatting.money(r.total):>16}  {state}"
        )
        for note in r.not_charged:
            click.echo(f"{'':<20} not charged: {note}")
    for message in skipped:
        click.echo(f"skipped: {message}")
    total = sum((r.total for r in results if r.created), start=Decimal(0))
    click.echo(f"{len(results)} books, {formatting.money(total)} charged in {month}.")


from condo_admin.accounting import commands as _accounting_commands  # noqa: E402

_accounting_commands.register(main)

from condo_admin.accounting import report_commands as _report_commands  # noqa: E402

_report_commands.register(main)

from volunteering import commands as _volunteering_commands  # noqa: E402

_volunteering_commands.register(main)

from condo_admin.desk import commands as _desk_commands  # noqa: E402

_desk_commands.register(main)

from condo_admin.auth import commands as _auth_commands  # noqa: E402

_auth_commands.register(main)
