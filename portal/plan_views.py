"""The household's repayment plans: how each is going in one sentence, its installments in plain
words, expected against repaid so far and what is left, and a chart drawn on the server."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from condo_admin.desk.models import DeskContact, RepaymentPlan
from condo_admin.extensions import request_session
from condo_admin.web import charts
from portal import repayment
from portal.blueprint import bp, household_id, menu_entry, resident, today

menu_entry(30, "plan", _l("Repayment plan"))


def _chart(story: repayment.Story) -> Markup:
    return charts.lines(
        _("What you should have repaid and what you have repaid"),
        [format_date(day, "d MMM yy") for day, _expected, _repaid in story.points],
        {
            _("should have been repaid"): [expected for _day, expected, _repaid in story.points],
            _("repaid"): [repaid for _day, _expected, repaid in story.points],
        },
    )


def _contact() -> DeskContact | None:
    return request_session().get(DeskContact, current_user.household.agency_id)


@bp.get("/plan")
@resident
def plan() -> str:
    """The plans running now in full, and the past ones listed."""
    db = request_session()
    found = repayment.stories(db, repayment.plans_for(db, household_id()), today())
    current = [s for s in found if s.current]
    return render_template(
        "portal/plan.html",
        current=current,
        past=[s for s in found if not s.current],
        charts={s.plan.id: _chart(s) for s in current},
        contact=_contact(),
    )


@bp.get("/plan/<int:plan_id>")
@resident
def plan_detail(plan_id: int) -> str:
    """One plan of the household, a past one too; another household's plan does not exist."""
    db = request_session()
    found = db.get(RepaymentPlan, plan_id)
    if found is None or found.household_id != household_id():
        abort(404)
    (story,) = repayment.stories(db, [found], today())
    return render_template(
        "portal/plan_detail.html",
        story=story,
        charts={found.id: _chart(story)},
        contact=_contact(),
    )
