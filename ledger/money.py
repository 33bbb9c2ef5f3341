"""Exact money: ``Decimal`` in code, integer cents in the database.

Floats are refused outright rather than rounded: a float amount means a bug upstream (a spreadsheet
cell read the wrong way, a JSON number parsed carelessly), and silently rounding it would hide it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ledger.errors import InvalidAmount

CENT = Decimal("0.01")
#: Largest amount accepted anywhere: one trillion euros less a cent, far below 64-bit cents.
MAX_CENTS = 100_000_000_000_000 - 1


def to_cents(value: Decimal | int | str, *, field: str = "amount") -> int:
    """Convert an amount in euros to integer cents, refusing anything that is not exact.

    Accepts ``Decimal``, ``int`` (whole euros) and numeric strings with a dot as decimal mark.
    """
    if isinstance(value, (bool, float)):
        raise InvalidAmount(
            field=field, value=value, reason="use a Decimal or a string, never a float"
        )
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(
                field=field, value=value, reason="expected a number such as 1234.56"
            ) from None
    else:
        raise InvalidAmount(
            field=field, value=value, reason=f"expected a number, got {type(value).__name__}"
        )
    if not amount.is_finite():
        raise InvalidAmount(field=field, value=value, reason="expected a finite number")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InvalidAmount(field=field, value=value, reason="more than two decimal places")
    result = int(cents)
    if abs(result) > MAX_CENTS:
        raise InvalidAmount(field=field, value=value, reason="too large")
    return result


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
