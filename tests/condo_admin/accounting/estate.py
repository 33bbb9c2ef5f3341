"""A small building with a service-charge book and households in debt, for payment tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account, debtor_account, open_creditor_book
from condo_admin.accounting.models import BookPurpose, DebtorAccount
from condo_admin.registry import operations as registry
from ledger.models import JournalEntry
from ledger.posting import Leg, post
from tests import factories
from tests.factories import ACTOR


class Estate:
    """One building, one book (income category ``FEES``) and one debtor per flat."""

    def __init__(self, session: Session, flats: tuple[str, ...] = ("A01", "A02")) -> None:
        self.session = session
        self.agency = factories.agency(session)
        self.body = registry.create_housing_body(
            session, self.agency, factories.unique("HB"), "ALER", "public", actor=ACTOR
        )
        self.building = factories.building(session, self.agency)
        self.book = open_creditor_book(
            session,
            factories.unique("SPE"),
            "Spese",
            creditor=self.building,
            purpose=BookPurpose.SERVICE_CHARGES,
            opened_on=date(2024, 1, 1),
            income_categories={"FEES": "Quote"},
            actor=ACTOR,
        )
        self.income = book_account(session, self.book, "INC.FEES")
        self.debtors: list[DebtorAccount] = []
        for code in flats:
            flat = registry.create_unit(
                session, self.building, code, "flat", owner_body=self.body, actor=ACTOR
            )
            household = factories.household(session, self.agency)
            occupancy = registry.start_occupancy(
                session, household, flat, start=date(2024, 1, 1), actor=ACTOR
            )
            self.debtors.append(debtor_account(session, self.book, occupancy, actor=ACTOR))
        self.rossi, self.bianchi = self.debtors[:2]

    def charge(self, debtor: DebtorAccount, day: date, amount: str) -> int:
        return post(
            self.session,
            self.book,
            day,
            [Leg(debtor.account, amount), Leg(self.income, f"-{amount}")],
            memo=f"Rata {day:%m/%Y}",
            actor=ACTOR,
        ).id

    def entries(self) -> int:
        return self.session.scalar(select(func.count()).select_from(JournalEntry))
