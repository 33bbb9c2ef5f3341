"""Splits by share tables and into installments: exact to the cent, fair to within a cent."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from condo_admin.accounting.splitting import split_by_shares, split_installments


def shares_summing_to_1000(draw_weights: list[int]) -> dict[str, Decimal]:
    """Turn positive integer weights into shares with 4 decimals that sum to exactly 1000."""
    total = sum(draw_weights)
    ten_thousandths = [w * 10_000_000 // total for w in draw_weights]
    ten_thousandths[0] += 10_000_000 - sum(ten_thousandths)
    return {f"U{i:03d}": Decimal(t) / 10_000 for i, t in enumerate(ten_thousandths)}


@given(
    total=st.integers(min_value=-10_000_000_00, max_value=10_000_000_00),
    weights=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=80),
)
def test_parts_sum_to_the_whole_and_each_is_within_a_cent_of_its_exact_share(
    total: int, weights: list[int]
) -> None:
    shares = shares_summing_to_1000(weights)
    order = sorted(shares)
    parts = split_by_shares(total, shares, order)
    assert sum(parts.values()) == total
    for unit, share in shares.items():
        exact = Fraction(total) * Fraction(share) / 1000
        assert abs(parts[unit] - exact) < 1


@given(
    total=st.integers(min_value=-10_000_000_00, max_value=10_000_000_00),
    count=st.integers(min_value=1, max_value=12),
)
def test_installments_sum_to_the_yearly_amount_and_differ_by_at_most_a_cent(
    total: int, count: int
) -> None:
    parts = split_installments(total, count)
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, key=abs, reverse=True)  # odd cents on the first ones


def test_a_classic_example_three_equal_flats() -> None:
    shares = {"A1": Decimal("333.3333"), "A2": Decimal("333.3333"), "A3": Decimal("333.3334")}
    assert split_by_shares(100_00, shares, ["A1", "A2", "A3"]) == {
        "A1": 33_33,
        "A2": 33_33,
        "A3": 33_34,
    }


def test_ties_go_to_the_earlier_unit_in_the_given_order() -> None:
    shares = {"A1": Decimal(500), "A2": Decimal(500)}
    assert split_by_shares(1, shares, ["A1", "A2"]) == {"A1": 1, "A2": 0}
    assert split_by_shares(1, shares, ["A2", "A1"]) == {"A2": 1, "A1": 0}
