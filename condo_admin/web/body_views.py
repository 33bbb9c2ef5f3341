"""The housing body's view: its units, who lives there, their arrears; read-only, downloadable."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from condo_admin.accounting import bodies
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.web import charts
from condo_admin.web.access import roles
from condo_admin.web.downloads import download
from condo_admin.web.paging import Page, page_number

bp = Blueprint("body", __name__, url_prefix="/body")


@bp.get("/")
@roles(Role.HOUSING_BODY)
def units() -> Response | str:
    db = request_session()
    body = current_user.housing_body
    try:
        as_of = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        as_of = datetime.now(UTC).date()
    fmt = request.args.get("format", "html")
    if fmt != "html":
        lines = bodies.body_units(db, body, as_of)
        sent = download(
            bodies.as_table(body, lines, as_of), fmt, f"units-{body.code}-{as_of.isoformat()}"
        )
        if sent is None:
            abort(400)
        return sent
    # On screen: the sums over every unit, and one page of units read as a page.
    arrears = bodies.arrears_by_unit(db, body, as_of)
    totals = bodies.body_totals(db, body, arrears)
    per_page = 100
    number = min(page_number(), max(1, -(-totals.units // per_page)))
    units = list(
        db.execute(bodies.units_query(body).limit(per_page).offset((number - 1) * per_page))
    )
    lines = bodies.unit_lines(db, as_of, [(u, code) for u, code in units], arrears)
    chart = (
        charts.bars(
            str(_l("Owed by unit")),
            [label for label, _ in totals.largest],
            [owed for _, owed in totals.largest],
        )
        if totals.largest
        else None
    )
    return render_template(
        "body/units.html",
        body=body,
        page=Page(lines, number, per_page, totals.units),
        totals=totals,
        chart=chart,
        as_of=as_of,
    )
