"""Budgets and share tables on screen: what each unit pays and why.

A budget's lines are split over their share tables at approval (largest remainder, cents exact);
this page shows the lines, the installments, each unit's yearly part and a chart of the
categories. Drafts are approved here by an administrator.

An administrator also defines and revises share tables (a grid with one input per unit, or the
file ``condo shares define`` takes) and drafts budgets (a few lines typed in, or the file ``condo
budget create`` takes) here. The files are read by :mod:`condo_admin.accounting.spreadsheets`,
like the command line's; every check runs before the operation writes, and any refusal rolls the
request's transaction back and shows the message next to the field (status 400).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from condo_admin.accounting.adjustments import close_year
from condo_admin.accounting.budgets import (
    MAX_INSTALLMENTS,
    LineSpec,
    approve_budget,
    create_budget,
)
from condo_admin.accounting.errors import DuplicateShareTable
from condo_admin.accounting.models import (
    BookPurpose,
    Budget,
    BudgetAllotment,
    BudgetLine,
    CreditorBook,
    Share,
    ShareTable,
    ShareTableKind,
)
from condo_admin.accounting.shares import define_share_table, revise_shares
from condo_admin.accounting.spreadsheets import (
    MAX_UPLOAD_BYTES,
    read_budget_lines,
    read_shares,
    saved_upload,
)
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry import validate as v
from condo_admin.registry.errors import InvalidField
from condo_admin.registry.models import Building, Unit
from condo_admin.tabular import SUFFIXES, NotANumber, TableError, parse_decimal, parse_number
from condo_admin.web import charts
from condo_admin.web.access import DESK, roles
from condo_admin.web.messages import phrase, translated
from ledger.errors import CondoError
from ledger.models import Book
from ledger.money import from_cents

bp = Blueprint("budgets", __name__, url_prefix="/accounting")


def _mine(building_id: int) -> bool:
    building = request_session().get(Building, building_id)
    return building is not None and building.agency_id == current_user.agency_id


@bp.get("/budgets")
@roles(*DESK)
def budgets() -> str:
    db = request_session()
    found = list(
        db.scalars(
            select(Budget)
            .join(Building, Building.id == Budget.building_id)
            .where(Building.agency_id == current_user.agency_id)
            .options(selectinload(Budget.building), selectinload(Budget.installments))
            .order_by(Budget.year.desc(), Building.code)
        )
    )
    totals = dict(
        db.execute(
            select(BudgetLine.budget_id, func.sum(BudgetLine.amount_cents))
            .where(BudgetLine.budget_id.in_([b.id for b in found] or [0]))
            .group_by(BudgetLine.budget_id)
        ).all()
    )
    return render_template("budgets/list.html", budgets=found, totals=totals)


def _budget(budget_id: int) -> Budget:
    found = request_session().scalar(
        select(Budget)
        .where(Budget.id == budget_id)
        .options(
            selectinload(Budget.lines).selectinload(BudgetLine.share_table),
            selectinload(Budget.installments),
            selectinload(Budget.building),
        )
    )
    if found is None or not _mine(found.building_id):
        abort(404)
    return found


@bp.get("/budgets/<int:budget_id>")
@roles(*DESK)
def budget(budget_id: int) -> str:
    db = request_session()
    found = _budget(budget_id)
    parts: dict[int, int] = defaultdict(int)
    for unit_id, cents in db.execute(
        select(BudgetAllotment.unit_id, func.sum(BudgetAllotment.amount_cents))
        .join(BudgetLine, BudgetLine.id == BudgetAllotment.line_id)
        .where(BudgetLine.budget_id == found.id)
        .group_by(BudgetAllotment.unit_id)
    ):
        parts[unit_id] = int(cents)
    units = {
        u.id: u.code for u in db.scalars(select(Unit).where(Unit.building_id == found.building_id))
    }
    by_unit = sorted(((units.get(uid, "?"), from_cents(c)) for uid, c in parts.items()))
    chart = charts.bars(
        str(_l("Budget by category")),
        [line.name for line in found.lines],
        [from_cents(line.amount_cents) for line in found.lines],
    )
    total = from_cents(sum(line.amount_cents for line in found.lines))
    return render_template(
        "budgets/budget.html", budget=found, by_unit=by_unit, chart=chart, total=total
    )


@bp.post("/budgets/<int:budget_id>/approve")
@roles(Role.ADMIN)
def approve(budget_id: int) -> Response:
    db = request_session()
    found = _budget(budget_id)
    try:
        approve_budget(db, found, actor=current_user.actor)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(_l("Budget approved and split over the units."), "success")
    return redirect(url_for("budgets.budget", budget_id=budget_id))


@bp.get("/share-tables/<int:table_id>")
@roles(*DESK)
def share_table(table_id: int) -> str:
    db = request_session()
    table = db.scalar(
        select(ShareTable)
        .where(ShareTable.id == table_id)
        .options(selectinload(ShareTable.shares).selectinload(Share.unit))
    )
    if table is None or not _mine(table.building_id):
        abort(404)
    total = sum((share.thousandths for share in table.shares), start=0)
    return render_template("budgets/share_table.html", table=table, total=total)


@bp.post("/budgets/<int:budget_id>/close")
@roles(Role.ADMIN)
def close(budget_id: int) -> Response:
    """The final accounts (*consuntivo*): each line's actual total; every unit's adjustment is
    posted on the day given (charged or credited)."""
    db = request_session()
    found = _budget(budget_id)
    try:
        on = date.fromisoformat(request.form.get("on", ""))
    except ValueError:
        flash(_l("Give the day of the adjustment."), "danger")
        return redirect(url_for("budgets.budget", budget_id=budget_id))
    actuals: dict[str, Decimal] = {}
    for line in found.lines:
        raw = (request.form.get(f"actual-{line.category}") or "").strip()
        try:
            actuals[line.category] = parse_number(
                raw, example=_("1234.56 or 1234,56"), places=2, positive=False
            )
        except NotANumber as exc:
            flash(
                _l("%(category)s: %(expected)s, not %(raw)r.", category=line.name,
                   expected=phrase(exc.expected), raw=raw),
                "danger",
            )  # fmt: skip
            return redirect(url_for("budgets.budget", budget_id=budget_id))
    try:
        result = close_year(db, found, actuals, on=on, actor=current_user.actor)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(
            _l("Final accounts entered: %(entries)s adjustments, %(total)s in all.",
               entries=result.entries, total=format_currency(result.total, "EUR")),
            "success",
        )  # fmt: skip
    return redirect(url_for("budgets.budget", budget_id=budget_id))


# --- shared by the forms of this module and of the money screens -----------------------------

T = TypeVar("T")
SHARE_EXAMPLE = "12,345"
AMOUNT_EXAMPLE = "1.234,56"
UPLOAD_KINDS = [suffix.lstrip(".") for suffix in SUFFIXES]

#: A lone group of three digits after one separator, which money refuses as ambiguous.
_THOUSANDS = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")

KIND_LABELS = {
    ShareTableKind.GENERAL: _l("general (property)"),
    ShareTableKind.STAIRCASE: _l("staircase"),
    ShareTableKind.HEATING: _l("heating"),
    ShareTableKind.LIFT: _l("lift"),
    ShareTableKind.OTHER: _l("other"),
}


class NotValid(ValueError):
    """A value typed in a form, refused with the message shown next to its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def building_of_mine(building_id: int) -> Building:
    """The building, if it is of the user's agency; otherwise 404, as if it did not exist."""
    building = request_session().get(Building, building_id)
    if building is None or building.agency_id != current_user.agency_id:
        abort(404)
    return building


def share_tables_of(building: Building) -> dict[str, ShareTable]:
    """The building's share tables by code, in code order."""
    found = request_session().scalars(
        select(ShareTable).where(ShareTable.building_id == building.id).order_by(ShareTable.code)
    )
    return {table.code: table for table in found}


def table_choices(tables: dict[str, ShareTable]) -> list[SelectChoice]:
    """A select of share tables, with an empty first choice."""
    return [SelectChoice("", "—")] + [
        SelectChoice(code, f"{code} — {table.name}") for code, table in tables.items()
    ]


def units_of(building: Building) -> list[Unit]:
    return list(
        request_session().scalars(
            select(Unit).where(Unit.building_id == building.id).order_by(Unit.code)
        )
    )


def service_book(building: Building) -> Book | None:
    return request_session().scalar(
        select(Book)
        .join(CreditorBook, CreditorBook.book_id == Book.id)
        .where(
            CreditorBook.building_id == building.id,
            CreditorBook.purpose == BookPurpose.SERVICE_CHARGES,
        )
    )


def typed_number(raw: str, *, places: int, positive: bool, example: str) -> Decimal:
    """A number typed in a form (``1234,56``, ``1.234,56``, ``12.345``...) as an exact Decimal,
    read by the same rules as the files' cells; otherwise :class:`NotValid` says what is wrong."""
    number = parse_decimal(raw)
    if number is None:
        raise NotValid(_("Write a number such as %(example)s.", example=example))
    if number < 0 or (positive and number == 0):
        raise NotValid(_("Must be above zero.") if positive else _("Must not be negative."))
    try:
        return parse_number(raw, example=example, places=places, positive=positive)
    except NotANumber:
        if places < 3 and _THOUSANDS.fullmatch(raw.strip().strip("€").strip().lstrip("+")):
            # 13.000 or 13,000: thirteen thousand to an Italian, thirteen to others.
            raise NotValid(
                _("Ambiguous: write thousands as 13000 or 13.000,00, decimals with a comma.")
            ) from None
        raise NotValid(_("At most %(places)s decimals.", places=places)) from None


def typed_grid(
    units: Sequence[Unit], prefix: str, *, places: int, positive: bool, example: str
) -> tuple[dict[int, str], dict[Unit, Decimal], dict[int, str]]:
    """One input per unit (``<prefix>-<unit id>``): what was typed, the numbers of the cells
    filled in, and the problem of each cell refused. An empty cell leaves its unit out."""
    typed = {u.id: (request.form.get(f"{prefix}-{u.id}") or "").strip() for u in units}
    values: dict[Unit, Decimal] = {}
    problems: dict[int, str] = {}
    for unit in units:
        if typed[unit.id]:
            try:
                values[unit] = typed_number(
                    typed[unit.id], places=places, positive=positive, example=example
                )
            except NotValid as exc:
                problems[unit.id] = exc.message
    return typed, values, problems


def upload_field(label: str) -> FileField:
    return FileField(
        label, validators=[FileAllowed(UPLOAD_KINDS, _l("Upload a .csv or .xlsx file."))]
    )


def has_file(field: FileField) -> bool:
    return isinstance(field.data, FileStorage) and bool(field.data)


def read_upload(field: FileField, reader: Callable[[Path, str], T]) -> T:
    """The uploaded file of ``field`` read by ``reader(path, name)``; refused (a
    :class:`~condo_admin.tabular.TableError` naming the file) when too large, of another kind,
    or not readable. Only up to one byte past the limit is read from the request."""
    storage: FileStorage = field.data
    content = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    with saved_upload(content, storage.filename) as (path, name):
        return reader(path, name)


def add_error(field: object, message: str) -> None:
    errors = getattr(field, "errors", ())
    field.errors = [*errors, message]  # type: ignore[attr-defined]


def from_upload(
    field: FileField, typed: dict[Any, str], reader: Callable[[Path, str], T], both: str
) -> tuple[bool, T | None]:
    """A form that takes a grid typed on screen or the same data as a file: whether a file was
    sent, and what it held (None when refused: the message is on ``field``). Both at once are
    refused with ``both``, since either could be what the user meant."""
    if not has_file(field):
        return False, None
    if any(typed.values()):
        add_error(field, both)
        return True, None
    try:
        return True, read_upload(field, reader)
    except TableError as exc:
        add_error(field, translated(exc))
        return True, None


# --- a building's share tables and budgets ---------------------------------------------------


@bp.get("/buildings/<int:building_id>")
@roles(*DESK)
def building_accounts(building_id: int) -> str:
    """A building's share tables and budgets, with the administrator's ways to add them."""
    db = request_session()
    building = building_of_mine(building_id)
    tables = list(share_tables_of(building).values())
    totals = {
        table_id: (count, total)
        for table_id, count, total in db.execute(
            select(Share.table_id, func.count(), func.sum(Share.thousandths))
            .where(Share.table_id.in_([t.id for t in tables] or [0]))
            .group_by(Share.table_id)
        )
    }
    budgets_found = list(
        db.scalars(
            select(Budget).where(Budget.building_id == building.id).order_by(Budget.year.desc())
        )
    )
    budget_totals = dict(
        db.execute(
            select(BudgetLine.budget_id, func.sum(BudgetLine.amount_cents))
            .where(BudgetLine.budget_id.in_([b.id for b in budgets_found] or [0]))
            .group_by(BudgetLine.budget_id)
        ).all()
    )
    return render_template(
        "budgets/building.html",
        building=building,
        tables=tables,
        totals=totals,
        budgets=budgets_found,
        budget_totals=budget_totals,
        kinds=KIND_LABELS,
        has_book=service_book(building) is not None,
    )


# --- share tables ----------------------------------------------------------------------------


def _kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, KIND_LABELS[kind]) for kind in ShareTableKind]


class ShareTableForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("Letters and digits, e.g. GEN or SCALA-A."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("What it splits"), choices=_kind_choices)
    file = upload_field(_l("Or upload a file (.csv or .xlsx, columns unit and thousandths)"))


class ReviseSharesForm(FlaskForm):
    file = upload_field(_l("Or upload a file (.csv or .xlsx, columns unit and thousandths)"))


def _plain(value: Decimal) -> str:
    """A share as typed back into the grid: no grouping, so 1000 never reads as 1.000."""
    return f"{value.normalize():f}"


def _shares_given(
    building: Building,
    units: Sequence[Unit],
    form: ShareTableForm | ReviseSharesForm,
    problems: list[str],
) -> tuple[dict[int, str], dict[int, str], dict[Unit, Decimal] | None]:
    """What the grid holds, its cells refused, and the shares to save: the grid's or the uploaded
    file's (not both); ``None`` when anything of the form was refused."""
    typed, values, cell_problems = typed_grid(
        units, "share", places=4, positive=False, example=SHARE_EXAMPLE
    )
    if not form.validate_on_submit():
        return typed, cell_problems, None
    sent, shares = from_upload(
        form.file,
        typed,
        lambda path, name: read_shares(request_session(), building, path, name=name),
        _("Fill in the grid or upload a file, not both."),
    )
    if sent:
        return typed, cell_problems, shares
    if cell_problems:
        return typed, cell_problems, None
    if not values:
        problems.append(_("Give each unit's thousandths, or upload a file."))
        return typed, cell_problems, None
    return typed, cell_problems, values


def _share_table_page(
    building: Building,
    units: Sequence[Unit],
    form: ShareTableForm | ReviseSharesForm,
    typed: dict[int, str],
    cell_problems: dict[int, str],
    problems: list[str],
    table: ShareTable | None = None,
) -> tuple[str, int]:
    total = Decimal(0)
    for text in typed.values():
        number = parse_decimal(text) if text else None
        if number is not None:
            total += number
    status = 400 if (form.errors or cell_problems or problems) else 200
    return (
        render_template(
            "budgets/share_table_form.html",
            building=building,
            units=units,
            form=form,
            typed=typed,
            cell_problems=cell_problems,
            problems=problems,
            table=table,
            total=total,
        ),
        status,
    )


@bp.route("/buildings/<int:building_id>/share-tables/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_share_table(building_id: int) -> Response | tuple[str, int]:
    """Define a share table: one input per unit, or the file ``condo shares define`` takes."""
    db = request_session()
    building = building_of_mine(building_id)
    units = units_of(building)
    form = ShareTableForm()
    typed: dict[int, str] = {u.id: "" for u in units}
    cell_problems: dict[int, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        typed, cell_problems, shares = _shares_given(building, units, form, problems)
        if shares is not None:
            try:
                table = define_share_table(
                    db,
                    building,
                    form.code.data or "",
                    form.name.data or "",
                    form.kind.data or "",
                    shares,
                    actor=current_user.actor,
                )
            except CondoError as exc:
                db.rollback()
                field = exc.params.get("field", "") if isinstance(exc, InvalidField) else ""
                if isinstance(exc, DuplicateShareTable) or "code" in field:
                    add_error(form.code, translated(exc))
                elif "name" in field:
                    add_error(form.name, translated(exc))
                else:
                    problems.append(translated(exc))
            else:
                db.commit()
                flash(_l("Share table %(code)s defined.", code=table.code), "success")
                return redirect(url_for("budgets.share_table", table_id=table.id))
    return _share_table_page(building, units, form, typed, cell_problems, problems)


@bp.route("/share-tables/<int:table_id>/revise", methods=["GET", "POST"])
@roles(Role.ADMIN)
def revise_share_table(table_id: int) -> Response | tuple[str, int]:
    """Replace every share of a table; approved budgets keep the split they were approved with."""
    db = request_session()
    table = db.scalar(
        select(ShareTable).where(ShareTable.id == table_id).options(selectinload(ShareTable.shares))
    )
    if table is None:
        abort(404)
    building = building_of_mine(table.building_id)
    units = units_of(building)
    form = ReviseSharesForm()
    current = {share.unit_id: share.thousandths for share in table.shares}
    typed = {u.id: _plain(current[u.id]) if u.id in current else "" for u in units}
    cell_problems: dict[int, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        typed, cell_problems, shares = _shares_given(building, units, form, problems)
        if shares is not None:
            try:
                revise_shares(db, table, shares, actor=current_user.actor)
            except CondoError as exc:
                db.rollback()
                problems.append(translated(exc))
            else:
                db.commit()
                message = _l(
                    "Share table %(code)s revised. Approved budgets keep their split.",
                    code=table.code,
                )
                flash(message, "success")
                return redirect(url_for("budgets.share_table", table_id=table.id))
    return _share_table_page(building, units, form, typed, cell_problems, problems, table)


# --- drafting a budget -----------------------------------------------------------------------

LINE_ROWS = 8


class LineForm(Form):
    """One expense category typed in (a row of the budget's lines; an empty row is skipped)."""

    category = StringField(_l("Category"), validators=[Optional(), Length(max=32)])
    name = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    amount = StringField(_l("Yearly amount"), validators=[Optional(), Length(max=30)])
    table = SelectField(_l("Share table"), validate_choice=False)

    def used(self) -> bool:
        return any(
            (f.data or "").strip() for f in (self.category, self.name, self.amount, self.table)
        )


def _this_year() -> int:
    return datetime.now(UTC).year


class BudgetForm(FlaskForm):
    year = IntegerField(
        _l("Financial year"),
        validators=[DataRequired(), NumberRange(min=2000, max=2100)],
        default=_this_year,
    )
    due = FieldList(
        DateField(_l("Due date"), validators=[Optional()]),
        min_entries=MAX_INSTALLMENTS,
        max_entries=MAX_INSTALLMENTS,
    )
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=LINE_ROWS)
    file = upload_field(
        _l("Or upload a file (.csv or .xlsx, columns category, name, amount, table)")
    )


def _lines_typed(form: BudgetForm, tables: dict[str, ShareTable]) -> tuple[list[LineSpec], bool]:
    """The budget lines of the rows filled in, and whether every row was fine."""
    specs: list[LineSpec] = []
    fine = True
    for entry in form.lines:
        line: LineForm = entry.form
        if not line.used():
            continue
        category = (line.category.data or "").strip().upper()
        try:
            v.code(category, "expense category")
        except InvalidField:
            add_error(line.category, _("Letters, digits, '.', '_' or '-', such as CLEANING."))
            fine = False
        if not (line.name.data or "").strip():
            add_error(line.name, _("Describe the expense."))
            fine = False
        amount = None
        try:
            amount = typed_number(
                (line.amount.data or "").strip(), places=2, positive=True, example=AMOUNT_EXAMPLE
            )
        except NotValid as exc:
            add_error(line.amount, exc.message)
            fine = False
        table = tables.get(line.table.data or "")
        if table is None:
            add_error(line.table, _("Choose the share table that splits it."))
            fine = False
        if fine and amount is not None:
            specs.append(LineSpec(category, (line.name.data or "").strip(), amount, table))
    return specs, fine


def _due_dates(form: BudgetForm) -> list[date] | None:
    """The due dates filled in, in order; ``None`` (with the message on the field) otherwise."""
    dates = [entry.data for entry in form.due if entry.data is not None]
    if not dates:
        add_error(form.due, _("Give the due date of at least one installment."))
        return None
    if any(later <= earlier for earlier, later in pairwise(dates)):
        add_error(form.due, _("The due dates must be in order, each after the one before."))
        return None
    return dates


@bp.route("/buildings/<int:building_id>/budgets/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_budget(building_id: int) -> Response | tuple[str, int]:
    """Draft a building's budget for a year: its lines (typed in, or the file ``condo budget
    create`` takes) and the installments' due dates. Approval stays a button of the budget."""
    db = request_session()
    building = building_of_mine(building_id)
    tables = share_tables_of(building)
    form = BudgetForm()
    choices = table_choices(tables)
    for entry in form.lines:
        entry.form.table.choices = choices
    book = service_book(building)
    problems: list[str] = []
    if book is None:
        problems.append(_("This building has no service-charge book: open one first."))
    elif request.method == "POST":
        checked = _budget_given(building, form, tables, problems)
        if checked is not None:
            year, specs, dates = checked
            try:
                created = create_budget(
                    db,
                    building,
                    year,
                    book=book,
                    lines=specs,
                    due_dates=dates,
                    actor=current_user.actor,
                )
            except CondoError as exc:
                db.rollback()
                problems.append(translated(exc))
            else:
                db.commit()
                message = _l("Budget %(year)s drafted: check it, then approve it.", year=year)
                flash(message, "success")
                return redirect(url_for("budgets.budget", budget_id=created.id))
    refused = request.method == "POST"  # a request that got this far wrote nothing
    return (
        render_template(
            "budgets/budget_form.html",
            building=building,
            form=form,
            problems=problems,
            has_tables=bool(tables),
        ),
        400 if refused else 200,
    )


def _budget_given(
    building: Building, form: BudgetForm, tables: dict[str, ShareTable], problems: list[str]
) -> tuple[int, list[LineSpec], list[date]] | None:
    """The year, lines and due dates of the form, every field checked (each problem next to its
    field); ``None`` when anything was refused."""
    db = request_session()
    valid = form.validate_on_submit()
    specs, fine = _lines_typed(form, tables)
    dates = _due_dates(form)
    typed_lines = any(entry.form.used() for entry in form.lines)
    if has_file(form.file) and typed_lines:
        add_error(form.file, _("Fill in the lines or upload a file, not both."))
        fine = False
    elif has_file(form.file) and not form.file.errors:
        try:
            specs = read_upload(
                form.file, lambda path, name: read_budget_lines(db, building, path, name=name)
            )
        except TableError as exc:
            add_error(form.file, translated(exc))
            fine = False
    elif not typed_lines and not form.file.errors:
        problems.append(_("Give at least one line, or upload a file."))
        fine = False
    year = form.year.data
    if year is not None and db.scalar(
        select(Budget.id).where(Budget.building_id == building.id, Budget.year == year)
    ):
        add_error(form.year, _("This building already has a budget for %(year)s.", year=year))
        fine = False
    if not (valid and fine) or year is None or dates is None or form.file.errors:
        return None
    return year, specs, dates
