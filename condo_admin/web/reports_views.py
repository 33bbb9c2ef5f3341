"""The reports on screen and as downloads: aging, early warning, restitution.

Each report is the same :class:`~condo_admin.exporting.Table` the ``condo report`` commands
print, shown as an HTML table with its chart, or downloaded as csv or a formatted xlsx workbook.
Staff see their agency's books and households only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from condo_admin.accounting import aging, overview
from condo_admin.accounting.early_warning import as_table as warnings_table
from condo_admin.desk.warnings import desk_warnings
from condo_admin.exporting import Table
from condo_admin.extensions import request_session
from condo_admin.registry.models import Household
from condo_admin.web import charts
from condo_admin.web.access import DESK, roles
from condo_admin.web.downloads import download
from condo_admin.web.labels import label
from condo_admin.web.messages import reason
from condo_admin.web.paging import page_number, page_of
from volunteering import figures

bp = Blueprint("reports", __name__, url_prefix="/reports")

PER_PAGE = 100  # rows of a report on one screen

#: The column names of the reports' tables (English in the domain), as people read them.
HEADERS = {
    "household": _l("household"),
    "unit": _l("unit"),
    "building": _l("building"),
    "body": _l("housing body"),
    "book": _l("book"),
    "agreement": _l("agreement"),
    "activity": _l("activity"),
    "name": _l("name"),
    "status": _l("status"),
    "accounts": _l("accounts"),
    "current": _l("not yet due"),
    "over 365": _l("over 365"),
    "credit": _l("credit"),
    "total": _l("total"),
    "overdue": _l("overdue"),
    "balance": _l("balance"),
    "rule": _l("rule"),
    "why": _l("why"),
    "entries": _l("entries"),
    "hours logged": _l("hours logged"),
    "rejected": _l("rejected"),
    "verified": _l("verified"),
    "creditable": _l("creditable"),
    "credited h": _l("credited h"),
    "credited €": _l("credited €"),
    "owed": _l("owed"),
    "standing": _l("standing"),
}


def header(name: str) -> str:
    return str(HEADERS.get(name, name))


def _worded(table: Table, *columns: str) -> None:
    """The codes in ``columns`` (a status, a rule) in the reader's words, on the page and in the
    downloads alike; each code is looked up once."""
    words: dict[object, str] = {}
    for name in columns:
        index = table.headers.index(name)
        for row in table.rows:
            code = row[index]
            if code not in words:
                words[code] = label(code)
            row[index] = words[code]


def _day(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


def _today() -> date:
    return datetime.now(UTC).date()


def _send(table: Table, name: str) -> Response | str:
    """The table as the format asked for: html (default), csv or xlsx."""
    fmt = request.args.get("format", "html")
    sent = download(table, fmt, name)
    if sent is not None:
        return sent
    if fmt != "html":
        abort(400)
    chart = (
        charts.bars(table.chart.title, table.chart.labels, table.chart.values)
        if table.chart and table.chart.values
        else None
    )
    return render_template(
        "reports/report.html",
        table=table,
        page=page_of(table.rows, per_page=PER_PAGE),
        chart=chart,
        args=request.args,
        header=header,
    )


@bp.get("/")
@roles(*DESK)
def index() -> str:
    return render_template("reports/index.html", today=_today())


@bp.get("/aging")
@roles(*DESK)
def aging_report() -> Response | str:
    db = request_session()
    as_of = _day("as_of", _today())
    by = request.args.get("by", "household")
    if by not in {g.value for g in aging.GroupBy}:
        abort(400)
    books = overview.agency_books(db, current_user.agency_id)
    report = aging.aging_report(db, as_of, by=by, book_ids=books)
    table = aging.as_table(report)  # in English, as the CLI prints it: worded here
    table.title = _("Arrears aging as of %(day)s, by %(by)s", day=format_date(as_of), by=header(by))
    _worded(table, "status")
    if table.footer:
        table.footer[0] = header(str(table.footer[0]))
    if table.chart:
        table.chart.title = _("Open charges by days past due")
        table.chart.labels = [header(name) for name in table.chart.labels]
    return _send(table, f"aging-{as_of.isoformat()}-{by}")


@bp.get("/early-warning")
@roles(*DESK)
def early_warning() -> Response | str:
    db = request_session()
    as_of = _day("as_of", _today())
    mine = set(
        db.scalars(select(Household.id).where(Household.agency_id == current_user.agency_id))
    )
    found = [w for w in desk_warnings(db, as_of) if w.household_id in mine]
    # One row per flag, in the order of the list: each says why in the reader's language, in
    # the csv and xlsx downloads and on the page, where only the rows shown are worded.
    flags = [flag for warning in found for flag in warning.flags]
    table = warnings_table(found, as_of, say=lambda flag: "")
    table.title = _(
        "Early warning as of %(day)s, households flagged: %(count)s",
        day=format_date(as_of),
        count=format_decimal(len(found)),
    )
    _worded(table, "status", "rule")
    shown = range(len(flags))
    if request.args.get("format", "html") == "html":
        number = min(page_number(), max(1, -(-len(flags) // PER_PAGE)))
        shown = range((number - 1) * PER_PAGE, min(len(flags), number * PER_PAGE))
    why = table.headers.index("why")
    for index in shown:
        table.rows[index][why] = reason(flags[index])
    return _send(table, f"early-warning-{as_of.isoformat()}")


@bp.get("/restitution")
@roles(*DESK)
def restitution() -> Response | str:
    db = request_session()
    end = _day("to", _today())
    start = _day("from", end.replace(month=1, day=1))
    by = request.args.get("by", "agreement")
    if by not in {g.value for g in figures.GroupBy}:
        abort(400)
    rows = figures.period_totals(db, start, end, by=by, agency_id=current_user.agency_id)
    return _send(figures.as_table(rows, start, end, by), f"restitution-{start}-{end}-{by}")
