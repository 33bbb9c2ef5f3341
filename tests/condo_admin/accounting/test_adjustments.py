"""Year-end adjustments and one-off charges, charged to whoever lives in the unit on the day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.adjustments import charge_one_off, close_year
from condo_admin.accounting.budgets import LineSpec, approve_budget, create_budget
from condo_admin.accounting.errors import InvalidBudget, InvalidCharge
from condo_admin.accounting.models import BudgetStatus
from condo_admin.accounting.shares import define_share_table
from condo_admin.registry import operations as registry
from ledger.models import JournalEntry
from ledger.queries import book_total
from tests import factories
from tests.condo_admin.accounting.test_charges import debtor_balance
from tests.factories import ACTOR


@pytest.fixture
def setup(session: Session):
    agency = factories.agency(session)
    building = factories.building(session, agency)
    flats = {c: factories.unit(session, building, c) for c in ("A01", "A02", "A03")}
    households = {c: factories.household(session, agency) for c in ("A01", "A02")}
    for code, household in households.items():
        registry.start_occupancy(
            session, household, flats[code], start=date(2024, 1, 1), actor=ACTOR
        )
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
            LineSpec("CLEANING", "Pulizia", "1000.00", table),
            LineSpec("LIFT", "Ascensore", "500.00", table),
        ],
        due_dates=[date(2025, 1, 15)],
        actor=ACTOR,
    )
    approve_budget(session, budget, actor=ACTOR)
    return {
        "book": book,
        "budget": budget,
        "flats": flats,
        "households": households,
        "table": table,
        "agency": agency,
    }


def entries(session: Session, book) -> int:
    return session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.book_id == book.id)
    )


class TestYearEnd:
    def test_each_unit_is_charged_or_credited_its_actual_minus_budgeted_part(
        self, session: Session, setup
    ) -> None:
        # Cleaning cost 200.00 more than budgeted, the lift 100.00 less.
        result = close_year(
            session,
            setup["budget"],
            {"CLEANING": "1200.00", "LIFT": "400.00"},
            on=date(2026, 3, 31),
            actor=ACTOR,
        )
        a01, a02 = setup["households"]["A01"], setup["households"]["A02"]
        assert debtor_balance(session, setup["book"], a01) == Decimal("50.00")  # +100 -50
        assert debtor_balance(session, setup["book"], a02) == Decimal("30.00")  # +60 -30
        assert result.not_charged == [
            f"{setup['flats']['A03'].label}: vacant on 2026-03-31 (20.00)"
        ]
        assert setup["budget"].status is BudgetStatus.CLOSED
        assert book_total(session, setup["book"]) == 0

    def test_a_unit_whose_categories_cancel_out_is_still_posted_to_the_incomes(
        self, session: Session, setup
    ) -> None:
        result = close_year(
            session,
            setup["budget"],
            {"CLEANING": "1100.00", "LIFT": "400.00"},
            on=date(2026, 3, 31),
            actor=ACTOR,
        )
        assert result.total == Decimal("0.00")
        assert debtor_balance(session, setup["book"], setup["households"]["A01"]) == Decimal("0.00")
        assert entries(session, setup["book"]) == 2  # A01 and A02: +x cleaning, -x lift

    def test_final_accounts_must_name_every_category_once(self, session: Session, setup) -> None:
        with pytest.raises(InvalidBudget, match=r"missing: LIFT; unknown: HEATING"):
            close_year(
                session,
                setup["budget"],
                {"CLEANING": "1", "HEATING": "2"},
                on=date(2026, 1, 1),
                actor=ACTOR,
            )
        assert setup["budget"].status is BudgetStatus.APPROVED

    def test_a_year_closes_once(self, session: Session, setup) -> None:
        actuals = {"CLEANING": "1000.00", "LIFT": "500.00"}
        close_year(session, setup["budget"], actuals, on=date(2026, 3, 31), actor=ACTOR)
        with pytest.raises(InvalidBudget, match="it is closed, not approved"):
            close_year(session, setup["budget"], actuals, on=date(2026, 3, 31), actor=ACTOR)
        with pytest.raises(InvalidBudget, match="it is closed and can no longer change"):
            approve_budget(session, setup["budget"], actor=ACTOR)


class TestOneOff:
    def test_a_charge_split_by_a_table_goes_to_the_occupants(self, session: Session, setup) -> None:
        result = charge_one_off(
            session,
            setup["book"],
            category="ROOF",
            name="Rifacimento tetto",
            amount="3000.00",
            table=setup["table"],
            due=date(2025, 6, 1),
            key="works-2025-01",
            actor=ACTOR,
        )
        assert (result.entries, result.total) == (2, Decimal("2400.00"))
        assert debtor_balance(session, setup["book"], setup["households"]["A01"]) == Decimal(
            "1500.00"
        )
        assert result.not_charged == [
            f"{setup['flats']['A03'].label}: vacant on 2025-06-01 (600.00)"
        ]

    def test_a_charge_to_chosen_units(self, session: Session, setup) -> None:
        charge_one_off(
            session,
            setup["book"],
            category="KEYS",
            name="Duplicato chiavi",
            due=date(2025, 6, 1),
            units={setup["flats"]["A02"]: "25.50"},
            key="keys-7",
            actor=ACTOR,
        )
        assert debtor_balance(session, setup["book"], setup["households"]["A02"]) == Decimal(
            "25.50"
        )

    def test_charging_the_same_key_again_posts_nothing(self, session: Session, setup) -> None:
        args = dict(
            category="KEYS",
            name="Chiavi",
            due=date(2025, 6, 1),
            units={setup["flats"]["A02"]: "25.50"},
            key="keys-7",
            actor=ACTOR,
        )
        charge_one_off(session, setup["book"], **args)
        before = entries(session, setup["book"])
        again = charge_one_off(session, setup["book"], **args)
        assert again.created is False and entries(session, setup["book"]) == before

    @pytest.mark.parametrize(
        ("kwargs", "problem"),
        [
            ({}, "give either a share table or the units"),
            ({"units": {}}, "no unit to charge"),
            ({"amount": "-5", "table": "T"}, "the amount must be positive"),
        ],
    )
    def test_bad_charges_are_refused(self, session: Session, setup, kwargs, problem) -> None:
        kwargs = dict(kwargs)  # parameters are shared between the two databases' runs
        if kwargs.get("table") == "T":
            kwargs["table"] = setup["table"]
        with pytest.raises(InvalidCharge, match=problem):
            charge_one_off(
                session,
                setup["book"],
                category="X",
                name="X",
                due=date(2025, 6, 1),
                key="k",
                actor=ACTOR,
                **kwargs,
            )
        assert entries(session, setup["book"]) == 0


def test_a_closed_year_can_still_charge_an_installment_never_run(session: Session, setup) -> None:
    from condo_admin.accounting.charges import Period, run_charges

    close_year(
        session,
        setup["budget"],
        {"CLEANING": "1000.00", "LIFT": "500.00"},
        on=date(2026, 3, 31),
        actor=ACTOR,
    )
    result = run_charges(session, setup["book"], Period.parse("2025-01"), actor=ACTOR)
    assert result.entries == 2
