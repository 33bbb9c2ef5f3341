"""Money on screen: the monthly charge run, one-off charges, payments with their allocation,
debtor statements.

A charge run, a one-off charge and a payment are each one transaction through the accounting
operations; a repeat of a charge run or of a one-off charge posts nothing and says so. A one-off
charge takes the options of ``condo charges one-off``: split by a share table, or given unit by
unit (typed in, or the file the command takes). Statements page by keyset, like the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from condo_admin.accounting import payments as payments_service
from condo_admin.accounting.adjustments import charge_one_off
from condo_admin.accounting.books import agency_books
from condo_admin.accounting.charges import Period, run_charges
from condo_admin.accounting.errors import UnknownDebtor
from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount, ShareTable
from condo_admin.accounting.spreadsheets import one_off_key, read_one_off_units
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry.errors import InvalidField
from condo_admin.registry.models import Building, Unit
from condo_admin.web.access import DESK, roles
from condo_admin.web.budget_views import (
    AMOUNT_EXAMPLE,
    NotValid,
    add_error,
    building_of_mine,
    from_upload,
    has_file,
    service_book,
    share_tables_of,
    table_choices,
    typed_grid,
    typed_number,
    units_of,
    upload_field,
)
from condo_admin.web.messages import translated
from ledger.errors import CondoError, IdempotencyConflict
from ledger.models import Book
from ledger.queries import statement as ledger_statement

bp = Blueprint("money", __name__)


def _today() -> date:
    return datetime.now(UTC).date()


def _books() -> list[Book]:
    return agency_books(request_session(), current_user.agency_id)


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
    books = _books()
    form.book.choices = [SelectChoice(b.code, f"{b.code} — {b.name}") for b in books]
    result = None
    if form.validate_on_submit():
        book = next(b for b in books if b.code == form.book.data)
        try:
            result = run_charges(db, book, Period.parse(form.period.data), actor=current_user.actor)
        except CondoError as exc:
            db.rollback()
            form.period.errors = [*form.period.errors, translated(exc)]
        else:
            db.commit()
    status = 400 if form.errors else 200
    buildings = db.scalars(
        select(Building)
        .join(CreditorBook, CreditorBook.building_id == Building.id)
        .where(
            Building.agency_id == current_user.agency_id,
            CreditorBook.purpose == BookPurpose.SERVICE_CHARGES,
        )
        .distinct()
        .order_by(Building.code)
    ).all()
    return render_template(
        "money/charges.html", form=form, result=result, buildings=buildings
    ), status


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
            form.reference.errors = [*form.reference.errors, translated(exc)]
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


# --- one-off charges (extraordinary works) ----------------------------------------------------


class OneOffForm(FlaskForm):
    # InputRequired, not DataRequired: a date typed wrong is told so, not called missing.
    due = DateField(_l("Due date"), validators=[InputRequired()], default=_today)
    memo = StringField(
        _l("What is charged"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Shown on each household's statement, e.g. Rifacimento tetto."),
    )
    category = StringField(
        _l("Expense category"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("A code such as WORKS: the income account the charge is booked to."),
    )
    split = RadioField(
        _l("Split"),
        choices=[
            SelectChoice("table", _l("by a share table: give the total")),
            SelectChoice("units", _l("unit by unit: give each unit's amount, or upload a file")),
        ],
        default="table",
    )
    table = SelectField(_l("Share table"), validate_choice=False)
    amount = StringField(_l("Total to split"), validators=[Optional(), Length(max=30)])
    file = upload_field(_l("Or upload a file (.csv or .xlsx, columns unit and amount)"))
    key = StringField(
        _l("Name of the charge (optional)"),
        validators=[Optional(), Length(max=120)],
        description=_l(
            "E.g. the works order. A name charges once: sending it again posts nothing. "
            "Left empty, it is made of the category, the date and the description."
        ),
    )


@dataclass(frozen=True)
class _Split:
    """How a one-off charge is split: a total by a share table, or each unit's amount."""

    table: ShareTable | None = None
    amount: Decimal | None = None
    units: dict[Unit, Decimal] | None = None


def _one_off_parts(
    building: Building, form: OneOffForm, tables: dict[str, ShareTable], units: list[Unit]
) -> tuple[dict[int, str], dict[int, str], _Split | None]:
    """What the unit grid holds, its cells refused, and the split to charge; ``None`` when
    anything was refused (with the message next to its field)."""
    typed, values, cell_problems = typed_grid(
        units, "amount", places=2, positive=True, example=AMOUNT_EXAMPLE
    )
    if not form.validate_on_submit():
        return typed, cell_problems, None
    if form.split.data == "table":
        refused = False
        table = tables.get(form.table.data or "")
        if table is None:
            add_error(form.table, _("Choose the share table that splits the charge."))
            refused = True
        total: Decimal | None = None
        try:
            total = typed_number(
                (form.amount.data or "").strip(), places=2, positive=True, example=AMOUNT_EXAMPLE
            )
        except NotValid as exc:
            add_error(form.amount, exc.message)
            refused = True
        if any(typed.values()) or has_file(form.file):
            add_error(
                form.split,
                _("Splitting by a table takes only the total: leave the units and the file empty."),
            )
            refused = True
        if refused:
            return typed, cell_problems, None
        return typed, cell_problems, _Split(table=table, amount=total)
    sent, parts = from_upload(
        form.file,
        typed,
        lambda path, name: read_one_off_units(request_session(), building, path, name=name),
        _("Fill in the units or upload a file, not both."),
    )
    if sent:
        return typed, cell_problems, None if parts is None else _Split(units=parts)
    if cell_problems:
        return typed, cell_problems, None
    if not values:
        add_error(form.split, _("Give the amount of at least one unit, or upload a file."))
        return typed, cell_problems, None
    return typed, cell_problems, _Split(units=values)


@bp.route("/charges/one-off/<int:building_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def one_off(building_id: int) -> Response | tuple[str, int]:
    """An extraordinary charge of a building, as ``condo charges one-off`` posts it: each unit's
    part to the household living there on the due date, vacant units listed as not charged."""
    db = request_session()
    building = building_of_mine(building_id)
    units = units_of(building)
    tables = share_tables_of(building)
    form = OneOffForm()
    form.table.choices = table_choices(tables)
    book = service_book(building)
    problems: list[str] = []
    typed: dict[int, str] = {u.id: "" for u in units}
    cell_problems: dict[int, str] = {}
    if book is None:
        problems.append(_("This building has no service-charge book: open one first."))
    elif request.method == "POST":
        typed, cell_problems, split = _one_off_parts(building, form, tables, units)
        if split is not None:
            day, memo = form.due.data, (form.memo.data or "").strip()
            category = (form.category.data or "").strip()
            key = (form.key.data or "").strip() or one_off_key(category, day, memo)
            try:
                result = charge_one_off(
                    db,
                    book,
                    category=category,
                    name=memo,
                    due=day,
                    key=key,
                    actor=current_user.actor,
                    amount=split.amount,
                    table=split.table,
                    units=split.units,
                )
            except IdempotencyConflict:
                db.rollback()
                add_error(
                    form.key,
                    _(
                        "A charge named %(key)s was already posted with other units or amounts, "
                        "and a charge is never posted twice: reverse its entries to correct it, "
                        "or give the new charge another name.",
                        key=key,
                    ),
                )
            except CondoError as exc:
                db.rollback()
                field = exc.params.get("field", "") if isinstance(exc, InvalidField) else ""
                if "category" in field:
                    add_error(form.category, translated(exc))
                else:
                    problems.append(translated(exc))
            else:
                db.commit()
                if result.created:
                    message = _l(
                        "One-off charge %(memo)s: %(entries)s entries, %(total)s charged.",
                        memo=memo,
                        entries=result.entries,
                        total=format_currency(result.total, "EUR"),
                    )
                    flash(message, "success")
                else:
                    flash(_l("This charge had already been posted: nothing new."), "info")
                for note in result.not_charged:
                    flash(_l("Not charged: %(note)s", note=note), "warning")
                return redirect(url_for("budgets.building_accounts", building_id=building.id))
    refused = request.method == "POST"
    return render_template(
        "money/one_off.html",
        building=building,
        form=form,
        units=units,
        typed=typed,
        cell_problems=cell_problems,
        problems=problems,
    ), (400 if refused else 200)
