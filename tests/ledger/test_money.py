"""Exact money: conversion to integer cents, rendering, and splitting without losing a cent.

These are pure functions; no database is involved.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import InvalidAmount
from ledger.money import MAX_CENTS, format_amount, from_cents, split_largest_remainder, to_cents

MAX_AMOUNT = "999999999999.99"


def assert_refused(value: object, reason: str, field: str = "rent") -> None:
    with pytest.raises(InvalidAmount) as caught:
        to_cents(value, field=field)  # type: ignore[arg-type]
    error = caught.value
    assert str(error) == f"{field}: {value!r} is not a valid amount ({reason})."
    assert error.params["field"] == field
    assert error.params["value"] is value


# --- to_cents: what is accepted ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Decimal("12.34"), 1234),
        (Decimal("-12.34"), -1234),
        (Decimal("12.5"), 1250),
        (Decimal("7"), 700),
        (Decimal("1.230"), 123),
        (Decimal("1E+2"), 10000),
        (Decimal("-0.00"), 0),
        (12, 1200),
        (-3, -300),
        (0, 0),
        ("12.34", 1234),
        ("-0.01", -1),
        ("  7.5 ", 750),
        ("100", 10000),
        ("0.10", 10),
    ],
    ids=repr,
)
def test_to_cents_accepts_decimals_whole_euro_ints_and_numeric_strings(
    value: Decimal | int | str, cents: int
) -> None:
    assert to_cents(value) == cents


def test_to_cents_accepts_the_largest_amount_in_both_directions() -> None:
    assert to_cents(MAX_AMOUNT) == MAX_CENTS
    assert to_cents("-" + MAX_AMOUNT) == -MAX_CENTS
    assert to_cents(Decimal(MAX_AMOUNT)) == MAX_CENTS


def test_trailing_zeros_beyond_two_decimals_are_exact_and_accepted() -> None:
    assert to_cents("1." + "0" * 60) == 100


# --- to_cents: what is refused ------------------------------------------------------------------


@pytest.mark.parametrize("value", [10.5, 0.1, 1.0, -2.25, 0.0], ids=repr)
def test_a_float_is_refused_even_when_it_looks_exact(value: float) -> None:
    assert_refused(value, "use a Decimal or a string, never a float")


@pytest.mark.parametrize("value", [True, False], ids=repr)
def test_a_bool_is_refused_although_python_counts_it_as_an_int(value: bool) -> None:
    assert_refused(value, "use a Decimal or a string, never a float")


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
    ],
    ids=repr,
)
def test_nan_and_infinity_are_refused(value: Decimal | str) -> None:
    assert_refused(value, "expected a finite number")


@pytest.mark.parametrize(
    "value",
    [
        *("", "   ", "abc", "1,50", "12 EUR", "€12", "1.2.3", "--1", "0x10"),
        *("NaN", "-inf", "Infinity", "1e3", "1E+12", "1_000", "١٢", "12.", ".5"),
    ],
    ids=repr,
)
def test_a_string_not_in_plain_decimal_notation_is_refused(value: str) -> None:
    assert_refused(value, "expected a number such as 1234.56")


@pytest.mark.parametrize(
    "value",
    [
        "1.234",
        "-0.001",
        Decimal("0.005"),
        Decimal("1E-1000"),
        # More significant digits than the default decimal context keeps: must not be rounded.
        "1.0000000000000000000000000001",
        "0.01" + "0" * 40 + "1",
    ],
    ids=repr,
)
def test_an_amount_with_more_than_two_decimal_places_is_refused(value: Decimal | str) -> None:
    assert_refused(value, "more than two decimal places")


@pytest.mark.parametrize(
    "value",
    [
        "1000000000000.00",
        "-1000000000000",
        Decimal("1E+12"),
        10**12,
        -(10**15),
        Decimal("1e100000"),
        # Beyond what a default decimal context can multiply by 100 without overflowing.
        Decimal("9e999999"),
        Decimal("-9E+999999"),
    ],
    ids=repr,
)
def test_an_amount_beyond_the_largest_is_refused_as_too_large(value: Decimal | int | str) -> None:
    assert_refused(value, "too large")


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(None, "NoneType"), ([1], "list"), (b"12", "bytes"), (Fraction(1, 2), "Fraction")],
    ids=repr,
)
def test_other_types_are_refused_naming_the_type(value: object, type_name: str) -> None:
    assert_refused(value, f"expected a number, got {type_name}")


def test_the_default_field_name_is_amount() -> None:
    with pytest.raises(InvalidAmount, match=re.escape("amount: 'x' is not a valid amount")):
        to_cents("x")


def test_conversion_is_exact_whatever_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 6
        assert to_cents("123456789.12") == 12345678912
        assert to_cents(Decimal(MAX_AMOUNT)) == MAX_CENTS
        with pytest.raises(InvalidAmount, match="more than two decimal places"):
            to_cents("12345.675")


# --- from_cents and format_amount -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [(1234, "12.34"), (-5, "-0.05"), (0, "0.00"), (100, "1.00"), (MAX_CENTS, MAX_AMOUNT)],
)
def test_from_cents_gives_a_decimal_with_exactly_two_places(cents: int, text: str) -> None:
    amount = from_cents(cents)
    assert isinstance(amount, Decimal)
    assert str(amount) == text
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (123450, "1234.50"),
        (-1, "-0.01"),
        (0, "0.00"),
        (-123456789, "-1234567.89"),
        (MAX_CENTS, MAX_AMOUNT),
    ],
)
def test_format_amount_is_plain_without_thousands_separators(cents: int, text: str) -> None:
    assert format_amount(cents) == text


@given(st.integers(-MAX_CENTS, MAX_CENTS))
def test_cents_survive_the_round_trip_through_decimal_and_text(cents: int) -> None:
    assert to_cents(from_cents(cents)) == cents
    assert to_cents(format_amount(cents)) == cents


# --- split_largest_remainder: examples --------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (10000, [1, 1, 1], [3334, 3333, 3333]),
        (100, [1, 1, 1], [34, 33, 33]),
        (1, [1, 1, 1], [1, 0, 0]),
        (2, [1, 1, 1], [1, 1, 0]),
        (10000, [1, 2, 1], [2500, 5000, 2500]),
        (10, [1, 2], [3, 7]),
        (1000, [0, 1, 1], [0, 500, 500]),
        (5, [3, 0, 2], [3, 0, 2]),
        (0, [1, 2], [0, 0]),
        (12345, [7], [12345]),
        (100, [333, 333, 334], [33, 33, 34]),
    ],
)
def test_split_examples(total: int, weights: list[int], parts: list[int]) -> None:
    assert split_largest_remainder(total, weights) == parts


def test_on_equal_remainders_the_extra_cent_goes_to_the_earlier_weight() -> None:
    assert split_largest_remainder(2, [5, 5, 5, 5]) == [1, 1, 0, 0]


def test_a_negative_total_is_split_as_the_mirror_of_the_positive_one() -> None:
    assert split_largest_remainder(-10000, [1, 1, 1]) == [-3334, -3333, -3333]
    assert split_largest_remainder(-10, [1, 2]) == [-3, -7]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "cannot split an amount over no weights"),
        ([0], "weights must not all be zero"),
        ([0, 0, 0], "weights must not all be zero"),
        ([1, -1, 2], "weights must not be negative"),
    ],
)
def test_split_refuses_weights_it_cannot_share_by(weights: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        split_largest_remainder(100, weights)


# --- split_largest_remainder: properties ------------------------------------------------------

totals = st.integers(-MAX_CENTS, MAX_CENTS)
weight_lists = st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any)


@given(totals, weight_lists)
def test_the_parts_add_up_to_the_total_exactly(total: int, weights: list[int]) -> None:
    parts = split_largest_remainder(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total


@given(totals, weight_lists)
def test_each_part_is_within_a_cent_of_its_exact_share(total: int, weights: list[int]) -> None:
    weight_sum = sum(weights)
    for part, weight in zip(split_largest_remainder(total, weights), weights, strict=True):
        # |part - total * weight / weight_sum| < 1, in integers.
        assert abs(part * weight_sum - total * weight) < weight_sum


@given(totals, weight_lists)
def test_the_split_is_deterministic(total: int, weights: list[int]) -> None:
    assert split_largest_remainder(total, weights) == split_largest_remainder(total, list(weights))


@given(totals, weight_lists)
def test_a_negative_total_mirrors_the_positive_one(total: int, weights: list[int]) -> None:
    assert split_largest_remainder(-total, weights) == [
        -part for part in split_largest_remainder(total, weights)
    ]


@given(totals, weight_lists)
def test_zero_weights_get_nothing_and_no_part_has_the_wrong_sign(
    total: int, weights: list[int]
) -> None:
    for part, weight in zip(split_largest_remainder(total, weights), weights, strict=True):
        if weight == 0:
            assert part == 0
        assert part * total >= 0


@given(totals, weight_lists)
def test_a_larger_weight_never_gets_a_smaller_share(total: int, weights: list[int]) -> None:
    parts = split_largest_remainder(total, weights)
    pairs = list(zip(weights, (abs(p) for p in parts), strict=True))
    for weight_a, part_a in pairs:
        for weight_b, part_b in pairs:
            if weight_a > weight_b:
                assert part_a >= part_b


@given(st.integers(0, 10**9), st.integers(1, 12), st.integers(1, 10**6))
def test_equal_weights_differ_by_at_most_a_cent_with_extras_first(
    total: int, count: int, weight: int
) -> None:
    parts = split_largest_remainder(total, [weight] * count)
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)
