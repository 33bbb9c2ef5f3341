"""Budgets and share tables on screen: what each unit pays and why.

A budget's lines are split over their share tables at approval (largest remainder, cents exact);
this page shows the lines, the installments, each unit's yearly part and a chart of the
categories. Drafts are approved here by an administrator; creating budgets and tables stays a
file upload on the command line (``condo budget create``, ``condo shares define``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from condo_admin.accounting.adjustments import close_year
from condo_admin.accounting.budgets import approve_budget
from condo_admin.accounting.models import (
    Budget,
    BudgetAllotment,
    BudgetLine,
    Share,
    ShareTable,
)
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry.models import Building, Unit
from condo_admin.tabular import NotANumber, parse_number
from condo_admin.web import charts
from condo_admin.web.access import DESK, roles
from ledger.errors import CondoError
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
        flash(exc.message, "danger")
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
                raw, example="1234.56 or 1234,56", places=2, positive=False
            )
        except NotANumber as exc:
            flash(
                _l("%(category)s: %(expected)s, not %(raw)r.", category=line.name,
                   expected=exc.expected, raw=raw),
                "danger",
            )  # fmt: skip
            return redirect(url_for("budgets.budget", budget_id=budget_id))
    try:
        result = close_year(db, found, actuals, on=on, actor=current_user.actor)
    except CondoError as exc:
        db.rollback()
        flash(exc.message, "danger")
    else:
        db.commit()
        flash(
            _l("Final accounts entered: %(entries)s adjustments, %(total)s in all.",
               entries=result.entries, total=format_currency(result.total, "EUR")),
            "success",
        )  # fmt: skip
    return redirect(url_for("budgets.budget", budget_id=budget_id))
