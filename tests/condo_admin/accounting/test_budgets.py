"""Share tables and budgets: refused clearly when wrong, split exactly when approved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.budgets import (
    LineSpec,
    approve_budget,
    create_budget,
    installment_charges,
)
from condo_admin.accounting.errors import (
    BudgetAlreadyApproved,
    CategoryWithoutTable,
    CreditorHasBook,
    DuplicateShareTable,
    InvalidBudget,
    InvalidShare,
    SharesDoNotSum,
    UnitOfAnotherBuilding,
)
from condo_admin.accounting.models import (
    Budget,
    BudgetAllotment,
    BudgetStatus,
    Share,
    ShareTable,
)
from condo_admin.accounting.shares import define_share_table, revise_shares
from condo_admin.audit.models import AuditEvent
from ledger.errors import InvalidAmount
from ledger.models import Account
from tests import factories
from tests.factories import ACTOR

DUE = [date(2025, 1, 15), date(2025, 4, 15), date(2025, 7, 15), date(2025, 10, 15)]


@pytest.fixture
def building(session: Session):
    building = factories.building(session)
    for code in ("A01", "A02", "A03"):
        factories.unit(session, building, code)
    return building


def units(building):
    return {u.code: u for u in building.units}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def general_table(session: Session, building, code: str = "GEN") -> ShareTable:
    u = units(building)
    return define_share_table(
        session,
        building,
        code,
        "Proprietà generale",
        "general",
        {u["A01"]: "333.3333", u["A02"]: "333.3333", u["A03"]: "333.3334"},
        actor=ACTOR,
    )


class TestShareTables:
    def test_a_table_whose_shares_sum_to_1000_is_kept_with_an_audit_record(
        self, session: Session, building
    ) -> None:
        table = general_table(session, building)
        assert sum(s.thousandths for s in table.shares) == Decimal(1000)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "share_table.define")
        ).one()
        assert event.after == {"A01": "333.3333", "A02": "333.3333", "A03": "333.3334"}

    def test_shares_not_summing_to_1000_are_refused_naming_table_and_sum(
        self, session: Session, building
    ) -> None:
        u = units(building)
        before = count(session, ShareTable), count(session, Share)
        with pytest.raises(SharesDoNotSum) as refused:
            define_share_table(
                session,
                building,
                "LIFT",
                "Ascensore",
                "lift",
                {u["A01"]: "400", u["A02"]: "400", u["A03"]: "199.5"},
                actor=ACTOR,
            )
        assert str(refused.value) == (
            f"Share table {building.code}/LIFT: "
            "the shares sum to 999.5 thousandths instead of 1000."
        )
        assert (count(session, ShareTable), count(session, Share)) == before

    @pytest.mark.parametrize(
        ("value", "reason"),
        [("-1", "must not be negative"), ("abc", "expected a number"), ("1.00001", "at most 4")],
    )
    def test_a_bad_share_is_refused_naming_the_unit(
        self, session: Session, building, value: str, reason: str
    ) -> None:
        u = units(building)
        with pytest.raises(
            InvalidShare, match=f"unit A02: '{value}' is not a valid share .*{reason}"
        ):
            define_share_table(
                session,
                building,
                "X",
                "X",
                "other",
                {u["A01"]: "500", u["A02"]: value, u["A03"]: "500"},
                actor=ACTOR,
            )

    def test_a_unit_of_another_building_is_refused(self, session: Session, building) -> None:
        stranger = factories.unit(session, factories.building(session), "Z9")
        with pytest.raises(UnitOfAnotherBuilding, match=r"unit .*/Z9 is not in building"):
            define_share_table(
                session, building, "X", "X", "other", {stranger: "1000"}, actor=ACTOR
            )

    def test_table_codes_are_unique_in_a_building(self, session: Session, building) -> None:
        general_table(session, building)
        with pytest.raises(DuplicateShareTable, match="already has a share table 'GEN'"):
            general_table(session, building)

    def test_a_revision_replaces_all_shares_and_keeps_the_old_ones_in_the_audit_log(
        self, session: Session, building
    ) -> None:
        table = general_table(session, building)
        u = units(building)
        revise_shares(session, table, {u["A01"]: 500, u["A02"]: 500}, actor="anna")
        assert {s.unit.code: s.thousandths for s in table.shares} == {
            "A01": Decimal(500),
            "A02": Decimal(500),
        }
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "share_table.revise")
        ).one()
        assert event.actor == "anna" and event.before["A03"] == "333.3334"


class TestBudgets:
    def make(self, session: Session, building, **overrides):
        table = overrides.pop("table", None) or general_table(session, building)
        if "book" not in overrides and "book" not in session.info:
            session.info["book"] = factories.service_book(session, building)
        args = {
            "book": session.info.get("book"),
            "lines": [
                LineSpec("CLEANING", "Pulizia scale", "1000.00", table),
                LineSpec("LIFT", "Ascensore", "600.01", table),
            ],
            "due_dates": DUE,
            "actor": ACTOR,
        } | overrides
        return create_budget(session, building, 2025, **args)

    def test_approval_splits_each_category_exactly_by_its_table(
        self, session: Session, building
    ) -> None:
        budget = approve_budget(session, self.make(session, building), actor="anna")
        assert budget.status is BudgetStatus.APPROVED and budget.approved_by == "anna"
        allotments = session.scalars(select(BudgetAllotment)).all()
        by_line: dict[str, dict[str, int]] = {}
        for a in allotments:
            by_line.setdefault(a.line.category, {})[a.unit.code] = a.amount_cents
        assert by_line == {
            "CLEANING": {"A01": 333_33, "A02": 333_33, "A03": 333_34},
            "LIFT": {"A01": 200_00, "A02": 200_00, "A03": 200_01},
        }

    def test_installments_add_up_to_each_units_yearly_part(
        self, session: Session, building
    ) -> None:
        budget = approve_budget(session, self.make(session, building), actor=ACTOR)
        charges = installment_charges(session, budget)
        assert len(charges) == 3 * 4
        a03 = [c for c in charges if c.unit_id == units(building)["A03"].id]
        assert [c.due_date for c in a03] == DUE
        assert [c.by_category["CLEANING"] for c in a03] == [83_34, 83_34, 83_33, 83_33]
        assert sum(c.total_cents for c in charges) == 1600_01
        # One unit's installments alone (the residents' portal) are the same lines.
        assert installment_charges(session, budget, unit_id=units(building)["A03"].id) == a03

    def test_approval_opens_an_income_account_per_category(
        self, session: Session, building
    ) -> None:
        budget = approve_budget(session, self.make(session, building), actor=ACTOR)
        codes = set(session.scalars(select(Account.code).where(Account.book_id == budget.book_id)))
        assert {"INC.CLEANING", "INC.LIFT"} <= codes

    def test_an_approved_budget_is_frozen(self, session: Session, building) -> None:
        budget = approve_budget(session, self.make(session, building), actor=ACTOR)
        with pytest.raises(
            BudgetAlreadyApproved, match=f"Budget {building.code} 2025 was approved"
        ):
            approve_budget(session, budget, actor=ACTOR)

    def test_a_revised_table_does_not_change_an_approved_budget(
        self, session: Session, building
    ) -> None:
        table = general_table(session, building)
        budget = approve_budget(session, self.make(session, building, table=table), actor=ACTOR)
        before = [c.total_cents for c in installment_charges(session, budget)]
        u = units(building)
        revise_shares(session, table, {u["A01"]: 1000}, actor=ACTOR)
        assert [c.total_cents for c in installment_charges(session, budget)] == before

    def test_a_category_without_a_table_is_refused_and_nothing_is_written(
        self, session: Session, building
    ) -> None:
        before = count(session, Budget)
        with pytest.raises(CategoryWithoutTable, match="category HEATING has no share table"):
            self.make(session, building, lines=[LineSpec("HEATING", "Riscaldamento", "900", None)])
        assert count(session, Budget) == before

    @pytest.mark.parametrize(
        ("overrides", "problem"),
        [
            ({"due_dates": []}, "give between 1 and 12 installment due dates"),
            ({"due_dates": [date(2025, 4, 1), date(2025, 1, 1)]}, "must be in order"),
            ({"lines": []}, "at least one expense category"),
        ],
    )
    def test_malformed_budgets_are_refused(
        self, session: Session, building, overrides, problem
    ) -> None:
        with pytest.raises(InvalidBudget, match=problem):
            self.make(session, building, **overrides)

    def test_amounts_are_exact_and_positive(self, session: Session, building) -> None:
        table = general_table(session, building)
        with pytest.raises(InvalidAmount, match=r"category CLEANING amount: '10\.001'"):
            self.make(
                session, building, table=table, lines=[LineSpec("CLEANING", "P", "10.001", table)]
            )
        with pytest.raises(InvalidBudget, match="amount must be positive"):
            self.make(
                session, building, table=table, lines=[LineSpec("CLEANING", "P", "-5", table)]
            )

    def test_one_budget_per_building_and_year(self, session: Session, building) -> None:
        table = general_table(session, building)
        self.make(session, building, table=table)
        with pytest.raises(InvalidBudget, match="a budget for 2025 already exists"):
            self.make(session, building, table=table)

    def test_a_building_has_one_service_charge_book(self, session: Session, building) -> None:
        first = factories.service_book(session, building)
        with pytest.raises(
            CreditorHasBook, match=f"Building {building.code} already has its book {first.code}"
        ):
            factories.service_book(session, building)

    def test_the_book_must_be_the_buildings_service_charge_book(
        self, session: Session, building
    ) -> None:
        other = factories.building(session)
        with pytest.raises(InvalidBudget, match="is not this building's service-charge book"):
            self.make(session, building, book=factories.service_book(session, other))
