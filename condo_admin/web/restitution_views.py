"""The supervisors' verification queue: hours submitted under the agreements they supervise,
and disputes another reviewer decided. Nothing financial is shown: the task, the day, the hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import label
from ledger.errors import CondoError
from volunteering import hours
from volunteering.figures import agreement_figures
from volunteering.models import Agreement, HourEntry, HourStatus

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
        flash(exc.message, "danger")
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
    return render_template("restitution/agreements.html", agreements=found)


@bp.get("/agreements/<code>")
@roles(*DESK)
def agreement(code: str) -> str:
    db = request_session()
    found = db.scalar(
        select(Agreement).where(
            Agreement.agency_id == current_user.agency_id, Agreement.code == code
        )
    )
    if found is None:
        abort(404)
    figures = agreement_figures(db, found, datetime.now(UTC).date())
    return render_template("restitution/agreement.html", agreement=found, figures=figures)
