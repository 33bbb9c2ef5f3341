"""Field checks shared by the registry operations; each failure names the field and the value."""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.it import codicefiscale, iva

from condo_admin.registry.errors import InvalidField, InvalidTaxCode, TaxCodeBirthDateMismatch
from ledger.errors import N_, Phrase

E = TypeVar("E", bound=enum.Enum)

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_POSTCODE = re.compile(r"\d{5}")
_PROVINCE = re.compile(r"[A-Z]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGES = ("it", "en")


def code(value: str, field: str, max_len: int = 32) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value.strip()) or len(value) > max_len:
        raise InvalidField(
            field=field,
            value=value,
            expected=Phrase(
                N_("letters, digits, '.', '_' or '-', at most %(max)s characters"), max=max_len
            ),
        )
    return value.strip()


def text(value: str | None, field: str, max_len: int = 200, *, required: bool = True) -> str | None:
    cleaned = " ".join(str(value).split()) if value is not None else ""
    if not cleaned:
        if required:
            raise InvalidField(field=field, value=value, expected=N_("a non-empty text"))
        return None
    if len(cleaned) > max_len:
        raise InvalidField(
            field=field,
            value=value,
            expected=Phrase(N_("at most %(max)s characters"), max=max_len),
        )
    return cleaned


def choice(value: str | E, cls: type[E], field: str) -> E:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise InvalidField(
            field=field, value=value, expected=Phrase(N_("one of %(allowed)s"), allowed=allowed)
        ) from None


def day(value: object, field: str, *, required: bool = True) -> date | None:
    if value is None and not required:
        return None
    if type(value) is not date:
        raise InvalidField(field=field, value=value, expected=N_("a date"))
    return value


def postcode(value: str) -> str:
    value = (value or "").strip()
    if not _POSTCODE.fullmatch(value):
        raise InvalidField(field=N_("postcode"), value=value, expected=N_("five digits (CAP)"))
    return value


def province(value: str) -> str:
    value = (value or "").strip().upper()
    if not _PROVINCE.fullmatch(value):
        raise InvalidField(
            field=N_("province"), value=value, expected=N_("a two-letter code such as MI")
        )
    return value


def email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _EMAIL.fullmatch(value) or len(value) > 200:
        raise InvalidField(field=N_("email"), value=value, expected=N_("an e-mail address"))
    return value


def language(value: str | None) -> str:
    value = (value or "it").strip().lower()
    if value not in _LANGUAGES:
        raise InvalidField(field=N_("language"), value=value, expected=N_("it or en"))
    return value


def amount(value: Decimal | str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise InvalidField(field=field, value=value, expected=N_("a decimal number, not a float"))
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise InvalidField(field=field, value=value, expected=N_("a number")) from None
    if not result.is_finite() or result < 0 or result != result.quantize(Decimal("0.01")):
        raise InvalidField(field=field, value=value, expected=N_("a positive number, two decimals"))
    return result


def tax_code(value: str, name: str, birth_date: date | None) -> str:
    """A person's codice fiscale, compacted and checked (checksum, and birth date when known)."""
    try:
        compact = codicefiscale.validate(value)
    except ValidationError as exc:
        raise InvalidTaxCode(value=value, name=name, reason=_reason(exc)) from None
    if birth_date is not None and len(compact) == 16:
        encoded = codicefiscale.get_birth_date(compact)
        # The code holds only two digits of the year, so compare the century-free part.
        if (encoded.day, encoded.month, encoded.year % 100) != (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        ):
            raise TaxCodeBirthDateMismatch(
                value=compact, encoded=encoded.strftime("%d/%m/%y"), given=birth_date, name=name
            )
    return compact


def vat_number(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return iva.validate(value)
    except ValidationError as exc:
        raise InvalidField(
            field=N_("VAT number"),
            value=value,
            expected=Phrase(N_("a valid partita IVA (%(reason)s)"), reason=_reason(exc)),
        ) from None


#: The number library's reasons, as a refusal gives them (lower case, no full stop).
_REASONS: tuple[tuple[type[ValidationError], str], ...] = (
    (InvalidLength, N_("the number has an invalid length")),  # before InvalidFormat, its base
    (InvalidFormat, N_("the number has an invalid format")),
    (InvalidChecksum, N_("the number's checksum or check digit is invalid")),
    (InvalidComponent, N_("one of the parts of the number are invalid or unknown")),
)


def _reason(exc: ValidationError) -> str:
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            return reason
    return str(exc.message if hasattr(exc, "message") else exc).rstrip(".").lower()
