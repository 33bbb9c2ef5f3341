"""The registry on screen: buildings with their staircases, units and occupants, households with
their members, people, rents.

Administrators of the agency set buildings and units up; desk operators read them. Every form
calls the registry's (or accounting's) operations, which refuse with their own message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from condo_admin.accounting.charges import set_rent
from condo_admin.accounting.models import DebtorAccount, UnitRent
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry import operations as registry
from condo_admin.registry.errors import (
    DuplicateTaxCode,
    InvalidTaxCode,
    TaxCodeBirthDateMismatch,
    TaxCodeRequired,
)
from condo_admin.registry.models import (
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
)
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import LABELS
from condo_admin.web.messages import translated
from condo_admin.web.paging import paginate
from ledger.errors import CondoError
from ledger.queries import balances

bp = Blueprint("registry", __name__, url_prefix="/registry")


def _today() -> date:
    return datetime.now(UTC).date()


#: The words for a member's role in their household.
MEMBER_ROLES = {
    MemberRole.HOLDER.value: _l("account holder"),
    MemberRole.MEMBER.value: _l("member"),
}
#: Refusals about a tax code, shown next to the tax code field (the others next to the name).
TAX_CODE_ERRORS = (DuplicateTaxCode, InvalidTaxCode, TaxCodeBirthDateMismatch, TaxCodeRequired)
LANGUAGES = [SelectChoice("it", "Italiano"), SelectChoice("en", "English")]


class BuildingForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[DataRequired(), Length(max=10)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    province = StringField(_l("Province"), validators=[DataRequired(), Length(min=2, max=2)])


class BodyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, LABELS[k.value]) for k in BodyKind]
    )
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=16)])


class UnitForm(FlaskForm):
    code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, LABELS.get(k.value, k.value)) for k in UnitKind]
    )
    #: The building's staircases, set by the view (:func:`_staircase_choices`).
    staircase = SelectField(_l("Staircase"), choices=[])
    owner = StringField(_l("Owner (housing body code)"), validators=[Optional(), Length(max=32)])
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=8)])


class StaircaseForm(FlaskForm):
    code = StringField(_l("Staircase code"), validators=[DataRequired(), Length(max=16)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=100)])


class RentForm(FlaskForm):
    unit = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    amount = DecimalField(
        _l("Monthly rent"), places=2, validators=[DataRequired(), NumberRange(min=0)]
    )
    valid_from = DateField(_l("From"), validators=[DataRequired()])


class HouseholdForm(FlaskForm):
    code = StringField(_l("Household code"), validators=[DataRequired(), Length(max=32)])
    first_name = StringField(
        _l("Holder's first name"), validators=[DataRequired(), Length(max=100)]
    )
    last_name = StringField(_l("Holder's last name"), validators=[DataRequired(), Length(max=100)])
    tax_code = StringField(_l("Tax code"), validators=[DataRequired(), Length(max=16)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    language = SelectField(_l("Language"), choices=LANGUAGES)
    building = StringField(_l("Building code"), validators=[DataRequired(), Length(max=32)])
    unit = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    start = DateField(_l("Living there since"), validators=[DataRequired()])


class MemberForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    tax_code = StringField(
        _l("Tax code (a minor may have none)"), validators=[Optional(), Length(max=16)]
    )
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    role = SelectField(
        _l("Role in the household"),
        choices=[
            SelectChoice(r.value, MEMBER_ROLES[r.value])
            for r in (MemberRole.MEMBER, MemberRole.HOLDER)
        ],
    )
    since = DateField(_l("Member since"), validators=[DataRequired()], default=_today)


def _building(building_id: int) -> Building:
    found = request_session().get(Building, building_id)
    if found is None or found.agency_id != current_user.agency_id:
        abort(404)
    return found


def _buildings_page(form: BuildingForm) -> str:
    """The agency's buildings (searched, paged, with unit counts) and the new-building form."""
    db = request_session()
    q = request.args.get("q", "").strip()
    query = select(Building).where(Building.agency_id == current_user.agency_id)
    if q:
        query = query.where(or_(Building.code.contains(q), Building.name.contains(q)))
    page = paginate(db, query, (Building.code,), per_page=50)
    counts = dict(
        db.execute(
            select(Unit.building_id, func.count())
            .where(Unit.building_id.in_([b.id for b in page.items] or [0]))
            .group_by(Unit.building_id)
        ).all()
    )
    return render_template("registry/buildings.html", page=page, counts=counts, q=q, form=form)


@bp.get("/buildings")
@roles(*DESK)
def buildings() -> str:
    return _buildings_page(BuildingForm())


@bp.post("/buildings")
@roles(Role.ADMIN)
def create_building() -> Response | tuple[str, int]:
    db = request_session()
    form = BuildingForm()
    if form.validate_on_submit():
        try:
            made = registry.create_building(
                db,
                current_user.agency,
                form.code.data or "",
                form.name.data or "",
                address=form.address.data or "",
                postcode=form.postcode.data or "",
                city=form.city.data or "",
                province=(form.province.data or "").upper(),
                actor=current_user.actor,
            )
        except CondoError as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            return redirect(url_for("registry.building", building_id=made.id))
    return _buildings_page(form), 400


@bp.get("/buildings/<int:building_id>")
@roles(*DESK)
def building(building_id: int) -> str:
    return _building_page(_building(building_id), UnitForm(), RentForm())


def _staircases(found: Building) -> list[Staircase]:
    return list(
        request_session().scalars(
            select(Staircase).where(Staircase.building_id == found.id).order_by(Staircase.code)
        )
    )


def _staircase_choices(staircases: list[Staircase]) -> list[SelectChoice]:
    return [
        SelectChoice("", str(_l("no staircase"))),
        *(SelectChoice(str(s.id), f"{s.code} · {s.name}") for s in staircases),
    ]


def _building_page(
    found: Building,
    unit_form: UnitForm,
    rent_form: RentForm,
    staircase_form: StaircaseForm | None = None,
) -> str:
    db = request_session()
    today = _today()
    staircases = _staircases(found)
    unit_form.staircase.choices = _staircase_choices(staircases)
    units = list(
        db.scalars(
            select(Unit)
            .where(Unit.building_id == found.id)
            .options(selectinload(Unit.owner_body))
            .order_by(Unit.code)
        )
    )
    ids = [u.id for u in units] or [0]
    occupants = {
        occupancy.unit_id: occupancy
        for occupancy in db.scalars(
            select(Occupancy)
            .options(selectinload(Occupancy.household))
            .where(
                Occupancy.unit_id.in_(ids),
                Occupancy.start_date <= today,
                or_(Occupancy.end_date.is_(None), Occupancy.end_date >= today),
            )
        )
    }
    # The latest rent of each unit, a future one included (shown with the day it starts).
    rents: dict[int, UnitRent] = {}
    for rent in db.scalars(
        select(UnitRent).where(UnitRent.unit_id.in_(ids)).order_by(UnitRent.valid_from)
    ):
        rents[rent.unit_id] = rent
    return render_template(
        "registry/building.html",
        building=found,
        staircases=staircases,
        staircase_codes={s.id: s.code for s in staircases},
        staircase_units={s.id: sum(1 for u in units if u.staircase_id == s.id) for s in staircases},
        units=units,
        occupants=occupants,
        rents=rents,
        unit_form=unit_form,
        rent_form=rent_form,
        staircase_form=staircase_form or StaircaseForm(prefix="staircase"),
    )


@bp.post("/buildings/<int:building_id>/units")
@roles(Role.ADMIN)
def create_unit(building_id: int) -> Response | tuple[str, int]:
    db = request_session()
    found = _building(building_id)
    form = UnitForm()
    staircases = {str(s.id): s for s in _staircases(found)}
    form.staircase.choices = _staircase_choices(list(staircases.values()))
    if form.validate_on_submit():
        try:
            owner = None
            if form.owner.data:
                owner = db.scalar(
                    select(HousingBody).where(
                        HousingBody.agency_id == current_user.agency_id,
                        HousingBody.code == form.owner.data.strip(),
                    )
                )
                if owner is None:
                    raise LookupError(str(_l("No housing body with code %(code)s.",
                                             code=form.owner.data)))  # fmt: skip
            registry.create_unit(
                db,
                found,
                form.code.data or "",
                form.kind.data,
                actor=current_user.actor,
                owner_body=owner,
                staircase=staircases.get(form.staircase.data or ""),
                floor=form.floor.data or None,
            )
        except (CondoError, LookupError) as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            return redirect(url_for("registry.building", building_id=found.id))
    return _building_page(found, form, RentForm()), 400


@bp.post("/buildings/<int:building_id>/staircases")
@roles(Role.ADMIN)
def add_staircase(building_id: int) -> Response | tuple[str, int]:
    db = request_session()
    found = _building(building_id)
    form = StaircaseForm(prefix="staircase")
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        try:
            registry.add_staircase(
                db,
                found,
                code,
                (form.name.data or "").strip() or f"Scala {code}",
                actor=current_user.actor,
            )
        except CondoError as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Staircase %(code)s added.", code=code), "success")
            return redirect(url_for("registry.building", building_id=found.id))
    return _building_page(found, UnitForm(), RentForm(), form), 400


@bp.post("/buildings/<int:building_id>/rents")
@roles(Role.ADMIN)
def rent(building_id: int) -> Response | tuple[str, int]:
    db = request_session()
    found = _building(building_id)
    form = RentForm()
    if form.validate_on_submit():
        unit = db.scalar(
            select(Unit).where(Unit.building_id == found.id, Unit.code == form.unit.data.strip())
        )
        try:
            if unit is None:
                raise LookupError(
                    str(_l("No unit %(code)s in this building.", code=form.unit.data))
                )
            set_rent(
                db,
                unit,
                form.amount.data,
                valid_from=form.valid_from.data,
                actor=current_user.actor,
            )
        except (CondoError, LookupError) as exc:
            db.rollback()
            form.unit.errors = [*form.unit.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Rent saved."), "success")
            return redirect(url_for("registry.building", building_id=found.id))
    return _building_page(found, UnitForm(), form), 400


def _households_page(form: HouseholdForm) -> str:
    """The agency's households (searched, paged, with their accounts) and the new-household form."""
    db = request_session()
    q = request.args.get("q", "").strip()
    query = select(Household).where(Household.agency_id == current_user.agency_id)
    if q:
        query = query.where(or_(Household.code.contains(q), Household.name.contains(q)))
    page = paginate(db, query, (Household.code,), per_page=50)
    return render_template(
        "registry/households.html",
        page=page,
        q=q,
        form=form,
        accounts=_accounts_of([h.id for h in page.items]),
    )


@bp.get("/households")
@roles(*DESK)
def households() -> str:
    return _households_page(HouseholdForm())


def _accounts_of(household_ids: list[int]) -> dict[int, list[DebtorAccount]]:
    """Each household's debtor accounts (book and RF reference), in one query."""
    found: dict[int, list[DebtorAccount]] = {}
    for debtor in request_session().scalars(
        select(DebtorAccount)
        .where(DebtorAccount.household_id.in_(household_ids or [0]))
        .options(selectinload(DebtorAccount.book))
        .order_by(DebtorAccount.id)
    ):
        found.setdefault(debtor.household_id, []).append(debtor)
    return found


@bp.post("/households")
@roles(Role.ADMIN)
def create_household() -> Response | tuple[str, int]:
    """A household with its holder, moving into a unit: three operations, one transaction."""
    db = request_session()
    form = HouseholdForm()
    if form.validate_on_submit():
        agency = current_user.agency
        try:
            unit = db.scalar(
                select(Unit)
                .join(Building, Building.id == Unit.building_id)
                .where(
                    Building.agency_id == agency.id,
                    Building.code == form.building.data.strip(),
                    Unit.code == form.unit.data.strip(),
                )
            )
            if unit is None:
                raise LookupError(
                    str(_l("No unit %(code)s in this building.", code=form.unit.data))
                )
            holder = registry.create_person(
                db,
                agency,
                form.first_name.data or "",
                form.last_name.data or "",
                tax_code=form.tax_code.data,
                birth_date=form.birth_date.data,
                language=form.language.data,
                actor=current_user.actor,
            )
            household = registry.create_household(
                db,
                agency,
                form.code.data or "",
                holder,
                since=form.start.data,
                language=form.language.data,
                actor=current_user.actor,
            )
            registry.start_occupancy(
                db, household, unit, start=form.start.data, actor=current_user.actor
            )
        except (CondoError, LookupError) as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Household %(code)s created.", code=household.code), "success")
            return redirect(url_for("registry.households", q=household.code))
    return _households_page(form), 400


@bp.get("/people")
@roles(*DESK)
def people() -> str:
    """The agency's people, searched by name or tax code (every word must match), with the
    households they belong or belonged to, loaded for the whole page in one query."""
    db = request_session()
    q = request.args.get("q", "").strip()
    query = select(Person).where(Person.agency_id == current_user.agency_id)
    for word in q.split()[:5]:
        query = query.where(
            or_(
                Person.first_name.icontains(word, autoescape=True),
                Person.last_name.icontains(word, autoescape=True),
                Person.tax_code.icontains(word, autoescape=True),
            )
        )
    page = paginate(db, query, (Person.last_name, Person.first_name, Person.id), per_page=50)
    memberships: dict[int, list[HouseholdMember]] = {}
    for member in db.scalars(
        select(HouseholdMember)
        .where(HouseholdMember.person_id.in_([p.id for p in page.items] or [0]))
        .options(joinedload(HouseholdMember.household, innerjoin=True))
        .order_by(HouseholdMember.start_date, HouseholdMember.id)
    ):
        memberships.setdefault(member.person_id, []).append(member)
    return render_template(
        "registry/people.html",
        page=page,
        q=q,
        memberships=memberships,
        member_roles=MEMBER_ROLES,
    )


def _household(household_id: int) -> Household:
    found = request_session().get(Household, household_id)
    if found is None or found.agency_id != current_user.agency_id:
        abort(404)
    return found


@bp.get("/households/<int:household_id>")
@roles(*DESK)
def household(household_id: int) -> str:
    return _household_page(_household(household_id), MemberForm())


def _household_page(found: Household, form: MemberForm) -> str:
    """A household: its members (current ones first, the holder on top), where it lived, its
    debtor accounts with their balances, and the form adding a member."""
    db = request_session()
    today = _today()
    members = sorted(
        db.scalars(
            select(HouseholdMember)
            .where(HouseholdMember.household_id == found.id)
            .options(joinedload(HouseholdMember.person, innerjoin=True))
        ),
        key=lambda m: (m.end_date is not None, m.role is not MemberRole.HOLDER, m.start_date, m.id),
    )
    holder = next(
        (m.person for m in members if m.role is MemberRole.HOLDER and m.end_date is None), None
    )
    occupancies = list(
        db.scalars(
            select(Occupancy)
            .where(Occupancy.household_id == found.id)
            .options(joinedload(Occupancy.unit, innerjoin=True).joinedload(Unit.building))
            .order_by(Occupancy.start_date.desc(), Occupancy.id.desc())
        )
    )
    accounts = _accounts_of([found.id]).get(found.id, [])
    owed = balances(db, [d.account_id for d in accounts]) if accounts else {}
    return render_template(
        "registry/household.html",
        household=found,
        holder=holder,
        members=members,
        minors={m.person_id for m in members if registry.is_minor(m.person, today)},
        member_roles=MEMBER_ROLES,
        occupancies=occupancies,
        accounts=accounts,
        owed=owed,
        form=form,
    )


@bp.post("/households/<int:household_id>/members")
@roles(Role.ADMIN)
def add_member(household_id: int) -> Response | tuple[str, int]:
    """A new person of the registry joins the household: two operations, one transaction."""
    db = request_session()
    found = _household(household_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            person = registry.create_person(
                db,
                current_user.agency,
                form.first_name.data or "",
                form.last_name.data or "",
                tax_code=form.tax_code.data or None,
                birth_date=form.birth_date.data,
                language=found.language,
                actor=current_user.actor,
            )
            registry.add_member(
                db,
                found,
                person,
                since=form.since.data,
                role=form.role.data,
                actor=current_user.actor,
            )
        except CondoError as exc:
            db.rollback()
            field = form.tax_code if isinstance(exc, TAX_CODE_ERRORS) else form.first_name
            field.errors = [*field.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("%(name)s joined the household.", name=person.full_name), "success")
            return redirect(url_for("registry.household", household_id=found.id))
    return _household_page(found, form), 400


@bp.get("/bodies")
@roles(*DESK)
def bodies() -> str:
    found = list(
        request_session().scalars(
            select(HousingBody)
            .where(HousingBody.agency_id == current_user.agency_id)
            .order_by(HousingBody.code)
        )
    )
    return render_template("registry/bodies.html", bodies=found, form=BodyForm())


@bp.post("/bodies")
@roles(Role.ADMIN)
def create_body() -> Response | tuple[str, int]:
    db = request_session()
    form = BodyForm()
    if form.validate_on_submit():
        try:
            registry.create_housing_body(
                db,
                current_user.agency,
                form.code.data or "",
                form.name.data or "",
                form.kind.data,
                vat_number=form.vat_number.data or None,
                actor=current_user.actor,
            )
        except CondoError as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, translated(exc)]
        else:
            db.commit()
            return redirect(url_for("registry.bodies"))
    found = list(
        db.scalars(select(HousingBody).where(HousingBody.agency_id == current_user.agency_id))
    )
    return render_template("registry/bodies.html", bodies=found, form=form), 400


@bp.post("/occupancies/<int:occupancy_id>/end")
@roles(Role.ADMIN)
def end_occupancy(occupancy_id: int) -> Response:
    """A household moves out: its occupancy ends on the day given; its debt stays with it."""
    db = request_session()
    occupancy = db.get(Occupancy, occupancy_id)
    if occupancy is None or occupancy.household.agency_id != current_user.agency_id:
        abort(404)
    building_id = occupancy.unit.building_id
    household_id = occupancy.household_id
    try:
        last_day = date.fromisoformat(request.form.get("end", ""))
        registry.end_occupancy(db, occupancy, last_day, actor=current_user.actor)
    except ValueError:
        flash(_l("Give the last day in the unit."), "danger")
    except CondoError as exc:
        db.rollback()
        flash(translated(exc), "danger")
    else:
        db.commit()
        flash(_l("Moved out on %(day)s.", day=last_day.isoformat()), "success")
    if request.form.get("back") == "household":  # the form on the household's page
        return redirect(url_for("registry.household", household_id=household_id))
    return redirect(url_for("registry.building", building_id=building_id))
