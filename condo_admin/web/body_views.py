"""The housing body's view: its units, who lives there, their arrears; read-only, downloadable."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from condo_admin.accounting import bodies
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.web import charts
from condo_admin.web.access import roles
from condo_admin.web.downloads import download
from condo_admin.web.paging import page_of

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
    lines = bodies.body_units(db, body, as_of)
    table = bodies.as_table(body, lines, as_of)
    fmt = request.args.get("format", "html")
    name = f"units-{body.code}-{as_of.isoformat()}"
    sent = download(table, fmt, name)
    if sent is not None:
        return sent
    if fmt != "html":
        abort(400)
    chart = (
        charts.bars(table.chart.title, table.chart.labels, table.chart.values)
        if table.chart
        else None
    )
    return render_template(
        "body/units.html",
        body=body,
        page=page_of(lines, per_page=100),
        table=table,
        chart=chart,
        as_of=as_of,
    )
