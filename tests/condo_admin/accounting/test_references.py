"""Every debtor account has a stable, valid RF creditor reference that finds it again."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from stdnum import iso11649

from condo_admin.accounting.books import debtor_account
from condo_admin.accounting.references import find_by_reference, printable, rf_reference
from condo_admin.registry import operations as registry
from tests import factories
from tests.factories import ACTOR


def test_references_are_valid_iso_11649_and_distinct() -> None:
    references = {rf_reference(book, account) for book in (1, 2, 999) for account in range(1, 200)}
    assert len(references) == 3 * 199
    assert all(iso11649.is_valid(r) and len(r) <= 25 for r in references)


def test_a_debtor_account_keeps_its_reference_and_is_found_by_it(session: Session) -> None:
    agency = factories.agency(session)
    building = factories.building(session, agency)
    unit = factories.unit(session, building)
    occupancy = registry.start_occupancy(
        session, factories.household(session, agency), unit, start=date(2024, 1, 1), actor=ACTOR
    )
    book = factories.service_book(session, building)
    debtor = debtor_account(session, book, occupancy, actor=ACTOR)
    assert debtor.rf_reference == rf_reference(book.id, debtor.account_id)
    assert debtor_account(session, book, occupancy, actor=ACTOR).rf_reference == debtor.rf_reference
    spaced = printable(debtor.rf_reference).lower()
    assert find_by_reference(session, spaced) is debtor
    assert find_by_reference(session, "RF00 1234") is None
