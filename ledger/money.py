"""Exact money: ``Decimal`` in code, integer cents in the database.

Floats are refused outright rather than rounded: a float amount means a bug upstream (a spreadsheet
cell read the wrong way, a JSON number parsed carelessly), and silently rounding it would hide it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Context, Decimal

from ledger.errors import N_, InvalidAmount, Phrase

CENT = Decimal("0.01")
#: Plain decimal notation only: no exponents, digit separators or non-ASCII digits.
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)
#: Largest amount accepted anywhere: one trillion euros less a cent, far below 64-bit cents.
MAX_CENTS = 100_000_000_000_000 - 1
#: Enough digits for any accepted amount, so the arithmetic below never rounds, whatever the
#: caller's decimal context.
_EXACT = Context(prec=40)
_MAX_AMOUNT = Decimal(MAX_CENTS).scaleb(-2, context=_EXACT)
#: What a refusal calls the value when the caller names no field.
AMOUNT = N_("amount")


def to_cents(value: Decimal | int | str, *, field: str = AMOUNT) -> int:
    """Convert an amount in euros to integer cents, refusing anything that is not exact.

    Accepts ``Decimal``, ``int`` (whole euros) and numeric strings with a dot as decimal mark.
    """
    if isinstance(value, (bool, float)):
        raise InvalidAmount(
            field=field, value=value, reason=N_("use a Decimal or a string, never a float")
        )
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise InvalidAmount(
                field=field, value=value, reason=N_("expected a number such as 1234.56")
            )
        amount = Decimal(text)
    else:
        raise InvalidAmount(
            field=field,
            value=value,
            reason=Phrase(N_("expected a number, got %(type)s"), type=type(value).__name__),
        )
    if not amount.is_finite():
        raise InvalidAmount(field=field, value=value, reason=N_("expected a finite number"))
    # Magnitude first (copy_abs and comparisons are exact), so nothing below can overflow or round.
    if amount.copy_abs() > _MAX_AMOUNT:
        raise InvalidAmount(field=field, value=value, reason=N_("too large"))
    rounded = amount.quantize(CENT, context=_EXACT)
    if rounded != amount:
        raise InvalidAmount(field=field, value=value, reason=N_("more than two decimal places"))
    return int(rounded.scaleb(2, context=_EXACT))


def from_cents(cents: int) -> Decimal:
    """Integer cents to a ``Decimal`` with exactly two decimal places."""
    return (Decimal(cents) / 100).quantize(CENT)


def format_amount(cents: int) -> str:
    """Plain, locale-free rendering (``-1234.50``) for logs, journals and error messages."""
    return f"{from_cents(cents):.2f}"


def split_largest_remainder(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights`` so that the parts add up exactly.

    Each part gets the floor of its exact share; the cents left over go one each to the parts with
    the largest remainders. Ties go to the earlier weight, so callers get a deterministic result by
    passing weights in a stable order (for example by unit code). Negative totals (credits) are
    split as their absolute value and negated, so a credit mirrors the matching charge.
    """
    if not weights:
        raise ValueError("cannot split an amount over no weights")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total_cents < 0 else 1
    total = abs(total_cents)
    floors: list[int] = []
    remainders: list[tuple[int, int]] = []
    for index, weight in enumerate(weights):
        quotient, remainder = divmod(total * weight, weight_sum)
        floors.append(quotient)
        remainders.append((remainder, index))
    left = total - sum(floors)
    # Largest remainder first; on equal remainders the earlier index wins.
    for _, index in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left]:
        floors[index] += 1
    return [sign * part for part in floors]
