"""The advice desk's screens: the worklist of cases with their diary, and repayment plans.

Operators and administrators of the agency; every action is a form posting to an operation of
:mod:`condo_admin.desk`, one transaction each, refused with the operation's own message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from condo_admin import lookups
from condo_admin.desk import cases as cases_service
from condo_admin.desk import plans as plans_service
from condo_admin.desk import reminders as reminders_service
from condo_admin.desk.models import (
    Case,
    CaseStatus,
    ContactKind,
    Letter,
    Outcome,
    RepaymentPlan,
)
from condo_admin.extensions import request_session
from condo_admin.registry.models import Agency
from condo_admin.web import charts
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import LABELS, label
from condo_admin.web.messages import case_flag, diary_text, translated
from condo_admin.web.paging import page_of
from ledger.errors import CondoError

bp = Blueprint("desk", __name__, url_prefix="/desk")


def _today() -> date:
    return datetime.now(UTC).date()


def _agency() -> Agency:
    return current_user.agency


# --- forms ---------------------------------------------------------------------------------


class OpenCaseForm(FlaskForm):
    household = StringField(_l("Household code"), validators=[DataRequired(), Length(max=32)])
    note = StringField(_l("First note"), validators=[Optional(), Length(max=500)])


class NoteForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(k.value, LABELS[k.value])
            for k in ContactKind
            if k is not ContactKind.CHANGE
        ],
    )
    day = DateField(_l("Day"), validators=[DataRequired()], default=_today)
    text = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=2000)])


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, LABELS[s.value]) for s in cases_service.OPEN_STATUSES],
    )


class AssignForm(FlaskForm):
    operator = StringField(_l("Operator"), validators=[DataRequired(), Length(max=100)])


class NextForm(FlaskForm):
    what = StringField(_l("Next action"), validators=[DataRequired(), Length(max=300)])
    when = DateField(_l("By"), validators=[DataRequired()])


class HoldForm(FlaskForm):
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=300)])


class CloseForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"), choices=[SelectChoice(o.value, LABELS[o.value]) for o in Outcome]
    )
    note = StringField(_l("Note on the outcome"), validators=[DataRequired(), Length(max=500)])


class PlanForm(FlaskForm):
    household = StringField(_l("Household code"), validators=[DataRequired(), Length(max=32)])
    book = StringField(_l("Creditor book code"), validators=[DataRequired(), Length(max=64)])
    debt = DecimalField(_l("Debt"), places=2, validators=[DataRequired(), NumberRange(min=0.01)])
    as_of = DateField(_l("Debt stated on"), validators=[DataRequired()], default=_today)
    count = IntegerField(
        _l("Installments"), validators=[DataRequired(), NumberRange(min=1, max=120)], default=12
    )
    first = DateField(_l("First installment due"), validators=[DataRequired()])
    override_note = StringField(
        _l("Why the debt may exceed the arrears (only if it does)"),
        validators=[Optional(), Length(max=500)],
    )


# --- cases ---------------------------------------------------------------------------------


@bp.get("/cases")
@roles(*DESK)
def cases() -> str:
    db = request_session()
    show_all = request.args.get("all") == "1"
    mine = request.args.get("mine") == "1"
    found = cases_service.cases(
        db,
        _agency(),
        open_only=not show_all,
        assigned_to=current_user.username if mine else None,
    )
    return render_template(
        "desk/cases.html", cases=found, show_all=show_all, mine=mine, form=OpenCaseForm()
    )


@bp.post("/cases/open")
@roles(*DESK)
def open_case() -> Response:
    """A case opened by hand: a household came to the desk before any flag."""
    db = request_session()
    form = OpenCaseForm()
    if not form.validate_on_submit():
        flash(_l("Give the household's code."), "danger")
        return redirect(url_for("desk.cases"))
    try:
        household = lookups.household(db, _agency(), form.household.data or "")
        made = cases_service.open_case(
            db,
            household,
            on=_today(),
            actor=current_user.actor,
            assigned_to=current_user.username,
            note=form.note.data or None,
        )
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
        return redirect(url_for("desk.cases"))
    db.commit()
    return redirect(url_for("desk.case", case_id=made.id))


@bp.post("/cases/open-from-warnings")
@roles(*DESK)
def open_from_warnings() -> Response:
    db = request_session()
    done = cases_service.open_from_warnings(db, _agency(), _today(), actor=current_user.actor)
    db.commit()
    flash(
        _l(
            "%(opened)s cases opened; %(already)s flagged households already had one.",
            opened=len(done.opened),
            already=len(done.already_open),
        ),
        "success",
    )
    return redirect(url_for("desk.cases"))


def _case(case_id: int) -> Case:
    try:
        return cases_service.find_case(request_session(), _agency(), case_id)
    except CondoError:
        abort(404)


@bp.get("/cases/<int:case_id>")
@roles(*DESK)
def case(case_id: int) -> str:
    found = _case(case_id)
    return render_template(
        "desk/case.html",
        case=found,
        note_form=NoteForm(),
        status_form=StatusForm(status=found.status.value),
        assign_form=AssignForm(operator=found.assigned_to or current_user.username),
        next_form=NextForm(what=found.next_action, when=found.next_action_on),
        hold_form=HoldForm(),
        close_form=CloseForm(),
        plans=plans_service.plans_of(request_session(), found.household_id),
        case_flag=case_flag,
        diary_text=diary_text,
    )


def _case_action(case_id: int, form: FlaskForm, act) -> Response:  # type: ignore[no-untyped-def]
    db = request_session()
    found = _case(case_id)
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{getattr(form, field).label.text}: {'; '.join(errors)}", "danger")
        return redirect(url_for("desk.case", case_id=case_id))
    try:
        act(db, found, form)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(_l("Saved."), "success")
    return redirect(url_for("desk.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/note")
@roles(*DESK)
def case_note(case_id: int) -> Response:
    return _case_action(
        case_id,
        NoteForm(),
        lambda db, c, f: cases_service.add_entry(
            db, c, on=f.day.data, kind=f.kind.data, text=f.text.data, actor=current_user.actor
        ),
    )


@bp.post("/cases/<int:case_id>/status")
@roles(*DESK)
def case_status(case_id: int) -> Response:
    return _case_action(
        case_id,
        StatusForm(),
        lambda db, c, f: cases_service.set_status(
            db, c, CaseStatus(f.status.data), on=_today(), actor=current_user.actor
        ),
    )


@bp.post("/cases/<int:case_id>/assign")
@roles(*DESK)
def case_assign(case_id: int) -> Response:
    return _case_action(
        case_id,
        AssignForm(),
        lambda db, c, f: cases_service.assign(
            db, c, f.operator.data.strip(), on=_today(), actor=current_user.actor
        ),
    )


@bp.post("/cases/<int:case_id>/next")
@roles(*DESK)
def case_next(case_id: int) -> Response:
    return _case_action(
        case_id,
        NextForm(),
        lambda db, c, f: cases_service.plan_next_action(
            db, c, on=_today(), what=f.what.data, when=f.when.data, actor=current_user.actor
        ),
    )


@bp.post("/cases/<int:case_id>/hold")
@roles(*DESK)
def case_hold(case_id: int) -> Response:
    hold = request.form.get("hold") != "0"
    return _case_action(
        case_id,
        HoldForm(),
        lambda db, c, f: cases_service.hold_letters(
            db, c, hold, on=_today(), reason=f.reason.data, actor=current_user.actor
        ),
    )


@bp.post("/cases/<int:case_id>/close")
@roles(*DESK)
def case_close(case_id: int) -> Response:
    return _case_action(
        case_id,
        CloseForm(),
        lambda db, c, f: cases_service.close_case(
            db, c, on=_today(), outcome=f.outcome.data, note=f.note.data, actor=current_user.actor
        ),
    )


# --- plans ---------------------------------------------------------------------------------


def _agency_plans() -> list[RepaymentPlan]:
    return list(
        request_session().scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.agency_id == current_user.agency_id)
            .options(
                selectinload(RepaymentPlan.installments),
                selectinload(RepaymentPlan.household),
                selectinload(RepaymentPlan.book),
            )
            .order_by(RepaymentPlan.code)
        )
    )


@bp.get("/plans")
@roles(*DESK)
def plans() -> str:
    db = request_session()
    today = _today()
    found = _agency_plans()
    table = plans_service.as_table(db, found, today)
    return render_template("desk/plans.html", table=table, plans=found, form=PlanForm())


@bp.post("/plans")
@roles(*DESK)
def create_plan() -> str | Response | tuple[str, int]:
    db = request_session()
    form = PlanForm()
    if form.validate_on_submit():
        try:
            agency = _agency()
            household = lookups.household(db, agency, form.household.data or "")
            book = lookups.book(db, form.book.data or "")
            plan = plans_service.create_plan(
                db,
                agency,
                household=household,
                book=book,
                debt=form.debt.data,
                as_of=form.as_of.data,
                installments=plans_service.equal_installments(
                    form.debt.data, form.count.data, form.first.data
                ),
                override_note=form.override_note.data,
                actor=current_user.actor,
            )
        except CondoError as exc:
            db.rollback()
            form.debt.errors = [*form.debt.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Plan %(code)s drafted.", code=plan.code), "success")
            return redirect(url_for("desk.plan", code=plan.code))
    found = _agency_plans()
    table = plans_service.as_table(db, found, _today())
    return render_template("desk/plans.html", table=table, plans=found, form=form), 400


def _plan(code: str) -> RepaymentPlan:
    try:
        return plans_service.find_plan(request_session(), _agency(), code)
    except CondoError:
        abort(404)


@bp.get("/plans/<code>")
@roles(*DESK)
def plan(code: str) -> str:
    db = request_session()
    found = _plan(code)
    today = _today()
    judged = plans_service.judged_on(found, today)
    moves = plans_service.movements(db, found, judged)  # one read serves every day below
    standing = plans_service.standing(db, found, judged, moves)
    # The whole schedule: what is expected at the end of each grace period, and what had been
    # repaid by then (nothing drawn for the periods still to come).
    deadlines = [line.deadline for line in standing.lines]
    repaid = [
        plans_service.standing(db, found, day, moves).repaid if day <= judged else None
        for day in deadlines
    ]
    chart = charts.lines(
        str(_l("Expected and repaid, at the end of each grace period")),
        [format_date(day, "d MMM yy") for day in deadlines],
        {
            str(_l("expected")): [line.expected_to_date for line in standing.lines],
            str(_l("repaid")): repaid,
        },
    )
    return render_template(
        "desk/plan.html",
        plan=found,
        standing=standing,
        judged=judged,
        chart=chart,
        afford=plans_service.affordability(db, found, on=judged),
        events=plans_service.events_of(db, found),
    )


@bp.post("/plans/<code>/<action>")
@roles(*DESK)
def plan_action(code: str, action: str) -> Response:
    db = request_session()
    found = _plan(code)
    reason = (request.form.get("reason") or "").strip()
    try:
        if action == "activate":
            plans_service.activate_plan(db, found, on=_today(), actor=current_user.actor)
        elif action == "cancel":
            plans_service.cancel_plan(
                db, found, on=_today(), reason=reason, actor=current_user.actor
            )
        else:
            abort(404)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(_l("Plan %(code)s is %(status)s.", code=code, status=label(found.status)), "success")
    return redirect(url_for("desk.plan", code=code))


# --- reminder letters ----------------------------------------------------------------------


@bp.get("/letters")
@roles(*DESK)
def letters() -> str:
    db = request_session()
    log = reminders_service.log(db, _agency())
    return render_template("desk/letters.html", page=page_of(log, per_page=50), today=_today())


@bp.post("/letters/run")
@roles(*DESK)
def run_letters() -> Response:
    """Today's run: every letter due, logged; held-back ones are listed with their reason."""
    db = request_session()
    try:
        result = reminders_service.generate(db, _agency(), _today(), actor=current_user.actor)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
        return redirect(url_for("desk.letters"))
    db.commit()
    flash(
        _l(
            "%(written)s letters written, %(held)s held back.",
            written=len(result.letters),
            held=len(result.skipped),
        ),
        "success",
    )
    return redirect(url_for("desk.letters"))


@bp.get("/letters/<int:letter_id>.pdf")
@roles(*DESK)
def letter_pdf(letter_id: int) -> Response:
    db = request_session()
    found = db.get(Letter, letter_id)
    if found is None or found.run.agency_id != current_user.agency_id:
        abort(404)
    return Response(
        found.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{found.filename}"'},
    )
