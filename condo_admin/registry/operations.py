"""Registry operations: validate everything, then write, flush and audit. The caller commits.

Occupancies are the delicate part: a unit can be lived in by one household at a time, and a
household's history (where it lived, when) must survive it moving on, because debt follows the
household, not the flat.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from condo_admin.audit.operations import record as audit
from condo_admin.audit.operations import snapshot
from condo_admin.registry import validate as v
from condo_admin.registry.errors import (
    AlreadyMember,
    DuplicateCode,
    DuplicateTaxCode,
    InvalidDateRange,
    OccupancyAlreadyEnded,
    OverlappingOccupancy,
    TaxCodeRequired,
    UnitNotAvailable,
    WrongAgency,
)
from condo_admin.registry.models import (
    Agency,
    BodyKind,
    Building,
    Household,
    HouseholdMember,
    HousingBody,
    MemberRole,
    Occupancy,
    Person,
    Staircase,
    Unit,
    UnitKind,
    UnitStatus,
)
from ledger.errors import N_, Phrase

ADULT_AGE = 18


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return datetime.now(UTC).date()


def _unique(session: Session, model: type, what: str, where: str = "", **filters: object) -> None:
    query = select(func.count()).select_from(model).filter_by(**filters)
    if session.scalar(query):
        raise DuplicateCode(what=what, code=filters["code"], where=where)


def create_agency(session: Session, code: str, name: str, *, actor: str) -> Agency:
    code = v.code(code, "agency code")
    _unique(session, Agency, "Agency", code=code)
    agency = Agency(code=code, name=v.text(name, "agency name"), created_at=_now())
    session.add(agency)
    session.flush()
    audit(session, actor, "agency.create", agency)
    return agency


def create_housing_body(
    session: Session,
    agency: Agency,
    code: str,
    name: str,
    kind: BodyKind | str,
    *,
    actor: str,
    vat_number: str | None = None,
) -> HousingBody:
    code = v.code(code, "housing body code")
    _unique(session, HousingBody, "Housing body", agency_id=agency.id, code=code)
    body = HousingBody(
        agency_id=agency.id,
        code=code,
        name=v.text(name, "housing body name"),
        kind=v.choice(kind, BodyKind, "housing body kind"),
        vat_number=v.vat_number(vat_number),
        created_at=_now(),
    )
    session.add(body)
    session.flush()
    audit(session, actor, "housing_body.create", body)
    return body


def create_building(
    session: Session,
    agency: Agency,
    code: str,
    name: str,
    *,
    address: str,
    postcode: str,
    city: str,
    province: str,
    actor: str,
    staircases: tuple[str, ...] = (),
) -> Building:
    code = v.code(code, "building code")
    _unique(session, Building, "Building", agency_id=agency.id, code=code)
    building = Building(
        agency_id=agency.id,
        code=code,
        name=v.text(name, "building name"),
        address=v.text(address, "address"),
        postcode=v.postcode(postcode),
        city=v.text(city, "city", 100),
        province=v.province(province),
        created_at=_now(),
    )
    session.add(building)
    session.flush()
    audit(session, actor, "building.create", building)
    for staircase in staircases:
        add_staircase(session, building, staircase, f"Scala {staircase}", actor=actor)
    return building


def add_staircase(
    session: Session, building: Building, code: str, name: str, *, actor: str
) -> Staircase:
    code = v.code(code, "staircase code", 16)
    _unique(
        session,
        Staircase,
        "Staircase",
        Phrase(N_(" in building %(building)s"), building=building.code),
        building_id=building.id,
        code=code,
    )
    staircase = Staircase(building_id=building.id, code=code, name=v.text(name, "staircase name"))
    session.add(staircase)
    session.flush()
    audit(session, actor, "staircase.create", staircase)
    return staircase


def create_unit(
    session: Session,
    building: Building,
    code: str,
    kind: UnitKind | str,
    *,
    actor: str,
    status: UnitStatus | str = UnitStatus.VACANT,
    owner_body: HousingBody | None = None,
    staircase: Staircase | None = None,
    floor: str | None = None,
    area_sqm: Decimal | str | None = None,
) -> Unit:
    code = v.code(code, "unit code")
    _unique(
        session,
        Unit,
        "Unit",
        Phrase(N_(" in building %(building)s"), building=building.code),
        building_id=building.id,
        code=code,
    )
    if staircase is not None and staircase.building_id != building.id:
        raise WrongAgency(what="Staircase", ref=staircase.code)
    if owner_body is not None and owner_body.agency_id != building.agency_id:
        raise WrongAgency(what="Housing body", ref=owner_body.code)
    status = v.choice(status, UnitStatus, "unit status")
    if status is UnitStatus.OCCUPIED:
        raise v.InvalidField(
            field="unit status",
            value=status.value,
            expected=N_("vacant or under_renovation: a unit becomes occupied by an occupancy"),
        )
    unit = Unit(
        building_id=building.id,
        staircase_id=staircase.id if staircase else None,
        code=code,
        kind=v.choice(kind, UnitKind, "unit kind"),
        status=status,
        owner_body_id=owner_body.id if owner_body else None,
        floor=v.text(floor, "floor", 8, required=False),
        area_sqm=v.amount(area_sqm, "area (m²)"),
    )
    session.add(unit)
    session.flush()
    audit(session, actor, "unit.create", unit)
    return unit


def set_unit_status(session: Session, unit: Unit, status: UnitStatus | str, *, actor: str) -> Unit:
    """Vacant or under renovation are set by hand; occupied only follows an occupancy."""
    status = v.choice(status, UnitStatus, "unit status")
    open_occupancy = _open_occupancy(session, unit)
    if status is UnitStatus.OCCUPIED and open_occupancy is None:
        raise v.InvalidField(
            field="unit status", value=status.value, expected=N_("an occupancy to mark it occupied")
        )
    if status is not UnitStatus.OCCUPIED and open_occupancy is not None:
        raise UnitNotAvailable(unit=unit.label, status=N_("occupied (end the occupancy first)"))
    before = snapshot(unit)
    unit.status = status
    session.flush()
    audit(session, actor, "unit.status", unit, before=before)
    return unit


def _is_minor(birth_date: date, today: date) -> bool:
    years = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return years < ADULT_AGE


def is_minor(person: Person, today: date | None = None) -> bool:
    """Whether ``person`` is under 18 on ``today`` (False when the birth date is unknown)."""
    return person.birth_date is not None and _is_minor(person.birth_date, today or _today())


def create_person(
    session: Session,
    agency: Agency,
    first_name: str,
    last_name: str,
    *,
    actor: str,
    tax_code: str | None = None,
    birth_date: date | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    today: date | None = None,
) -> Person:
    first = v.text(first_name, "first name", 100)
    last = v.text(last_name, "last name", 100)
    name = f"{first} {last}"
    birth_date = v.day(birth_date, "birth date", required=False)
    code = None
    if tax_code is not None and tax_code.strip():
        code = v.tax_code(tax_code, name, birth_date)
        other = session.scalar(
            select(Person).where(Person.agency_id == agency.id, Person.tax_code == code)
        )
        if other is not None:
            raise DuplicateTaxCode(value=code, other=other.full_name)
    elif birth_date is None or not _is_minor(birth_date, today or _today()):
        raise TaxCodeRequired(name=name)
    person = Person(
        agency_id=agency.id,
        first_name=first,
        last_name=last,
        tax_code=code,
        birth_date=birth_date,
        email=v.email(email),
        phone=v.text(phone, "phone", 40, required=False),
        language=v.language(language),
        created_at=_now(),
    )
    session.add(person)
    session.flush()
    audit(session, actor, "person.create", person)
    return person


def create_household(
    session: Session,
    agency: Agency,
    code: str,
    holder: Person,
    *,
    since: date,
    actor: str,
    name: str | None = None,
    language: str | None = None,
) -> Household:
    """A household is created around its account holder (intestatario)."""
    code = v.code(code, "household code")
    _unique(session, Household, "Household", agency_id=agency.id, code=code)
    if holder.agency_id != agency.id:
        raise WrongAgency(what="Person", ref=holder.full_name)
    household = Household(
        agency_id=agency.id,
        code=code,
        name=v.text(name, "household name") if name else f"{holder.last_name} {holder.first_name}",
        language=v.language(language or holder.language),
        created_at=_now(),
    )
    session.add(household)
    session.flush()
    audit(session, actor, "household.create", household)
    add_member(session, household, holder, since=since, role=MemberRole.HOLDER, actor=actor)
    return household


def add_member(
    session: Session,
    household: Household,
    person: Person,
    *,
    since: date,
    actor: str,
    role: MemberRole | str = MemberRole.MEMBER,
) -> HouseholdMember:
    since = v.day(since, "member since")
    current = session.scalar(
        select(HouseholdMember).where(
            HouseholdMember.household_id == household.id,
            HouseholdMember.person_id == person.id,
            HouseholdMember.end_date.is_(None),
        )
    )
    if current is not None:
        raise AlreadyMember(
            person=person.full_name, household=household.code, since=current.start_date
        )
    member = HouseholdMember(
        household_id=household.id,
        person_id=person.id,
        role=v.choice(role, MemberRole, "member role"),
        start_date=since,
    )
    session.add(member)
    session.flush()
    audit(session, actor, "household.member_add", member)
    return member


def _open_occupancy(session: Session, unit: Unit) -> Occupancy | None:
    return session.scalar(
        select(Occupancy).where(Occupancy.unit_id == unit.id, Occupancy.end_date.is_(None))
    )


def _overlapping(
    session: Session, unit: Unit, start: date, end: date | None, exclude: int | None = None
) -> Occupancy | None:
    """The first occupancy of ``unit`` sharing a day with ``[start, end]`` (inclusive)."""
    query = select(Occupancy).where(
        Occupancy.unit_id == unit.id,
        or_(Occupancy.end_date.is_(None), Occupancy.end_date >= start),
    )
    if end is not None:
        query = query.where(Occupancy.start_date <= end)
    if exclude is not None:
        query = query.where(Occupancy.id != exclude)
    return session.scalars(query.order_by(Occupancy.start_date).limit(1)).first()


def _lock_unit(session: Session, unit: Unit) -> None:
    """Serialise occupancy changes of one unit so two desks cannot both let it (PostgreSQL)."""
    session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())


def start_occupancy(
    session: Session,
    household: Household,
    unit: Unit,
    *,
    start: date,
    actor: str,
    end: date | None = None,
) -> Occupancy:
    start = v.day(start, "occupancy start")
    end = v.day(end, "occupancy end", required=False)
    if end is not None and end < start:
        raise InvalidDateRange(
            what=Phrase(N_("Occupancy of unit %(unit)s"), unit=unit.label), start=start, end=end
        )
    if household.agency_id != unit.building.agency_id:
        raise WrongAgency(what="Household", ref=household.code)
    if unit.status is UnitStatus.UNDER_RENOVATION and end is None:
        raise UnitNotAvailable(unit=unit.label, status=N_("under renovation"))
    _lock_unit(session, unit)
    clash = _overlapping(session, unit, start, end)
    if clash is not None:
        raise OverlappingOccupancy(
            unit=unit.label,
            household=clash.household.code,
            start=clash.start_date,
            end=clash.end_date or N_("today (still open)"),
            new_start=start,
            new_end=end or N_("open"),
        )
    occupancy = Occupancy(
        unit_id=unit.id,
        household_id=household.id,
        start_date=start,
        end_date=end,
        created_at=_now(),
    )
    session.add(occupancy)
    if end is None:
        unit.status = UnitStatus.OCCUPIED
    session.flush()
    audit(session, actor, "occupancy.start", occupancy)
    return occupancy


def end_occupancy(session: Session, occupancy: Occupancy, end: date, *, actor: str) -> Occupancy:
    """End an open occupancy on ``end`` (its last day). The record stays: history is kept."""
    end = v.day(end, "occupancy end")
    unit = occupancy.unit
    if occupancy.end_date is not None:
        raise OccupancyAlreadyEnded(
            unit=unit.label, household=occupancy.household.code, end=occupancy.end_date
        )
    if end < occupancy.start_date:
        raise InvalidDateRange(
            what=Phrase(N_("Occupancy of unit %(unit)s"), unit=unit.label),
            start=occupancy.start_date,
            end=end,
        )
    _lock_unit(session, unit)
    before = snapshot(occupancy)
    occupancy.end_date = end
    # A later occupancy may have been recorded in advance; the unit stays occupied then.
    if _open_occupancy(session, unit) is None:
        unit.status = UnitStatus.VACANT
    session.flush()
    audit(session, actor, "occupancy.end", occupancy, before=before)
    return occupancy


def occupancy_on(session: Session, unit: Unit, day: date) -> Occupancy | None:
    """Who lived in ``unit`` on ``day``, if anyone."""
    return _overlapping(session, unit, day, day)
