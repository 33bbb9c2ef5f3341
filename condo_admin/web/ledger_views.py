"""The ledger's safeguards on screen, for administrators: lock dates and reversals.

A lock date only moves forward and nothing can be posted or reversed on or before it; a posted
entry is never changed, only reversed by a new entry with a reason. Both go through
``ledger.posting`` and are also written to the audit log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from condo_admin.accounting.books import agency_books
from condo_admin.accounting.payments import allocation_trail
from condo_admin.audit.operations import record as audit
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.web.access import DESK, roles
from condo_admin.web.messages import translated
from ledger.errors import CondoError
from ledger.models import Book, JournalEntry, Posting
from ledger.posting import lock_book, reverse

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _today() -> date:
    return datetime.now(UTC).date()


def _books() -> list[Book]:
    return agency_books(request_session(), current_user.agency_id)


class LockForm(FlaskForm):
    book = SelectField(_l("Book"), validators=[DataRequired()])
    until = DateField(_l("Locked up to and including"), validators=[DataRequired()])


class ReverseForm(FlaskForm):
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=500)])
    on = DateField(_l("Date of the reversal (default: the entry's)"), validators=[Optional()])


@bp.route("/books", methods=["GET", "POST"])
@roles(Role.ADMIN)
def books() -> str | Response | tuple[str, int]:
    db = request_session()
    form = LockForm()
    mine = _books()
    form.book.choices = [SelectChoice(b.code, f"{b.code} — {b.name}") for b in mine]
    if form.validate_on_submit():
        book = next(b for b in mine if b.code == form.book.data)
        try:
            lock_book(db, book, form.until.data, actor=current_user.actor)
            audit(db, current_user.actor, "ledger.lock", book)
        except CondoError as exc:
            db.rollback()
            form.until.errors = [*form.until.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Book %(code)s locked up to %(day)s.", code=book.code, day=form.until.data),
                  "success")  # fmt: skip
            return redirect(url_for("ledger.books"))
    status = 400 if form.errors else 200
    return render_template("ledger/books.html", books=mine, form=form), status


def _entry(entry_id: int) -> JournalEntry:
    entry = request_session().scalar(
        select(JournalEntry)
        .where(JournalEntry.id == entry_id)
        .options(selectinload(JournalEntry.postings).selectinload(Posting.account))
    )
    if entry is None or entry.book_id not in {b.id for b in _books()}:
        abort(404)
    return entry


@bp.get("/entries/<int:entry_id>")
@roles(*DESK)
def entry(entry_id: int) -> str:
    found = _entry(entry_id)
    reversed_by = request_session().scalar(
        select(JournalEntry).where(JournalEntry.reverses_id == found.id)
    )
    return render_template(
        "ledger/entry.html",
        entry=found,
        reversed_by=reversed_by,
        form=ReverseForm(),
        trail=allocation_trail(request_session(), found.id),
    )


@bp.post("/entries/<int:entry_id>/reverse")
@roles(Role.ADMIN)
def reverse_entry(entry_id: int) -> Response | tuple[str, int]:
    db = request_session()
    found = _entry(entry_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            made = reverse(
                db, found, reason=form.reason.data or "", actor=current_user.actor, on=form.on.data
            )
            audit(db, current_user.actor, "ledger.reverse", made)
        except CondoError as exc:
            db.rollback()
            form.reason.errors = [*form.reason.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Entry %(id)s reversed by entry %(new)s.", id=found.id, new=made.id),
                  "success")  # fmt: skip
            return redirect(url_for("ledger.entry", entry_id=found.id))
    return render_template(
        "ledger/entry.html",
        entry=found,
        reversed_by=None,
        form=form,
        trail=allocation_trail(db, found.id),
    ), 400
