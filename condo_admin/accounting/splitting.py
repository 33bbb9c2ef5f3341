"""Exact splits of an amount by share tables and into installments (pure functions).

Both use the largest-remainder method of :func:`ledger.money.split_largest_remainder`, so the
parts always add up to the whole to the cent, each part is within one cent of its exact share and
ties are broken by the order of the keys (unit code, installment number): deterministic.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

from ledger.money import split_largest_remainder

K = TypeVar("K", bound=Hashable)

#: Shares are stored with four decimals of a thousandth; as integers they are exact weights.
SHARE_SCALE = Decimal("10000")


def share_weight(thousandths: Decimal) -> int:
    return int(thousandths * SHARE_SCALE)


def split_by_shares(total_cents: int, shares: Mapping[K, Decimal], order: list[K]) -> dict[K, int]:
    """``total_cents`` split over ``shares`` (thousandths); ``order`` fixes the tie-break."""
    parts = split_largest_remainder(total_cents, [share_weight(shares[k]) for k in order])
    return dict(zip(order, parts, strict=True))


def split_installments(total_cents: int, count: int) -> list[int]:
    """Equal installments; the odd cents go to the first ones."""
    return split_largest_remainder(total_cents, [1] * count)
