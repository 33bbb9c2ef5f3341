"""The dashboard's month-end balances equal the debtors' balances on those days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from condo_admin.accounting.overview import arrears_by_month, month_ends
from condo_admin.accounting.payments import record_payment
from ledger.queries import balances
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR


def test_month_ends_run_up_to_the_day_itself():
    assert month_ends(date(2025, 3, 15), 3) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 15),
    ]


def test_month_end_balances_are_the_debtors_balances_then(session):
    estate = Estate(session)
    for month in range(1, 13):
        estate.charge(estate.rossi, date(2024, month, 5), "100.00")
        estate.charge(estate.bianchi, date(2024, month, 5), "80.00")
    record_payment(session, estate.rossi, "450.00", date(2024, 9, 20), actor=ACTOR)
    record_payment(session, estate.bianchi, "800.00", date(2024, 11, 2), actor=ACTOR)
    accounts = [d.account_id for d in estate.debtors]
    as_of = date(2024, 12, 10)
    for given in (None, int(sum(balances(session, accounts, as_of).values()) * 100)):
        found = arrears_by_month(session, [estate.book.id], as_of, 6, now_cents=given)
        for end, value in found:
            assert value == sum(balances(session, accounts, end).values(), Decimal("0.00"))
