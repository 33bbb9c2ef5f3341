"""Jinja filters for report cells and links, formatted in the user's locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask_babel import format_currency, format_date, format_decimal
from stdnum import iban as stdnum_iban

from condo_admin.web.labels import label
from ledger.money import from_cents


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value)
    return str(value)


def cents(value: int | None) -> str:
    """Integer cents as money in the user's locale."""
    return "" if value is None else format_currency(from_cents(value), "EUR")


def thousandths(value: Decimal) -> str:
    """A share in thousandths with the decimals it has (up to four), in the user's locale."""
    return format_decimal(value, format="#,##0.####")


def iban(value: str) -> str:
    """An IBAN in groups of four, as banks print it."""
    return stdnum_iban.format(value)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def merge_query(args: dict[str, str], **changes: str) -> str:
    return urlencode({**args, **changes})


def register(app: Flask) -> None:
    app.jinja_env.filters["cell"] = cell
    app.jinja_env.filters["merge_query"] = merge_query
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["cents"] = cents
    app.jinja_env.filters["thousandths"] = thousandths
    app.jinja_env.filters["iban"] = iban
    app.jinja_env.tests["number_cell"] = is_number
