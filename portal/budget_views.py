"""The household budget: the resident writes what comes in and what must go out each month, sees
what is left, and what an installment would take of it.

The lines are those the desk records (:func:`condo_admin.desk.household_budgets.record_budget`):
one amount a month per income source and per essential expense category. Each save is a new
version from today, recorded with the resident as its author, in one transaction; a value
refused leaves everything as it was and is explained next to its field. The share an installment
takes of disposable income is judged against the same threshold the desk uses
(:func:`condo_admin.desk.plans.affordability`).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from condo_admin.desk import plans as plans_service
from condo_admin.desk.household_budgets import Line, budget_on, means, record_budget
from condo_admin.desk.household_budgets import Means as BudgetMeans
from condo_admin.desk.models import ExpenseCategory, IncomeSource, LineKind, PlanStatus
from condo_admin.extensions import request_session
from condo_admin.registry.models import Household
from condo_admin.web.budget_views import NotValid, add_error, typed_number
from condo_admin.web.messages import translated
from ledger.errors import CondoError
from portal import repayment
from portal.blueprint import bp, household_id, menu_entry, resident, today

menu_entry(50, "budget", _l("Household budget"))

#: The lines of the form, in the order a family thinks of them, with plain names.
INCOME: dict[IncomeSource, LazyString] = {
    IncomeSource.WAGES: _l("Wages or salary"),
    IncomeSource.PENSION: _l("Pensions"),
    IncomeSource.BENEFITS: _l("Benefits and allowances"),
    IncomeSource.SUPPORT: _l("Help from relatives, maintenance"),
    IncomeSource.OTHER: _l("Other income"),
}
EXPENSES: dict[ExpenseCategory, LazyString] = {
    ExpenseCategory.HOUSING: _l("Rent and service charges"),
    ExpenseCategory.UTILITIES: _l("Electricity, gas, water, phone"),
    ExpenseCategory.FOOD: _l("Food and household shopping"),
    ExpenseCategory.HEALTH: _l("Health and medicines"),
    ExpenseCategory.TRANSPORT: _l("Transport"),
    ExpenseCategory.EDUCATION: _l("School and children"),
    ExpenseCategory.DEBTS: _l("Other loans and installments"),
    ExpenseCategory.OTHER: _l("Other essential expenses"),
}
#: No household earns or spends this much a month: a bigger figure is a typing mistake.
MONTHLY_LIMIT = Decimal("100000")


def _name(kind: LineKind, category: str) -> str:
    return f"{kind.value}_{category}"


def _lines() -> list[tuple[LineKind, str, LazyString]]:
    return [(LineKind.INCOME, c.value, n) for c, n in INCOME.items()] + [
        (LineKind.EXPENSE, c.value, n) for c, n in EXPENSES.items()
    ]


class BudgetForm(FlaskForm):
    """One field a line, named ``<kind>_<category>`` (``income_wages``, ``expense_food``)."""


for _kind, _category, _label in _lines():
    setattr(
        BudgetForm,
        _name(_kind, _category),
        StringField(_label, validators=[Length(max=30)], render_kw={"inputmode": "decimal"}),
    )


def _example() -> str:
    return "850,50" if get_locale().language == "it" else "850.50"


def _typed(raw: str) -> Decimal:
    """An amount a month, as typed (``850,50``, ``1.200``...); :class:`NotValid` otherwise."""
    amount = typed_number(raw, places=2, positive=False, example=_example())
    if amount > MONTHLY_LIMIT:
        raise NotValid(_("That is too much for one month: check the amount."))
    return amount


def _filled(form: BudgetForm, budget: BudgetMeans | None) -> None:
    """The form shows the budget in force, in the reader's notation; empty lines stay empty."""
    if budget is None:
        return
    for (kind, category), amount in budget.by_category.items():
        field = getattr(form, _name(LineKind(kind), category), None)
        if field is not None and amount:
            field.data = format_decimal(amount, format="#,##0.00")


def _active_installment(household: int) -> Decimal | None:
    """The heaviest month of cash installments of the running plans, as the desk measures it."""
    db = request_session()
    active = [p for p in repayment.plans_for(db, household) if p.status is PlanStatus.ACTIVE]
    if not active:
        return None
    return sum(
        (plans_service.affordability(db, p, on=today()).monthly_installment for p in active),
        Decimal("0.00"),
    )


def _share(
    amount: Decimal | None, budget: BudgetMeans | None
) -> plans_service.Affordability | None:
    """What ``amount`` a month takes of disposable income, by the desk's rule and threshold."""
    if amount is None:
        return None
    threshold = plans_service.Settings().affordability_threshold
    if budget is None:
        return plans_service.Affordability(amount, None, None, threshold)
    left = budget.disposable
    share = (amount / left).quantize(Decimal("0.0001")) if left > 0 else None
    return plans_service.Affordability(amount, left, share, threshold)


def _page(form: BudgetForm, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    household = household_id()
    found = budget_on(request_session(), household, today())
    budget = means(found) if found is not None else None
    raw = (request.args.get("installment") or "").strip()
    typed_error: str | None = None
    amount: Decimal | None = None
    from_plan = False
    if raw:
        try:
            amount = typed_number(raw, places=2, positive=True, example=_example())
        except NotValid as exc:
            typed_error, status = exc.message, 400
    else:
        amount = _active_installment(household)
        from_plan = amount is not None
    return render_template(
        "portal/budget.html",
        form=form,
        income=[(getattr(form, _name(LineKind.INCOME, c.value))) for c in INCOME],
        expenses=[(getattr(form, _name(LineKind.EXPENSE, c.value))) for c in EXPENSES],
        budget=budget,
        recorded=found,
        installment=raw,
        installment_error=typed_error,
        share=_share(amount, budget) if typed_error is None else None,
        from_plan=from_plan,
        example=_example(),
        problem=problem,
        percent=format_percent,
    ), status


@bp.get("/budget")
@resident
def budget() -> tuple[str, int]:
    form = BudgetForm()
    found = budget_on(request_session(), household_id(), today())
    _filled(form, means(found) if found is not None else None)
    return _page(form)


@bp.post("/budget")
@resident
def save_budget() -> Response | tuple[str, int]:
    db = request_session()
    form = BudgetForm()
    lines: list[Line] = []
    problem: str | None = None
    fine = form.validate_on_submit()
    for kind, category, _label in _lines():
        field = getattr(form, _name(kind, category))
        raw = (field.data or "").strip()
        if not raw:
            continue
        try:
            lines.append(Line(kind, category, _typed(raw)))
        except NotValid as exc:
            add_error(field, exc.message)
            fine = False
    if fine and not lines:
        problem = _("Write at least one amount: what comes in or what goes out each month.")
        fine = False
    if fine:
        household = db.get(Household, household_id())
        try:
            record_budget(db, household, lines, valid_from=today(), actor=current_user.actor)
        except CondoError as exc:
            db.rollback()
            problem = translated(exc)
        else:
            db.commit()
            flash(_l("Your budget is saved."), "success")
            return redirect(url_for("portal.budget"))
    return _page(form, 400, problem)
