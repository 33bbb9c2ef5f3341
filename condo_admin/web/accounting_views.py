"""Money on screen: the monthly charge run, payments with their allocation, debtor statements.

A charge run and a payment are each one transaction through the accounting operations; a repeat
of a charge run posts nothing and says so. Statements page by keyset, like the ledger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from condo_admin.accounting import payments as payments_service
from condo_admin.accounting.charges import Period, run_charges
from condo_admin.accounting.errors import UnknownDebtor
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.web.access import DESK, roles
from ledger.errors import CondoError
from ledger.models import Book
from ledger.queries import statement as ledger_statement

bp = Blueprint("money", __name__)


def _today() -> date:
    return datetime.now(UTC).date()


def _books() -> list[Book]:
    return list(
        request_session().scalars(
            select(Book)
            .join(CreditorBook, CreditorBook.book_id == Book.id)
            .where(CreditorBook.agency_id == current_user.agency_id)
            .order_by(Book.code)
        )
    )


class ChargeForm(FlaskForm):
    book = SelectField(_l("Book"), validators=[DataRequired()])
    period = StringField(
        _l("Month (YYYY-MM)"),
        validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("Write it as 2026-03."))],
    )


class PaymentForm(FlaskForm):
    reference = StringField(
        _l("RF reference or BOOK:ACCOUNT"), validators=[DataRequired(), Length(max=120)]
    )
    amount = DecimalField(
        _l("Amount"), places=2, validators=[DataRequired(), NumberRange(min=0.01)]
    )
    day = DateField(_l("Date"), validators=[DataRequired()], default=_today)
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


@bp.route("/charges", methods=["GET", "POST"])
@roles(Role.ADMIN)
def charges() -> str | tuple[str, int]:
    db = request_session()
    form = ChargeForm()
    form.book.choices = [(b.code, f"{b.code} — {b.name}") for b in _books()]
    result = None
    if form.validate_on_submit():
        book = next(b for b in _books() if b.code == form.book.data)
        try:
            result = run_charges(db, book, Period.parse(form.period.data), actor=current_user.actor)
        except CondoError as exc:
            db.rollback()
            form.period.errors = [*form.period.errors, exc.message]
        else:
            db.commit()
    status = 400 if form.errors else 200
    return render_template("money/charges.html", form=form, result=result), status


@bp.route("/payments", methods=["GET", "POST"])
@roles(*DESK)
def payments() -> str | tuple[str, int]:
    db = request_session()
    form = PaymentForm()
    result = None
    if form.validate_on_submit():
        try:
            debtor = payments_service.find_debtor(db, form.reference.data or "")
            if debtor.book_id not in {b.id for b in _books()}:
                raise UnknownDebtor(ref=form.reference.data)
            result = payments_service.record_payment(
                db,
                debtor,
                form.amount.data,
                form.day.data,
                actor=current_user.actor,
                method="cash",
                memo=form.memo.data or None,
            )
        except CondoError as exc:
            db.rollback()
            form.reference.errors = [*form.reference.errors, exc.message]
        else:
            db.commit()
            flash(_l("Payment recorded."), "success")
    status = 400 if form.errors else 200
    return render_template("money/payments.html", form=form, result=result), status


@bp.get("/statements/<int:debtor_id>")
@roles(*DESK)
def statement(debtor_id: int) -> str:
    db = request_session()
    debtor = db.get(DebtorAccount, debtor_id)
    if debtor is None or debtor.book_id not in {b.id for b in _books()}:
        abort(404)
    after = request.args.get("after") or None
    try:
        page = ledger_statement(db, debtor.account_id, after=after, limit=50)
    except CondoError:
        abort(400)
    return render_template("money/statement.html", debtor=debtor, page=page)
