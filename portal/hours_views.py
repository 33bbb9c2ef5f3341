"""Community hours: the household's restitution agreements, its hours and what they earned; log
hours worked, contest a rejection (PRODUCT.md 4.5, issue 7 point 4).

Who may log hours: an agreement has no setting of its own for it, so the resident logs the hours
of any *active* agreement of their household that has started (the rule ``volunteering.hours.
submit`` enforces), and the agreement's supervisor verifies them. Everything goes through the
volunteering operations, one transaction per request, with the resident as the actor: the
operations keep the trail (``HourEvent``) of who logged or contested what, and when.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from condo_admin.extensions import request_session
from condo_admin.web.messages import translated
from ledger.errors import CondoError
from portal import community
from portal.blueprint import bp, household_id, menu_entry, resident, today
from volunteering import hours as hour_entries
from volunteering.models import Activity, Agreement, HourEntry, HourStatus, SubmitterRole

menu_entry(40, "hours", _l("Community hours"))

#: The activities of the catalogue (migration 0007) in the reader's language; an activity added
#: later is shown with the name it was given.
ACTIVITY_NAMES = {
    "PAINTING": _l("Painting common areas"),
    "GREEN": _l("Green-area care"),
    "MAIL": _l("Mail distribution"),
    "CONCIERGE": _l("Concierge hours"),
    "CUSTODY": _l("Social custody"),
    "MAINTENANCE": _l("Small maintenance"),
}


def activity_name(activity: Activity) -> str:
    return str(ACTIVITY_NAMES.get(activity.code, activity.name))


class LogHoursForm(FlaskForm):
    day = DateField(
        _l("Day you worked"), validators=[InputRequired(message=_l("Write the day you worked."))]
    )
    activity = SelectField(_l("Activity"))
    hours = StringField(
        _l("Hours"),
        validators=[
            InputRequired(message=_l("Write how many hours you worked.")),
            # A plain number: the operation checks the quarter hours and the daily maximum.
            Regexp(
                r"^\s*\d{1,3}([.,]\d{1,2})?\s*$",
                message=_l("Write the hours as a number, for example 2 or 1,5."),
            ),
        ],
        description=_l("In hours and quarters of an hour: for example 2, or 1,5, or 0,75."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    description = StringField(
        _l("What you did"),
        validators=[
            DataRequired(message=_l("Write in a few words what you did.")),
            Length(max=500, message=_l("Write at most 500 characters.")),
        ],
    )


class ContestForm(FlaskForm):
    reason = TextAreaField(
        _l("Why you think these hours should count"),
        validators=[
            DataRequired(message=_l("Write why you contest the decision.")),
            Length(max=500, message=_l("Write at most 500 characters.")),
        ],
        render_kw={"rows": 3},
    )


def hours_text(value: Decimal) -> str:
    """Hours as people write them: 2, 1,5, 0,75 (in the reader's language)."""
    return format_decimal(value, format="#,##0.##")


def hours_words(value: Decimal) -> str:
    """The number with its word (1 hour, 2,5 hours): singular for exactly one."""
    if value == 1:
        return _("%(hours)s hour", hours=hours_text(value))
    return _("%(hours)s hours", hours=hours_text(value))


def _log_form(agreement: Agreement, day: date | None = None) -> LogHoursForm:
    """The form of ``agreement``: filled in from the request when posted, else proposing ``day``."""
    prefix = f"a{agreement.id}"
    if day is None:
        form = LogHoursForm(prefix=prefix)
    else:
        form = LogHoursForm(prefix=prefix, formdata=None, data={"day": day})
    form.activity.choices = [(a.code, activity_name(a)) for a in agreement.activities]
    return form


def _contest_form(entry_id: int, *, posted: bool = False) -> ContestForm:
    if posted:
        return ContestForm(prefix=f"e{entry_id}")
    return ContestForm(prefix=f"e{entry_id}", formdata=None)


def _page(
    *,
    forms: dict[int, LogHoursForm] | None = None,
    contests: dict[int, ContestForm] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    found = community.household_agreements(request_session(), household_id(), today())
    forms = dict(forms or {})
    contests = dict(contests or {})
    for view in found:
        if view.can_submit and view.agreement.id not in forms:
            forms[view.agreement.id] = _log_form(view.agreement, view.default_day)
        for _status, lines in view.groups:
            for line in lines:
                if line.can_contest and line.id not in contests:
                    contests[line.id] = _contest_form(line.id)
    page = render_template(
        "portal/hours.html",
        agreements=found,
        forms=forms,
        contests=contests,
        problem=problem,
        hours_of=hours_text,
        hours_words=hours_words,
        activity_name=activity_name,
        today=today(),
    )
    return page, status


@bp.get("/hours")
@resident
def hours() -> tuple[str, int]:
    return _page()


def _own_agreement(agreement_id: int) -> Agreement:
    """An agreement of the resident's household, or 404 (another household's, or none)."""
    found = request_session().scalar(
        select(Agreement).where(
            Agreement.id == agreement_id, Agreement.household_id == household_id()
        )
    )
    if found is None:
        abort(404)
    return found


def _own_entry(entry_id: int) -> HourEntry:
    """An hour entry of the resident's household, or 404."""
    found = request_session().scalar(
        select(HourEntry)
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .where(HourEntry.id == entry_id, Agreement.household_id == household_id())
    )
    if found is None:
        abort(404)
    return found


#: Where a refusal of ``hours.submit`` belongs on the form, by words of its English problem.
_FIELD_OF_PROBLEM = (
    ("runs from", "day"),
    ("before they are worked", "day"),
    ("work date", "day"),
    ("is not allowed", "activity"),
    ("quarter hours", "hours"),
    ("daily maximum", "hours"),
    ("description", "description"),
)


def _field_of(form: LogHoursForm, exc: CondoError) -> Field | None:
    said = " ".join(str(exc.params.get(key, "")) for key in ("problem", "field"))
    for words, name in _FIELD_OF_PROBLEM:
        if words in said:
            return form[name]
    return None


@bp.post("/hours/<int:agreement_id>/log")
@resident
def log_hours(agreement_id: int) -> Response | tuple[str, int]:
    db = request_session()
    agreement = _own_agreement(agreement_id)
    form = _log_form(agreement)
    if form.validate_on_submit():
        activity = next(a for a in agreement.activities if a.code == form.activity.data)
        try:
            entry = hour_entries.submit(
                db,
                agreement,
                work_date=form.day.data,
                activity=activity,
                hours=(form.hours.data or "").strip(),
                description=form.description.data or "",
                role=SubmitterRole.RESIDENT,
                actor=current_user.actor,
                today=today(),
            )
        except CondoError as exc:
            db.rollback()
            field = _field_of(form, exc)
            if field is None:
                form.form_errors.append(translated(exc))
            else:
                field.errors = [*field.errors, translated(exc)]
        else:
            db.commit()
            flash(
                _(
                    "Thank you: your hours of %(day)s (%(hours)s) are logged. Your supervisor "
                    "will check them.",
                    hours=hours_words(entry.hours),
                    day=format_date(entry.work_date, "long"),
                ),
                "success",
            )
            return redirect(url_for("portal.hours", _anchor=f"entry-{entry.id}"))
    return _page(forms={agreement_id: form}, status=400)


@bp.post("/hours/entries/<int:entry_id>/contest")
@resident
def contest_hours(entry_id: int) -> Response | tuple[str, int]:
    db = request_session()
    entry = _own_entry(entry_id)
    form = _contest_form(entry.id, posted=True)
    if not form.validate_on_submit():
        return _page(contests={entry.id: form}, status=400)
    if entry.status is not HourStatus.REJECTED:
        return _page(problem=_("Only hours that were not accepted can be contested."), status=400)
    try:
        hour_entries.dispute(
            db, entry, reason=form.reason.data or "", actor=current_user.actor, today=today()
        )
    except CondoError as exc:
        db.rollback()
        if exc.params.get("field") == "reason":
            form.reason.errors = [*form.reason.errors, translated(exc)]
            return _page(contests={entry.id: form}, status=400)
        return _page(problem=translated(exc), status=400)
    db.commit()
    flash(
        _("Your request is sent: another person will look at these hours again and decide."),
        "success",
    )
    return redirect(url_for("portal.hours", _anchor=f"entry-{entry.id}"))
