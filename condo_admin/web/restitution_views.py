"""The supervisors' verification queue: hours submitted under the agreements they supervise,
and disputes another reviewer decided. Nothing financial is shown: the task, the day, the hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import (
    DateField,
    DecimalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional

from condo_admin import lookups
from condo_admin.accounting.payments import find_debtor
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry.models import Person
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import label
from condo_admin.web.messages import translated
from ledger.errors import CondoError
from volunteering import agreements as agreements_service
from volunteering import catalogue, crediting, hours
from volunteering.agreements import Caps
from volunteering.figures import agreement_figures
from volunteering.models import Activity, Agreement, HourEntry, HourStatus

bp = Blueprint("restitution", __name__, url_prefix="/restitution")


def _queue_query():  # type: ignore[no-untyped-def]
    person_id = current_user.person_id
    return (
        select(HourEntry)
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .where(
            Agreement.agency_id == current_user.agency_id,
            or_(
                (HourEntry.status == HourStatus.SUBMITTED) & (Agreement.supervisor_id == person_id),
                (HourEntry.status == HourStatus.DISPUTED)
                & or_(HourEntry.decided_by_id.is_(None), HourEntry.decided_by_id != person_id),
            ),
        )
        .options(
            selectinload(HourEntry.agreement).selectinload(Agreement.household),
            selectinload(HourEntry.activity),
        )
        .order_by(HourEntry.work_date, HourEntry.id)
    )


@bp.get("/queue")
@roles(Role.SUPERVISOR)
def queue() -> str:
    entries = list(request_session().scalars(_queue_query()))
    return render_template("restitution/queue.html", entries=entries)


def _entry(entry_id: int) -> HourEntry:
    """An entry in this supervisor's queue, or 404 (another agency's, or not theirs to decide)."""
    found = request_session().scalar(_queue_query().where(HourEntry.id == entry_id))
    if found is None:
        abort(404)
    return found


def _decide(entry_id: int, action: str) -> Response:
    db = request_session()
    entry = _entry(entry_id)
    reviewer = current_user.person
    text = (request.form.get("reason") or "").strip()
    try:
        if action == "verify" and entry.status is HourStatus.SUBMITTED:
            hours.verify(db, entry, reviewer=reviewer, actor=current_user.actor, note=text or None)
        elif action == "reject" and entry.status is HourStatus.SUBMITTED:
            hours.reject(db, entry, reviewer=reviewer, reason=text, actor=current_user.actor)
        elif action in ("accept", "refuse") and entry.status is HourStatus.DISPUTED:
            hours.resolve(
                db,
                entry,
                reviewer=reviewer,
                accept=action == "accept",
                reason=text,
                actor=current_user.actor,
            )
        else:
            abort(400)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(_l("Entry #%(id)s: %(status)s.", id=entry.id, status=label(entry.status)), "success")
    return redirect(url_for("restitution.queue"))


@bp.post("/entries/<int:entry_id>/<action>")
@roles(Role.SUPERVISOR)
def decide(entry_id: int, action: str) -> Response:
    if action not in ("verify", "reject", "accept", "refuse"):
        abort(404)
    return _decide(entry_id, action)


# --- agreements, for the desk ----------------------------------------------------------------


class AgreementForm(FlaskForm):
    code = StringField(_l("Agreement code"), validators=[DataRequired(), Length(max=32)])
    household = StringField(_l("Household code"), validators=[DataRequired(), Length(max=32)])
    debt = StringField(
        _l("Debt it repays (RF reference or BOOK:ACCOUNT)"),
        validators=[DataRequired(), Length(max=120)],
    )
    supervisor = StringField(
        _l("Supervisor's tax code"), validators=[DataRequired(), Length(max=16)]
    )
    activities = SelectMultipleField(_l("Activities"), validators=[DataRequired()])
    start = DateField(_l("From"), validators=[DataRequired()])
    end = DateField(_l("To"), validators=[DataRequired()])
    insurance = StringField(_l("Insurance policy"), validators=[DataRequired(), Length(max=100)])
    cap_euros = DecimalField(_l("Cap in euros"), places=2, validators=[Optional()])


class HoursForm(FlaskForm):
    day = DateField(_l("Day of the work"), validators=[DataRequired()])
    activity = SelectField(_l("Activity"))
    hours = DecimalField(_l("Hours"), places=2, validators=[DataRequired()])
    description = StringField(_l("What was done"), validators=[DataRequired(), Length(max=500)])


def _activity_choices() -> list[SelectChoice]:
    return [
        SelectChoice(a.code, a.name)
        for a in request_session().scalars(
            select(Activity).where(Activity.active.is_(True)).order_by(Activity.code)
        )
    ]


@bp.get("/agreements")
@roles(*DESK)
def agreements() -> str:
    found = list(
        request_session().scalars(
            select(Agreement)
            .where(Agreement.agency_id == current_user.agency_id)
            .options(selectinload(Agreement.household), selectinload(Agreement.supervisor))
            .order_by(Agreement.start_date.desc(), Agreement.code)
        )
    )
    form = AgreementForm()
    form.activities.choices = _activity_choices()
    return render_template("restitution/agreements.html", agreements=found, form=form)


@bp.post("/agreements")
@roles(*DESK)
def create_agreement() -> Response | tuple[str, int]:
    """A draft agreement; it is activated from its page once signed."""
    db = request_session()
    form = AgreementForm()
    form.activities.choices = _activity_choices()
    if form.validate_on_submit():
        agency = current_user.agency
        try:
            household = lookups.household(db, agency, form.household.data or "")
            debtor = find_debtor(db, form.debt.data or "")
            supervisor = db.scalar(
                select(Person).where(
                    Person.agency_id == agency.id,
                    Person.tax_code == (form.supervisor.data or "").strip().upper(),
                )
            )
            if supervisor is None:
                raise LookupError(
                    str(_l("No person with tax code %(code)s.", code=form.supervisor.data))
                )
            made = agreements_service.create_agreement(
                db,
                agency,
                form.code.data or "",
                household=household,
                debtor=debtor,
                supervisor=supervisor,
                activities=[catalogue.activity(db, code) for code in form.activities.data or []],
                start=form.start.data,
                end=form.end.data,
                insurance_ref=form.insurance.data or "",
                caps=Caps(euros=form.cap_euros.data) if form.cap_euros.data else None,
                signed_on=form.start.data,
                actor=current_user.actor,
            )
        except (CondoError, LookupError) as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            return redirect(url_for("restitution.agreement", code=made.code))
    found = list(db.scalars(select(Agreement).where(Agreement.agency_id == current_user.agency_id)))
    return render_template("restitution/agreements.html", agreements=found, form=form), 400


@bp.get("/agreements/<code>")
@roles(*DESK)
def agreement(code: str) -> str:
    db = request_session()
    found = _agreement_of_agency(code)
    figures = agreement_figures(db, found, datetime.now(UTC).date())
    form = HoursForm()
    form.activity.choices = [SelectChoice(a.code, a.name) for a in found.activities]
    return render_template(
        "restitution/agreement.html", agreement=found, figures=figures, form=form
    )


def _agreement_of_agency(code: str) -> Agreement:
    found = request_session().scalar(
        select(Agreement).where(
            Agreement.agency_id == current_user.agency_id, Agreement.code == code
        )
    )
    if found is None:
        abort(404)
    return found


@bp.post("/agreements/<code>/<action>")
@roles(*DESK)
def agreement_action(code: str, action: str) -> Response:
    """Activate once signed, log hours worked (as the desk), or credit what is verified."""
    db = request_session()
    found = _agreement_of_agency(code)
    today = datetime.now(UTC).date()
    try:
        if action == "activate":
            agreements_service.activate(db, found, actor=current_user.actor)
            message = _l("Agreement %(code)s is active.", code=code)
        elif action == "hours":
            form = HoursForm()
            form.activity.choices = [SelectChoice(a.code, a.name) for a in found.activities]
            if not form.validate_on_submit():
                abort(400)
            entry = hours.submit(
                db,
                found,
                work_date=form.day.data,
                activity=catalogue.activity(db, form.activity.data),
                hours=form.hours.data,
                description=form.description.data or "",
                role="operator",
                actor=current_user.actor,
                today=today,
            )
            message = _l("Hours logged as entry #%(id)s.", id=entry.id)
        elif action == "credit":
            result = crediting.credit(db, found, on=today, actor=current_user.actor)
            message = _l("%(amount)s credited.", amount=format_currency(result.total, "EUR"))
        else:
            abort(404)
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(message, "success")
    return redirect(url_for("restitution.agreement", code=code))
