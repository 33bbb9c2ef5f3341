"""Money and dates as people read them, in their locale (Italian by default)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal


def default_locale() -> str:
    return os.environ.get("CONDO_LOCALE", "it_IT")


def money(amount: Decimal, locale: str | None = None, currency: str = "EUR") -> str:
    return format_currency(amount, currency, locale=locale or default_locale())


def number(value: int | Decimal, locale: str | None = None) -> str:
    return format_decimal(value, locale=locale or default_locale())


def day(value: date, locale: str | None = None, style: str = "short") -> str:
    """A date as people of ``locale`` write it; ``style`` is Babel's short, medium or long."""
    return format_date(value, format=style, locale=locale or default_locale())


def amount(value: Decimal, locale: str | None = None) -> str:
    """Money without the currency sign, always with two decimals (for columns of figures)."""
    return format_decimal(value, format="#,##0.00", locale=locale or default_locale())
