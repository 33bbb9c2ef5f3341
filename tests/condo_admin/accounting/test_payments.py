"""Payments: to the designated charge, else oldest first; credit carries; reversal re-opens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from condo_admin.accounting.errors import (
    DebtorAccountClosed,
    DesignatedChargeElsewhere,
    DesignatedChargeNotOpen,
    InvalidPayment,
    NotAPayment,
    UnknownDebtor,
)
from condo_admin.accounting.payments import (
    allocation_trail,
    find_debtor,
    open_charges,
    record_payment,
    reverse_payment,
)
from condo_admin.accounting.references import printable
from ledger import openitems
from ledger.errors import InvalidAmount
from ledger.posting import close_account
from ledger.queries import balance
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR


@pytest.fixture
def estate(session: Session) -> Estate:
    return Estate(session)


def test_a_payment_without_designation_pays_the_oldest_charges_first(estate: Estate) -> None:
    january = estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    february = estate.charge(estate.rossi, date(2024, 2, 15), "120.00")
    result = record_payment(
        estate.session, estate.rossi, Decimal("150.00"), date(2024, 3, 1), actor=ACTOR
    )
    assert [(s.entry_id, s.amount) for s in result.settled] == [
        (january, Decimal("120.00")),
        (february, Decimal("30.00")),
    ]
    assert result.credit_left == Decimal("0.00") and result.created
    still_open = open_charges(estate.session, estate.rossi, date(2024, 3, 1))
    assert [(c.entry_id, c.open) for c in still_open] == [(february, Decimal("90.00"))]


def test_the_designated_charge_is_paid_first(estate: Estate) -> None:
    january = estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    february = estate.charge(estate.rossi, date(2024, 2, 15), "120.00")
    result = record_payment(
        estate.session,
        estate.rossi,
        "150.00",
        date(2024, 3, 1),
        actor=ACTOR,
        designated=[february],
    )
    assert [(s.entry_id, s.amount) for s in result.settled] == [
        (february, Decimal("120.00")),
        (january, Decimal("30.00")),
    ]


def test_an_overpayment_is_credit_that_later_charges_use(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    result = record_payment(estate.session, estate.rossi, "300.00", date(2024, 1, 20), actor=ACTOR)
    assert result.credit_left == Decimal("180.00")
    estate.charge(estate.rossi, date(2024, 2, 15), "120.00")
    march = estate.charge(estate.rossi, date(2024, 3, 15), "120.00")
    still_open = open_charges(estate.session, estate.rossi, date(2024, 3, 31))
    assert [(c.entry_id, c.open) for c in still_open] == [(march, Decimal("60.00"))]
    assert balance(estate.session, estate.rossi.account) == Decimal("60.00")


def test_reversing_a_payment_reopens_the_charges_it_paid(estate: Estate) -> None:
    january = estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    result = record_payment(estate.session, estate.rossi, "120.00", date(2024, 1, 20), actor=ACTOR)
    assert open_charges(estate.session, estate.rossi, date(2024, 2, 1)) == []
    reverse_payment(
        estate.session, result.entry_id, reason="Assegno insoluto", actor=ACTOR, on=date(2024, 2, 5)
    )
    reopened = open_charges(estate.session, estate.rossi, date(2024, 2, 5))
    assert [(c.entry_id, c.open) for c in reopened] == [(january, Decimal("120.00"))]
    assert open_charges(estate.session, estate.rossi, date(2024, 2, 1)) == []
    assert openitems.verify(estate.session) == []


def test_the_trail_of_a_charge_shows_who_paid_it_and_what_was_undone(estate: Estate) -> None:
    january = estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    paid = record_payment(estate.session, estate.rossi, "120.00", date(2024, 1, 20), actor="desk")
    reverse_payment(estate.session, paid.entry_id, reason="insoluto", actor="desk")
    trail = allocation_trail(estate.session, january)
    assert [(t.kind, t.amount, t.other_entry_id) for t in trail] == [
        ("oldest_first", Decimal("120.00"), paid.entry_id),
        ("release", Decimal("-120.00"), paid.entry_id),
    ]
    assert {t.created_by for t in trail} == {"desk"}


def test_the_same_payment_recorded_twice_with_its_key_is_recorded_once(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2024, 1, 15), "120.00")
    first = record_payment(
        estate.session, estate.rossi, "50.00", date(2024, 1, 20), actor=ACTOR, key="bank:42"
    )
    entries = estate.entries()
    again = record_payment(
        estate.session, estate.rossi, "50.00", date(2024, 1, 20), actor=ACTOR, key="bank:42"
    )
    assert again.entry_id == first.entry_id and not again.created
    assert again.settled == first.settled
    assert estate.entries() == entries


def test_a_debtor_is_found_by_rf_reference_as_printed_or_by_code(estate: Estate) -> None:
    reference = printable(estate.rossi.rf_reference).lower()
    assert find_debtor(estate.session, reference) == estate.rossi
    code = f"{estate.book.code}:{estate.rossi.account.code}"
    assert find_debtor(estate.session, code) == estate.rossi


class TestRefusals:
    """Each refusal names what is wrong, and nothing is written."""

    def test_an_unknown_account(self, estate: Estate) -> None:
        with pytest.raises(UnknownDebtor, match="RF00 1234"):
            find_debtor(estate.session, "RF00 1234")

    @pytest.mark.parametrize("amount", ["0", "-10.00", "0.00"])
    def test_a_zero_or_negative_amount(self, estate: Estate, amount: str) -> None:
        entries = estate.entries()
        with pytest.raises(InvalidPayment, match="must be positive"):
            record_payment(estate.session, estate.rossi, amount, date(2024, 1, 20), actor=ACTOR)
        assert estate.entries() == entries

    def test_an_amount_that_is_not_money(self, estate: Estate) -> None:
        with pytest.raises(InvalidAmount):
            record_payment(estate.session, estate.rossi, "12.345", date(2024, 1, 20), actor=ACTOR)

    def test_a_closed_account(self, estate: Estate) -> None:
        close_account(estate.session, estate.bianchi.account, date(2024, 6, 30))
        entries = estate.entries()
        with pytest.raises(DebtorAccountClosed, match="closed on 2024-06-30"):
            record_payment(estate.session, estate.bianchi, "10.00", date(2024, 7, 1), actor=ACTOR)
        assert estate.entries() == entries

    def test_a_designated_charge_of_another_household(self, estate: Estate) -> None:
        theirs = estate.charge(estate.bianchi, date(2024, 1, 15), "80.00")
        entries = estate.entries()
        name = estate.bianchi.household.name
        with pytest.raises(DesignatedChargeElsewhere, match=f"charged to {name}"):
            record_payment(
                estate.session,
                estate.rossi,
                "80.00",
                date(2024, 1, 20),
                actor=ACTOR,
                designated=[theirs],
            )
        assert estate.entries() == entries

    def test_a_designated_charge_already_paid(self, estate: Estate) -> None:
        january = estate.charge(estate.rossi, date(2024, 1, 15), "80.00")
        record_payment(estate.session, estate.rossi, "80.00", date(2024, 1, 20), actor=ACTOR)
        with pytest.raises(DesignatedChargeNotOpen, match="already paid"):
            record_payment(
                estate.session,
                estate.rossi,
                "10.00",
                date(2024, 1, 25),
                actor=ACTOR,
                designated=[january],
            )

    def test_reversing_something_that_is_not_a_payment(self, estate: Estate) -> None:
        charge = estate.charge(estate.rossi, date(2024, 1, 15), "80.00")
        with pytest.raises(NotAPayment, match=f"#{charge}"):
            reverse_payment(estate.session, charge, reason="x", actor=ACTOR)
