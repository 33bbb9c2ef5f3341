"""A statement line in words a resident reads at a glance, in the page's language.

Entry memos are the ledger's record, written once in Italian by the operation that posted them
("Rata 3/4 preventivo 2025 — A01", "Canone 2025-03 — A01", "Restituzione ..."). The portal says
what each line is from the other side of the entry (a charge, a payment, community hours...) and,
for the memos the application writes itself, with their figures in the reader's language. A memo
typed by staff (a one-off charge's name) is shown as written.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from condo_admin.web.labels import label
from portal.statement import Corrected, Creditor, Kind, Line

_INSTALLMENT = re.compile(r"^Rata (\d+)/(\d+) preventivo (\d{4})")
_RENT = re.compile(r"^Canone (\d{4})-(\d{2})\b(?:.*\((\d+)/(\d+) giorni\))?")
_ADJUSTMENT = re.compile(r"^Conguaglio (\d{4})")
_PLAN = re.compile(r"^Rata piano (\S+) n\. (\d+)")
_HOURS = re.compile(r"^Restituzione [^:]+: (.+), (\d{2})/(\d{2})/(\d{4}), ([\d.]+) h x")


def _charge(memo: str, amount: Decimal) -> str:
    if found := _INSTALLMENT.match(memo):
        number, count, year = found.groups()
        return _(
            "Service charges: installment %(number)s of %(count)s of the %(year)s budget",
            number=number,
            count=count,
            year=year,
        )
    if found := _RENT.match(memo):
        year, month, days, total = found.groups()
        named = format_date(date(int(year), int(month), 1), "LLLL y")
        if days is not None:
            return _(
                "Rent for %(month)s (%(days)s of %(total)s days)",
                month=named,
                days=days,
                total=total,
            )
        return _("Rent for %(month)s", month=named)
    if found := _ADJUSTMENT.match(memo):
        if amount > 0:
            return _("Year-end balance of the %(year)s service charges: to pay", year=found[1])
        return _("Year-end balance of the %(year)s service charges: given back", year=found[1])
    return memo


def _hours(memo: str) -> str:
    found = _HOURS.match(memo)
    if found is None:
        return _("Community service hours credited")
    activity, day, month, year, hours = found.groups()
    try:
        counted = format_decimal(Decimal(hours).normalize(), format="#,##0.##")
    except InvalidOperation:
        return _("Community service hours credited")
    return _(
        "Community service: %(hours)s hours of %(activity)s on %(day)s",
        hours=counted,
        # The catalogue's names are English msgids with their translation (the hours page's).
        activity=_(activity),
        day=format_date(date(int(year), int(month), int(day))),
    )


def _words(kind: str, memo: str, amount: Decimal) -> str:
    if kind == Kind.CHARGE:
        return _charge(memo, amount)
    if kind == Kind.PAYMENT:
        if amount > 0:
            return _("Money paid back to you")
        if found := _PLAN.match(memo):
            return _(
                "Payment received: installment %(number)s of your repayment plan", number=found[2]
            )
        return _("Payment received")
    if kind == Kind.COMMUNITY:
        return _hours(memo)
    if kind == Kind.WRITE_OFF:
        return _("Debt cancelled by the creditor")
    if kind == Kind.OPENING:
        return _("Owed from before") if amount > 0 else _("Credit from before")
    return memo


def describe(line: Line, creditor: Creditor | None = None) -> str:
    """What the line is, in plain words; a correction names the line it cancels.

    When the household has several units with the ``creditor`` (a flat and a garage), the line
    says which unit it is for.
    """
    corrects: Corrected | None = line.corrects
    if corrects is not None:
        said = _(
            "Correction: cancels “%(what)s” of %(day)s",
            what=_words(line.kind, corrects.memo, -line.amount),
            day=format_date(corrects.entry_date),
        )
    else:
        said = _words(line.kind, line.memo, line.amount)
    if creditor is not None and creditor.several_units and line.account_id in creditor.units:
        kind, code = creditor.units[line.account_id]
        said = f"{said} · {label(kind)} {code}"
    return said
