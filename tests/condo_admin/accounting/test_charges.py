"""Charge runs: installments to the occupant on the due date, rent by days, once per month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import open_creditor_book
from condo_admin.accounting.budgets import LineSpec, approve_budget, create_budget
from condo_admin.accounting.charges import Period, run_charges, set_rent
from condo_admin.accounting.errors import InvalidPeriod, InvalidRent, NothingToCharge
from condo_admin.accounting.models import BookPurpose, DebtorAccount
from condo_admin.accounting.shares import define_share_table
from condo_admin.registry import operations as registry
from ledger.models import JournalEntry
from ledger.queries import balance, book_total
from tests import factories
from tests.factories import ACTOR


@pytest.fixture
def estate(session: Session):
    """A building of three flats owned by one housing body, two of them let."""
    agency = factories.agency(session)
    body = registry.create_housing_body(
        session, agency, factories.unique("HB"), "ALER", "public", actor=ACTOR
    )
    building = factories.building(session, agency)
    flats = {
        code: registry.create_unit(session, building, code, "flat", owner_body=body, actor=ACTOR)
        for code in ("A01", "A02", "A03")
    }
    households = {code: factories.household(session, agency) for code in ("A01", "A02")}
    for code, household in households.items():
        registry.start_occupancy(
            session, household, flats[code], start=date(2024, 1, 1), actor=ACTOR
        )
    return {
        "agency": agency,
        "body": body,
        "building": building,
        "flats": flats,
        "households": households,
    }


def debtor_balance(session: Session, book, household) -> Decimal:
    accounts = session.scalars(
        select(DebtorAccount).where(
            DebtorAccount.book_id == book.id, DebtorAccount.household_id == household.id
        )
    ).all()
    return sum((balance(session, d.account_id) for d in accounts), Decimal("0.00"))


def entries_of(session: Session, book) -> int:
    return session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.book_id == book.id)
    )


class TestServiceCharges:
    @pytest.fixture
    def book(self, session: Session, estate):
        building, flats = estate["building"], estate["flats"]
        book = factories.service_book(session, building)
        table = define_share_table(
            session,
            building,
            "GEN",
            "Generale",
            "general",
            {flats["A01"]: "500", flats["A02"]: "300", flats["A03"]: "200"},
            actor=ACTOR,
        )
        budget = create_budget(
            session,
            building,
            2025,
            book=book,
            lines=[
                LineSpec("CLEANING", "Pulizia", "1200.00", table),
                LineSpec("LIFT", "Ascensore", "400.00", table),
            ],
            due_dates=[date(2025, 1, 15), date(2025, 7, 15)],
            actor=ACTOR,
        )
        approve_budget(session, budget, actor=ACTOR)
        return book

    def test_installments_due_in_the_month_go_to_each_occupant(
        self, session: Session, estate, book
    ) -> None:
        result = run_charges(session, book, Period.parse("2025-01"), actor=ACTOR)
        assert (result.entries, result.total, result.created) == (2, Decimal("640.00"), True)
        assert debtor_balance(session, book, estate["households"]["A01"]) == Decimal("400.00")
        assert debtor_balance(session, book, estate["households"]["A02"]) == Decimal("240.00")
        assert result.not_charged == [f"{estate['flats']['A03'].label}: vacant on 2025-01-15"]
        assert book_total(session, book) == 0

    def test_running_a_month_again_posts_nothing_and_reports_the_first_run(
        self, session: Session, book
    ) -> None:
        first = run_charges(session, book, Period.parse("2025-01"), actor=ACTOR)
        before = entries_of(session, book)
        again = run_charges(session, book, Period.parse("2025-01"), actor=ACTOR)
        assert entries_of(session, book) == before
        assert (again.created, again.entries, again.total) == (False, first.entries, first.total)

    def test_the_installment_goes_to_whoever_lives_there_on_the_due_date(
        self, session: Session, estate, book
    ) -> None:
        occupancy = estate["households"]["A02"].occupancies[0]
        registry.end_occupancy(session, occupancy, date(2025, 1, 10), actor=ACTOR)
        newcomer = factories.household(session, estate["agency"])
        registry.start_occupancy(
            session, newcomer, estate["flats"]["A02"], start=date(2025, 1, 11), actor=ACTOR
        )
        run_charges(session, book, Period.parse("2025-01"), actor=ACTOR)
        assert debtor_balance(session, book, newcomer) == Decimal("240.00")
        assert debtor_balance(session, book, estate["households"]["A02"]) == Decimal("0.00")

    def test_a_month_without_installments_is_refused_with_the_reason(
        self, session: Session, estate, book
    ) -> None:
        with pytest.raises(
            NothingToCharge,
            match=r"no approved budget of building .* has an installment due in 2025-02",
        ):
            run_charges(session, book, Period.parse("2025-02"), actor=ACTOR)
        assert entries_of(session, book) == 0


class TestRent:
    @pytest.fixture
    def book(self, session: Session, estate):
        book = open_creditor_book(
            session,
            factories.unique("CAN"),
            "Canoni",
            creditor=estate["body"],
            purpose=BookPurpose.RENT,
            opened_on=date(2024, 1, 1),
            income_categories={"RENT": "Canoni"},
            actor=ACTOR,
        )
        for code in ("A01", "A02", "A03"):
            set_rent(
                session, estate["flats"][code], "310.00", valid_from=date(2024, 1, 1), actor=ACTOR
            )
        set_rent(
            session, estate["flats"]["A01"], "320.00", valid_from=date(2025, 3, 1), actor=ACTOR
        )
        return book

    def test_the_rent_in_force_is_charged_to_each_occupant(
        self, session: Session, estate, book
    ) -> None:
        result = run_charges(session, book, Period.parse("2025-03"), actor=ACTOR)
        assert result.total == Decimal("630.00")
        assert debtor_balance(session, book, estate["households"]["A01"]) == Decimal("320.00")
        assert result.not_charged == [f"{estate['flats']['A03'].label}: vacant 31 of 31 days"]

    def test_a_move_during_the_month_splits_the_rent_by_days(
        self, session: Session, estate, book
    ) -> None:
        occupancy = estate["households"]["A02"].occupancies[0]
        registry.end_occupancy(session, occupancy, date(2025, 4, 10), actor=ACTOR)
        newcomer = factories.household(session, estate["agency"])
        registry.start_occupancy(
            session, newcomer, estate["flats"]["A02"], start=date(2025, 4, 16), actor=ACTOR
        )
        result = run_charges(session, book, Period.parse("2025-04"), actor=ACTOR)
        # 310.00 over 30 days: 10 days leaving, 5 days vacant, 15 days arriving.
        assert debtor_balance(session, book, estate["households"]["A02"]) == Decimal("103.33")
        assert debtor_balance(session, book, newcomer) == Decimal("155.00")
        assert f"{estate['flats']['A02'].label}: vacant 5 of 30 days" in result.not_charged
        entry = session.scalars(
            select(JournalEntry).where(
                JournalEntry.book_id == book.id, JournalEntry.memo.like("%15/30%")
            )
        ).one()
        assert entry.entry_date == date(2025, 4, 16)

    def test_rent_must_be_positive_and_start_on_the_first(
        self, session: Session, estate, book
    ) -> None:
        flat = estate["flats"]["A03"]
        with pytest.raises(InvalidRent, match="must be positive"):
            set_rent(session, flat, "0", valid_from=date(2025, 1, 1), actor=ACTOR)
        with pytest.raises(InvalidRent, match="first day of a month"):
            set_rent(session, flat, "100", valid_from=date(2025, 1, 2), actor=ACTOR)
        with pytest.raises(InvalidRent, match="already set"):
            set_rent(session, flat, "100", valid_from=date(2024, 1, 1), actor=ACTOR)


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "25-01", "January", ""])
def test_a_period_is_year_and_month(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="expected YYYY-MM"):
        Period.parse(text)
