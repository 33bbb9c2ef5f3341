"""The portal's home: what a household owes to whom, in plain words, and how to pay it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import segno
from sqlalchemy.orm import Session

from condo_admin.accounting.models import CreditorBook
from condo_admin.accounting.payments import record_payment
from condo_admin.auth.models import Role
from portal import positions
from portal.payment_qr import epc_svg
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from tests.web.helpers import text
from tests.web.portal.helpers import resident
from tests.web.site import csrf_token, login

TODAY = date(2025, 6, 30)


@pytest.fixture
def estate(session: Session) -> Estate:
    return Estate(session)


def test_a_household_that_paid_everything_is_up_to_date(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 5, 10), "150.00")
    record_payment(estate.session, estate.rossi, "150.00", date(2025, 5, 12), actor=ACTOR)
    (found,) = positions.positions(estate.session, estate.rossi.household_id, TODAY)
    assert found.balance == 0 and found.up_to_date and found.overdue_since is None
    assert found.to_pay == 0


def test_overdue_is_dated_by_the_oldest_charge_still_unpaid(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 3, 5), "100.00")
    estate.charge(estate.rossi, date(2025, 4, 5), "100.00")
    estate.charge(estate.rossi, date(2025, 7, 5), "100.00")  # not yet due on TODAY
    # Pays one charge's worth: the oldest is settled, so the debt runs from April.
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 4, 20), actor=ACTOR)
    (found,) = positions.positions(estate.session, estate.rossi.household_id, TODAY)
    assert found.overdue == Decimal("100.00") and found.overdue_since == date(2025, 4, 5)
    assert found.balance == Decimal("100.00")  # the July charge is not posted as of TODAY
    later = positions.positions(estate.session, estate.rossi.household_id, date(2025, 7, 6))[0]
    assert later.balance == Decimal("200.00") and later.overdue == Decimal("200.00")


def test_an_overpayment_is_credit_and_nothing_is_to_pay(estate: Estate) -> None:
    estate.charge(estate.rossi, date(2025, 5, 10), "80.00")
    record_payment(estate.session, estate.rossi, "100.00", date(2025, 5, 12), actor=ACTOR)
    (found,) = positions.positions(estate.session, estate.rossi.household_id, TODAY)
    assert found.balance == Decimal("-20.00") and found.to_pay == 0 and found.up_to_date


def test_the_reference_is_that_of_the_household_account_and_the_iban_the_creditor_s(
    estate: Estate,
) -> None:
    creditor = estate.session.get(CreditorBook, estate.book.id)
    creditor.iban = "IT60X0542811101000000123456"
    estate.session.flush()
    (found,) = positions.positions(estate.session, estate.rossi.household_id, TODAY)
    assert found.reference == estate.rossi.rf_reference
    assert found.iban == "IT60X0542811101000000123456"
    assert found.creditor == estate.building.name


def test_a_household_without_accounts_has_no_positions(estate: Estate, session: Session) -> None:
    from tests import factories

    assert positions.positions(session, factories.household(session, estate.agency).id, TODAY) == []


def test_the_qr_code_holds_exactly_the_epc_payment_printed_beside_it() -> None:
    svg = epc_svg("ALER Milano", "IT60 X054 2811 1010 0000 0123 456", Decimal("259.05"),
                  "RF18539007547034", "QR")  # fmt: skip
    # The EPC069-12 fields, one per line: service tag, version, character set, identification,
    # BIC (optional), beneficiary, IBAN, amount, purpose, structured reference.
    fields = ["BCD", "002", "2", "SCT", "", "ALER Milano", "IT60X0542811101000000123456",
              "EUR259.05", "", "RF18539007547034"]  # fmt: skip
    payload = "\n".join(fields)
    expected = segno.make_qr(payload.encode(), error="m", boost_error=False)
    assert svg is not None
    assert svg == expected.svg_inline(scale=4, title="QR", svgclass="epc-qr")


def test_no_qr_code_when_there_is_nothing_to_pay_or_nowhere_to_pay_it() -> None:
    assert epc_svg("ALER", "IT60X0542811101000000123456", Decimal("0.00"), "RF18", "QR") is None
    assert epc_svg("ALER", "", Decimal("10.00"), "RF18", "QR") is None


def test_the_resident_reads_the_balance_in_plain_words(client, site) -> None:
    page = text(resident(client, site).get("/portal/"))
    # The Rossi household owes two charges of 150.00 of January and February 2025.
    assert "Devi 300,00\xa0€" in page and "scaduti dal 10 gennaio 2025" in page
    # The household's reference is printed, whether or not the creditor has given an IBAN yet
    # (other tests of the shared site set one).
    assert re.search(r"RF\d\d( \d{4}){3} \d\d", page)


def test_the_resident_lands_on_the_portal_after_logging_in(client, site) -> None:
    response = login(client, site.a.users[Role.RESIDENT])
    assert response.headers["Location"] == "/portal/"


def test_the_balance_speaks_english_on_request(client, site) -> None:
    resident(client, site)
    token = csrf_token(client, "/portal/")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/"})
    page = text(client.get("/portal/"))
    assert "You owe €300.00 to" in page
    assert "overdue since January 10, 2025" in page


def test_staff_do_not_get_the_portal(client, site) -> None:
    for role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.HOUSING_BODY):
        c = client.application.test_client()
        login(c, site.a.users[role])
        assert c.get("/portal/").status_code == 403, role
