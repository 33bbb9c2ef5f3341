"""The registry: codes, tax codes and occupancy history, refused clearly when wrong."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent
from condo_admin.registry import operations as registry
from condo_admin.registry.errors import (
    DuplicateCode,
    DuplicateTaxCode,
    InvalidDateRange,
    InvalidField,
    InvalidTaxCode,
    OccupancyAlreadyEnded,
    OverlappingOccupancy,
    TaxCodeBirthDateMismatch,
    TaxCodeRequired,
    UnitNotAvailable,
)
from condo_admin.registry.models import Occupancy, Person, UnitStatus
from tests import factories
from tests.factories import ACTOR, TAX_CODES


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


class TestUnits:
    def test_unit_codes_are_unique_within_a_building(self, session: Session) -> None:
        building = factories.building(session)
        registry.create_unit(session, building, "A-01", "flat", actor=ACTOR)
        with pytest.raises(DuplicateCode, match=r"Unit code 'A-01' is already used in building"):
            registry.create_unit(session, building, "A-01", "garage", actor=ACTOR)

    def test_the_same_unit_code_may_exist_in_another_building(self, session: Session) -> None:
        agency = factories.agency(session)
        first, second = factories.building(session, agency), factories.building(session, agency)
        registry.create_unit(session, first, "A-01", "flat", actor=ACTOR)
        unit = registry.create_unit(session, second, "A-01", "flat", actor=ACTOR)
        assert unit.label == f"{second.code}/A-01"

    def test_a_unit_belongs_to_a_staircase_and_an_owning_body(self, session: Session) -> None:
        agency = factories.agency(session)
        building = factories.building(session, agency, staircases=("A", "B"))
        body = registry.create_housing_body(
            session, agency, "ALER", "ALER Milano", "public", actor=ACTOR
        )
        unit = registry.create_unit(
            session,
            building,
            "B-12",
            "flat",
            staircase=building.staircases[1],
            owner_body=body,
            floor="3",
            area_sqm="64.50",
            actor=ACTOR,
        )
        assert (unit.staircase.code, unit.owner_body.code, str(unit.area_sqm)) == (
            "B",
            "ALER",
            "64.50",
        )
        assert unit.status is UnitStatus.VACANT

    @pytest.mark.parametrize(
        ("field", "kwargs", "message"),
        [
            (
                "kind",
                {"kind": "castle"},
                r"unit kind: 'castle' is not valid \(expected one of flat",
            ),
            ("code", {"code": "A 01"}, r"unit code: 'A 01' is not valid"),
            ("area", {"area_sqm": "12.345"}, r"area \(m²\): '12.345' is not valid"),
            ("status", {"status": "occupied"}, r"a unit becomes occupied by an occupancy"),
        ],
    )
    def test_bad_unit_fields_are_refused_by_name(
        self, session: Session, field, kwargs, message
    ) -> None:
        building = factories.building(session)
        args = {"code": "A-02", "kind": "flat"} | kwargs
        code, kind = args.pop("code"), args.pop("kind")
        with pytest.raises(InvalidField, match=message):
            registry.create_unit(session, building, code, kind, actor=ACTOR, **args)

    def test_building_address_is_checked(self, session: Session) -> None:
        agency = factories.agency(session)
        with pytest.raises(
            InvalidField, match=r"postcode: '2012' is not valid \(expected five digits"
        ):
            registry.create_building(
                session,
                agency,
                "B9",
                "X",
                address="Via X 1",
                postcode="2012",
                city="Milano",
                province="MI",
                actor=ACTOR,
            )


class TestPeople:
    def test_a_valid_tax_code_is_stored_compact_and_upper_case(self, session: Session) -> None:
        agency = factories.agency(session)
        code, born = TAX_CODES[3]
        person = factories.person(session, agency, code.lower(), born)
        assert person.tax_code == code

    def test_an_invalid_tax_code_is_refused_and_nothing_is_written(self, session: Session) -> None:
        agency = factories.agency(session)
        before = count(session, Person)
        with pytest.raises(
            InvalidTaxCode,
            match=r"Tax code 'RCCMNL83S18D969X' of Maria Rossi is not valid: .*check",
        ):
            factories.person(session, agency, "RCCMNL83S18D969X")
        assert count(session, Person) == before

    def test_a_tax_code_must_match_the_birth_date(self, session: Session) -> None:
        agency = factories.agency(session)
        with pytest.raises(TaxCodeBirthDateMismatch, match="encodes the birth date 18/11/83"):
            factories.person(session, agency, "RCCMNL83S18D969H", date(1983, 11, 19))

    def test_an_adult_needs_a_tax_code(self, session: Session) -> None:
        agency = factories.agency(session)
        with pytest.raises(TaxCodeRequired, match="Maria Rossi needs a tax code"):
            factories.person(session, agency, None, date(1990, 5, 1))
        with pytest.raises(TaxCodeRequired):
            factories.person(session, agency, None, None)

    def test_a_minor_may_have_no_tax_code(self, session: Session) -> None:
        agency = factories.agency(session)
        child = registry.create_person(
            session,
            agency,
            "Luca",
            "Rossi",
            birth_date=date(2015, 6, 1),
            today=date(2026, 1, 1),
            actor=ACTOR,
        )
        assert child.tax_code is None

    def test_a_tax_code_is_registered_once_per_agency(self, session: Session) -> None:
        agency = factories.agency(session)
        code, born = TAX_CODES[0]
        factories.person(session, agency, code, born)
        with pytest.raises(DuplicateTaxCode, match=f"{code}.*already registered for Maria Rossi"):
            factories.person(session, agency, code, born)


class TestOccupancies:
    def test_overlapping_occupancies_of_one_unit_are_refused_with_who_and_when(
        self, session: Session
    ) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency), "A-01")
        first, second = factories.household(session, agency), factories.household(session, agency)
        registry.start_occupancy(session, first, unit, start=date(2021, 3, 1), actor=ACTOR)
        before = count(session, Occupancy)
        with pytest.raises(OverlappingOccupancy) as refused:
            registry.start_occupancy(session, second, unit, start=date(2022, 1, 1), actor=ACTOR)
        message = str(refused.value)
        assert f"Unit {unit.label} is already occupied by household {first.code}" in message
        assert "from 2021-03-01" in message and "2022-01-01" in message
        assert count(session, Occupancy) == before

    @pytest.mark.parametrize(
        ("start", "end", "overlaps"),
        [
            (date(2019, 1, 1), date(2020, 12, 31), False),  # ends the day before
            (date(2019, 1, 1), date(2021, 1, 1), True),  # shares the first day
            (date(2021, 6, 30), None, True),  # shares the last day
            (date(2021, 7, 1), None, False),  # starts the day after
            (date(2021, 2, 1), date(2021, 3, 1), True),  # inside
        ],
    )
    def test_occupancy_dates_are_inclusive(self, session: Session, start, end, overlaps) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency))
        first, second = factories.household(session, agency), factories.household(session, agency)
        registry.start_occupancy(
            session, first, unit, start=date(2021, 1, 1), end=date(2021, 6, 30), actor=ACTOR
        )
        if overlaps:
            with pytest.raises(OverlappingOccupancy):
                registry.start_occupancy(session, second, unit, start=start, end=end, actor=ACTOR)
        else:
            registry.start_occupancy(session, second, unit, start=start, end=end, actor=ACTOR)

    def test_moving_out_keeps_history_and_frees_the_unit(self, session: Session) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency))
        old, new = factories.household(session, agency), factories.household(session, agency)
        first = registry.start_occupancy(session, old, unit, start=date(2020, 1, 1), actor=ACTOR)
        assert unit.status is UnitStatus.OCCUPIED
        registry.end_occupancy(session, first, date(2023, 5, 31), actor=ACTOR)
        assert unit.status is UnitStatus.VACANT
        registry.start_occupancy(session, new, unit, start=date(2023, 6, 1), actor=ACTOR)
        assert registry.occupancy_on(session, unit, date(2023, 5, 31)).household_id == old.id
        assert registry.occupancy_on(session, unit, date(2023, 6, 1)).household_id == new.id
        assert [o.household_id for o in old.occupancies] == [old.id]

    def test_an_occupancy_cannot_end_before_it_starts_or_end_twice(self, session: Session) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency))
        occupancy = registry.start_occupancy(
            session, factories.household(session, agency), unit, start=date(2022, 1, 1), actor=ACTOR
        )
        with pytest.raises(
            InvalidDateRange, match="end date 2021-12-31 is before the start date 2022-01-01"
        ):
            registry.end_occupancy(session, occupancy, date(2021, 12, 31), actor=ACTOR)
        registry.end_occupancy(session, occupancy, date(2022, 12, 31), actor=ACTOR)
        with pytest.raises(OccupancyAlreadyEnded, match="already ended on 2022-12-31"):
            registry.end_occupancy(session, occupancy, date(2023, 1, 31), actor=ACTOR)

    def test_a_unit_under_renovation_cannot_be_let(self, session: Session) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency))
        registry.set_unit_status(session, unit, "under_renovation", actor=ACTOR)
        with pytest.raises(UnitNotAvailable, match="is under renovation"):
            registry.start_occupancy(
                session,
                factories.household(session, agency),
                unit,
                start=date(2024, 1, 1),
                actor=ACTOR,
            )

    def test_an_occupied_unit_cannot_be_marked_vacant(self, session: Session) -> None:
        agency = factories.agency(session)
        unit = factories.unit(session, factories.building(session, agency))
        registry.start_occupancy(
            session, factories.household(session, agency), unit, start=date(2024, 1, 1), actor=ACTOR
        )
        with pytest.raises(UnitNotAvailable, match="end the occupancy first"):
            registry.set_unit_status(session, unit, "vacant", actor=ACTOR)


def test_every_registry_change_is_in_the_audit_log(session: Session) -> None:
    agency = factories.agency(session)
    unit = factories.unit(session, factories.building(session, agency))
    household = factories.household(session, agency)
    occupancy = registry.start_occupancy(
        session, household, unit, start=date(2024, 1, 1), actor="maria"
    )
    registry.end_occupancy(session, occupancy, date(2024, 6, 30), actor="luigi")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Occupancy", AuditEvent.target_id == occupancy.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor) for e in events] == [
        ("occupancy.start", "maria"),
        ("occupancy.end", "luigi"),
    ]
    assert events[1].before["end_date"] is None and events[1].after["end_date"] == "2024-06-30"
