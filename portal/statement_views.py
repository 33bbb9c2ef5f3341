"""The household's statement per creditor: lines, running balance, a period, PDF and xlsx.

One statement per creditor (book), merging the household's debtor accounts there
(:mod:`portal.statement`). The period defaults to the last twelve months and opens with the
balance before it; long periods page by keyset (``after``, as the desk's statements do). The PDF
and the workbook hold the whole period, in the page's language. A book the household has no
account in answers 404, like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Response, abort, render_template, request, url_for
from flask_babel import format_currency, format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from condo_admin.exporting import Table
from condo_admin.extensions import request_session
from condo_admin.web.downloads import download
from ledger.errors import InvalidCursor
from portal import statement as read
from portal import statement_pdf as layout
from portal.blueprint import bp, household_id, menu_entry, resident, today
from portal.wording import describe

menu_entry(20, "statement", _l("Statement"))


@dataclass(frozen=True)
class Chosen:
    start: date
    end: date
    problems: list[str]

    @property
    def args(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _chosen_period() -> Chosen:
    """The period of ``?from=&to=`` (ISO dates, as a date field sends them), or the last year."""
    end_default = today()
    problems: list[str] = []
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        text = request.args.get(name, "").strip()
        days[name] = None
        if text:
            try:
                days[name] = date.fromisoformat(text)
            except ValueError:
                problems.append(
                    _("This date could not be read: %(text)s. Write it as 2025-03-31.", text=text)
                )
    end = days["to"] or end_default
    start = days["from"] or read.year_before(end)
    if start > end:
        problems.append(_("The first date came after the second one: they have been swapped."))
        start, end = end, start
    return Chosen(start, end, problems)


def _creditor(book_id: int | None) -> tuple[list[read.Creditor], read.Creditor | None]:
    found = read.creditors(request_session(), household_id())
    if book_id is None:
        return found, found[0] if found else None
    chosen = next((c for c in found if c.book_id == book_id), None)
    if chosen is None:
        abort(404)
    return found, chosen


def _page(book_id: int | None) -> str:
    every, chosen = _creditor(book_id)
    period = _chosen_period()
    figures = page = None
    if chosen is not None:
        db = request_session()
        figures = read.period(db, chosen.account_ids, period.start, period.end)
        try:
            page = read.lines(
                db,
                chosen.account_ids,
                figures,
                after=request.args.get("after"),
                limit=read.PAGE_SIZE,
            )
        except InvalidCursor:
            abort(400)
    links = {}
    if chosen is not None:
        links = {
            "pdf": url_for("portal.statement_pdf", book_id=chosen.book_id, **period.args),
            "xlsx": url_for("portal.statement_xlsx", book_id=chosen.book_id, **period.args),
            "first": url_for("portal.statement_book", book_id=chosen.book_id, **period.args),
        }
        if page is not None and page.next_cursor:
            links["next"] = url_for(
                "portal.statement_book",
                book_id=chosen.book_id,
                after=page.next_cursor,
                **period.args,
            )
    return render_template(
        "portal/statement.html",
        creditors=every,
        chosen=chosen,
        period=period,
        figures=figures,
        page=page,
        links=links,
        describe=describe,
        balance_words=balance_words,
        after=request.args.get("after"),
    )


def balance_words(amount: Decimal, day: date) -> str:
    """A balance as a sentence: what was owed on ``day``, or the credit in the resident's favour."""
    if amount > 0:
        return _(
            "On %(day)s you owed %(amount)s.", day=format_date(day, "long"), amount=_money(amount)
        )
    if amount < 0:
        return _(
            "On %(day)s you had %(amount)s in your favour.",
            day=format_date(day, "long"),
            amount=_money(-amount),
        )
    return _("On %(day)s you owed nothing.", day=format_date(day, "long"))


def _money(amount: Decimal) -> str:
    return format_currency(amount, "EUR")


@bp.get("/statement")
@resident
def statement() -> str:
    return _page(None)


@bp.get("/statement/<int:book_id>")
@resident
def statement_book(book_id: int) -> str:
    return _page(book_id)


def _whole(book_id: int) -> tuple[read.Creditor, Chosen, read.Period, list[read.Line]]:
    """Everything of the period, for the downloads."""
    _, chosen = _creditor(book_id)
    assert chosen is not None
    period = _chosen_period()
    db = request_session()
    figures = read.period(db, chosen.account_ids, period.start, period.end)
    lines = read.lines(db, chosen.account_ids, figures, limit=None).lines
    return chosen, period, figures, lines


def _filename(chosen: read.Creditor, period: Chosen, extension: str) -> str:
    name = _("statement")
    return f"{name}-{chosen.book_id}-{period.start.isoformat()}-{period.end.isoformat()}{extension}"


def _headers() -> tuple[str, str, str, str, str]:
    return _("Date"), _("Description"), _("Charged"), _("Paid or credited"), _("Balance")


def _summary(figures: read.Period) -> list[tuple[str, Decimal]]:
    return [
        (_("Opening balance on %(day)s", day=format_date(figures.start)), figures.opening),
        (_("Charged in the period"), figures.charged),
        (_("Paid or credited in the period"), figures.credited),
        (_("Closing balance on %(day)s", day=format_date(figures.end)), figures.closing),
    ]


@bp.get("/statement/<int:book_id>.pdf")
@resident
def statement_pdf(book_id: int) -> Response:
    chosen, period, figures, lines = _whole(book_id)
    household = current_user.household
    language = str(get_locale())
    content = layout.StatementContent(
        language=language,
        locale=language,
        title=_("Statement"),
        household=[household.name, _("Household %(code)s", code=household.code)],
        creditor=chosen.name,
        period=_(
            "From %(start)s to %(end)s",
            start=format_date(period.start, "long"),
            end=format_date(period.end, "long"),
        ),
        summary=_summary(figures),
        headers=_headers(),
        lines=[
            layout.PdfLine(
                line.entry_date, describe(line, chosen), line.charged, line.credited, line.balance
            )
            for line in lines
        ],
        empty=_("Nothing was charged or paid in this period."),
        page=_("Page"),
        footer=" ".join(
            [
                balance_words(figures.closing, period.end),
                _("A balance above zero is what you owe; below zero, money in your favour."),
                _("Printed on %(day)s.", day=format_date(today(), "long")),
            ]
        ),
    )
    return Response(
        layout.render(content),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(chosen, period, ".pdf")}"'
        },
    )


@bp.get("/statement/<int:book_id>.xlsx")
@resident
def statement_xlsx(book_id: int) -> Response:
    chosen, period, figures, lines = _whole(book_id)
    table = Table(
        title=_("Statement"),
        headers=list(_headers()),
        rows=[
            [figures.start, _("Opening balance"), None, None, figures.opening],
            *(
                [line.entry_date, describe(line, chosen), line.charged, line.credited, line.balance]
                for line in lines
            ),
        ],
        footer=[
            figures.end,
            _("Closing balance"),
            figures.charged,
            figures.credited,
            figures.closing,
        ],
    )
    sent = download(table, "xlsx", _filename(chosen, period, ""))
    assert sent is not None
    return sent
