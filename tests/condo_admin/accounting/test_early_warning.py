"""Early warning: each rule flags the household it describes, says why, and no other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from condo_admin.accounting.early_warning import Rule, as_table, early_warnings, months_before
from condo_admin.accounting.payments import record_payment
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR


@pytest.fixture
def estate(session: Session) -> Estate:
    return Estate(session, flats=("A01", "A02", "A03"))


def monthly(estate: Estate, debtor, months: range, amount: str = "100.00", pay: set | None = None):
    """A charge on the 1st of each month of 2025, paid on the 3rd in the months in ``pay``."""
    for month in months:
        estate.charge(debtor, date(2025, month, 1), amount)
        if pay is None or month in pay:
            record_payment(estate.session, debtor, amount, date(2025, month, 3), actor=ACTOR)


def flags_of(estate: Estate, debtor, as_of: date) -> dict[Rule, str]:
    for warning in early_warnings(estate.session, as_of):
        if warning.household_id == debtor.household_id:
            return {flag.rule: flag.reason("en_GB") for flag in warning.flags}
    return {}


def test_a_household_that_always_paid_and_misses_once_is_flagged_first_missed(
    estate: Estate,
) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay=set(range(1, 6)))
    flags = flags_of(estate, estate.rossi, date(2025, 6, 20))
    assert set(flags) == {Rule.FIRST_MISSED}
    assert "€100.00 due on 01/06/2025 is 19 days late" in flags[Rule.FIRST_MISSED]


def test_within_the_grace_period_nothing_is_flagged(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay=set(range(1, 6)))
    assert flags_of(estate, estate.rossi, date(2025, 6, 6)) == {}


def test_a_household_that_paid_late_before_is_not_a_first_miss(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay=set(range(1, 6)) - {2})
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 3, 20), actor=ACTOR)
    # Oldest first: the March 3 payment went to February (30 days late), March waited till the 20th.
    flags = flags_of(estate, estate.rossi, date(2025, 6, 20))
    assert Rule.FIRST_MISSED not in flags


def test_arrears_above_two_months_of_charges(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay={1, 2, 3})
    flags = flags_of(estate, estate.rossi, date(2025, 6, 20))
    assert Rule.OVER_TWO_MONTHS in flags
    assert "arrears of €300.00 are more than 2 months of charges" in flags[Rule.OVER_TWO_MONTHS]
    assert "average €100.00 a month over the last 6 months" in flags[Rule.OVER_TWO_MONTHS]


def test_two_months_of_arrears_is_not_yet_above_two_months(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay={1, 2, 3, 4})
    assert Rule.OVER_TWO_MONTHS not in flags_of(estate, estate.rossi, date(2025, 6, 20))


def test_arrears_growing_three_months_in_a_row(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 3))
    for month in range(3, 7):  # partial payments: the debt grows by 40 a month
        estate.charge(estate.rossi, date(2025, month, 1), "100.00")
        record_payment(estate.session, estate.rossi, "60.00", date(2025, month, 3), actor=ACTOR)
    flags = flags_of(estate, estate.rossi, date(2025, 6, 10))
    assert "grew three months in a row: balance €40.00 on 10/03/2025" in flags[Rule.GROWING]
    assert "€160.00 on 10/06/2025" in flags[Rule.GROWING]


def test_a_household_that_pays_regularly_is_not_listed(estate: Estate) -> None:
    monthly(estate, estate.bianchi, range(1, 7))
    assert flags_of(estate, estate.bianchi, date(2025, 6, 20)) == {}


def test_the_list_puts_households_with_more_flags_first(estate: Estate) -> None:
    monthly(estate, estate.rossi, range(1, 7), pay={1, 2})
    monthly(estate, estate.bianchi, range(1, 7), pay=set(range(1, 6)))
    warnings = early_warnings(estate.session, date(2025, 6, 20))
    assert [w.household_id for w in warnings][:2] == [
        estate.rossi.household_id,
        estate.bianchi.household_id,
    ]
    table = as_table(warnings, date(2025, 6, 20), locale="en_GB")
    assert table.headers[-1] == "why" and len(table.rows) >= 3


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 15), 3, date(2024, 10, 15)),
    ],
)
def test_months_before_clamps_to_the_end_of_shorter_months(day, months, expected) -> None:
    assert months_before(day, months) == expected


def test_grace_days_are_a_setting(estate: Estate) -> None:
    from condo_admin.accounting.early_warning import Settings

    monthly(estate, estate.rossi, range(1, 7), pay=set(range(1, 6)))
    as_of = date(2025, 6, 1) + timedelta(days=10)
    assert early_warnings(estate.session, as_of, Settings(grace_days=15)) == []
    assert early_warnings(estate.session, as_of, Settings(grace_days=5)) != []
