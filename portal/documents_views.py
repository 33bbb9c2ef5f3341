"""The household's documents: the letters the desk wrote to it, and its statements as PDF.

Letters are the reminder letters of the advice desk (``condo_admin.desk.reminders``), each kept
with the PDF as it was sent; the resident opens exactly that file. A letter addressed to another
household answers 404, like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Response, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from condo_admin.accounting.models import DebtorAccount
from condo_admin.desk.models import Letter, Stage
from condo_admin.extensions import request_session
from condo_admin.web.labels import label
from portal import statement as read
from portal.blueprint import bp, household_id, menu_entry, resident, today

menu_entry(60, "documents", _l("Documents"))


@dataclass(frozen=True)
class Listed:
    """A letter as the list shows it (its PDF stays in the database until it is opened)."""

    id: int
    as_of: date
    stage: Stage
    amount_cents: int
    creditor: str
    unit: str | None  # said when the household has several units with the creditor


def _addressed(
    by_book: dict[int, read.Creditor], book_id: int, account_id: int
) -> tuple[str, str | None]:
    creditor = by_book.get(book_id)
    if creditor is None:
        return "", None
    if not creditor.several_units or account_id not in creditor.units:
        return creditor.name, None
    kind, code = creditor.units[account_id]
    return creditor.name, f"{label(kind)} {code}"


@bp.get("/documents")
@resident
def documents() -> str:
    db = request_session()
    household = household_id()
    creditors = read.creditors(db, household)
    by_book = {c.book_id: c for c in creditors}
    letters = [
        Listed(letter_id, as_of, stage, amount_cents, *_addressed(by_book, book_id, account_id))
        for letter_id, as_of, stage, amount_cents, book_id, account_id in db.execute(
            select(
                Letter.id,
                Letter.as_of,
                Letter.stage,
                Letter.amount_cents,
                DebtorAccount.book_id,
                DebtorAccount.account_id,
            )
            .join(DebtorAccount, DebtorAccount.id == Letter.debtor_account_id)
            .where(Letter.household_id == household)
            .order_by(Letter.as_of.desc(), Letter.id.desc())
        )
    ]
    end = today()
    period = {"from": read.year_before(end).isoformat(), "to": end.isoformat()}
    statements = [
        (
            c,
            url_for("portal.statement_pdf", book_id=c.book_id, **period),
            url_for("portal.statement_xlsx", book_id=c.book_id, **period),
        )
        for c in creditors
    ]
    return render_template(
        "portal/documents.html",
        letters=letters,
        statements=statements,
        start=read.year_before(end),
        end=end,
    )


@bp.get("/documents/letters/<int:letter_id>.pdf")
@resident
def letter_pdf(letter_id: int) -> Response:
    found = (
        request_session()
        .execute(
            select(Letter.pdf, Letter.filename).where(
                Letter.id == letter_id, Letter.household_id == household_id()
            )
        )
        .first()
    )
    if found is None or not found.pdf:
        abort(404)
    return Response(
        found.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{found.filename}"'},
    )
