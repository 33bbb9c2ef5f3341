"""The domain's own messages in the reader's language.

The domain speaks English and knows no locale: a refusal (:class:`~ledger.errors.CondoError`)
carries an English template marked with ``N_`` and its parameters, an early-warning flag a
template per rule, a case's diary the lines the system wrote. Here they are looked up in the
catalog and filled in, amounts as money and dates as dates of the current locale. A parameter that
is itself a message of the catalog (the kind of record a refusal names, a status, a fixed
``problem`` marked ``N_``) is translated too, and so is a :class:`~ledger.errors.Phrase` (a part
with values of its own), filled in the same way. When a translation cannot be filled in, the
English text is shown: a slip in the catalog never hides a refusal.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_currency, format_date, get_locale, gettext

from condo_admin.accounting.early_warning import Flag
from condo_admin.desk import cases
from condo_admin.desk.models import CaseEntry
from condo_admin.web.labels import label
from ledger.errors import N_, CondoError, Phrase

#: The kinds of record refusals name as ``what`` (not found, code already used, another agency's),
#: so that the catalog has them.
KINDS = (
    N_("Account"),
    N_("Agency"),
    N_("Agreement"),
    N_("Book"),
    N_("Budget"),
    N_("Building"),
    N_("Case"),
    N_("Creditor book"),
    N_("Entry"),
    N_("Household"),
    N_("Housing body"),
    N_("Person"),
    N_("Repayment plan"),
    N_("Share table"),
    N_("Staircase"),
    N_("Unit"),
    N_("User"),
)

_CONVERSION = re.compile(r"%\((\w+)\)([a-z])")
_FAILED = (KeyError, TypeError, ValueError)


def _locale() -> str:
    return str(get_locale() or "it")


def _shown(value: Any, conversion: str) -> Any:
    """A parameter as the reader reads it; ``%r`` ones (the value typed, quoted) stay as given."""
    if conversion == "r":
        return value
    if isinstance(value, Phrase):  # a message of its own, with its own parameters
        return fill(value.template, value.params, value)
    if isinstance(value, enum.Enum):
        return label(value)
    if isinstance(value, Decimal):
        return format_currency(value, "EUR")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and value:
        shown = label(value)  # a stored code (a status, a kind), else a message of the catalog
        return gettext(value) if shown == value else shown
    return value


def fill(template: str, params: Mapping[str, Any], english: str) -> str:
    """``template`` translated and filled with ``params``; ``english`` if that cannot be done."""
    conversions = dict(_CONVERSION.findall(template))
    shown = {key: _shown(value, conversions.get(key, "s")) for key, value in params.items()}
    try:
        return gettext(template) % shown
    except _FAILED:
        return english


def phrase(value: Any) -> str:
    """A part of a message (a :class:`~ledger.errors.Phrase`, a code, a text of the catalog) in
    the reader's language, for a face that words the rest of the sentence itself."""
    return str(_shown(value, "s"))


def translated(error: Exception) -> str:
    """The refusal in the reader's language (another exception as its own text)."""
    if not isinstance(error, CondoError):
        return str(error)
    return fill(error.template, error.params, error.message)


def reason(flag: Flag) -> str:
    """Why an early-warning flag was raised, in the reader's language."""
    try:
        return flag.reason(_locale(), gettext)
    except _FAILED:
        return flag.reason(_locale())


def case_flag(record: Mapping[str, Any]) -> str:
    """A flag a case keeps, in the reader's language (as it was stored if kept without params)."""
    flag = cases.stored_flag(record)
    return str(record.get("reason", "")) if flag is None else reason(flag)


def diary_text(entry: CaseEntry) -> str:
    """A diary line: a contact or note as written, a line of the system in the reader's language."""
    line = cases.system_line(entry)
    if line is None:
        return entry.text
    params: dict[str, Any] = {
        key: label(value) if isinstance(value, enum.Enum) else value
        for key, value in line.params.items()
    }
    flags = entry.case.flags
    if line.template == cases.OPENED and any(cases.stored_flag(f) for f in flags):
        params["reasons"] = "; ".join(case_flag(f) for f in flags)
    if isinstance(params.get("when"), date):
        params["when"] = format_date(params["when"])
    try:
        return gettext(line.template) % params
    except _FAILED:
        return entry.text
