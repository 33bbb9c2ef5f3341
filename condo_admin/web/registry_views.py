"""The registry on screen: buildings with their units and occupants, households, rents.

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
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from condo_admin.accounting.charges import set_rent
from condo_admin.accounting.models import DebtorAccount, UnitRent
from condo_admin.auth.models import Role
from condo_admin.extensions import request_session
from condo_admin.registry import operations as registry
from condo_admin.registry.models import (
    BodyKind,
    Building,
    Household,
    HousingBody,
    Occupancy,
    Unit,
    UnitKind,
)
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import LABELS
from condo_admin.web.paging import paginate
from ledger.errors import CondoError

bp = Blueprint("registry", __name__, url_prefix="/registry")


def _today() -> date:
    return datetime.now(UTC).date()


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
    kind = SelectField(_l("Kind"), choices=[(k.value, LABELS[k.value]) for k in BodyKind])
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=16)])


class UnitForm(FlaskForm):
    code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    kind = SelectField(_l("Kind"), choices=[(k.value, k.value) for k in UnitKind])
    owner = StringField(_l("Owner (housing body code)"), validators=[Optional(), Length(max=32)])
    floor = StringField(_l("Floor"), validators=[Optional(), Length(max=8)])


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
    language = SelectField(_l("Language"), choices=[("it", "Italiano"), ("en", "English")])
    building = StringField(_l("Building code"), validators=[DataRequired(), Length(max=32)])
    unit = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=32)])
    start = DateField(_l("Living there since"), validators=[DataRequired()])


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
            form.code.errors = [*form.code.errors, exc.message]
        else:
            db.commit()
            return redirect(url_for("registry.building", building_id=made.id))
    return _buildings_page(form), 400


@bp.get("/buildings/<int:building_id>")
@roles(*DESK)
def building(building_id: int) -> str:
    return _building_page(_building(building_id), UnitForm(), RentForm())


def _building_page(found: Building, unit_form: UnitForm, rent_form: RentForm) -> str:
    db = request_session()
    today = _today()
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
        units=units,
        occupants=occupants,
        rents=rents,
        unit_form=unit_form,
        rent_form=rent_form,
    )


@bp.post("/buildings/<int:building_id>/units")
@roles(Role.ADMIN)
def create_unit(building_id: int) -> Response | tuple[str, int]:
    db = request_session()
    found = _building(building_id)
    form = UnitForm()
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
                floor=form.floor.data or None,
            )
        except (CondoError, LookupError) as exc:
            db.rollback()
            form.code.errors = [*form.code.errors, getattr(exc, "message", str(exc))]
        else:
            db.commit()
            return redirect(url_for("registry.building", building_id=found.id))
    return _building_page(found, form, RentForm()), 400


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
            form.unit.errors = [*form.unit.errors, getattr(exc, "message", str(exc))]
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
            form.code.errors = [*form.code.errors, getattr(exc, "message", str(exc))]
        else:
            db.commit()
            flash(_l("Household %(code)s created.", code=household.code), "success")
            return redirect(url_for("registry.households", q=household.code))
    return _households_page(form), 400


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
            form.code.errors = [*form.code.errors, exc.message]
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
    try:
        last_day = date.fromisoformat(request.form.get("end", ""))
        registry.end_occupancy(db, occupancy, last_day, actor=current_user.actor)
    except ValueError:
        flash(_l("Give the last day in the unit."), "danger")
    except CondoError as exc:
        db.rollback()
        flash(exc.message, "danger")
    else:
        db.commit()
        flash(_l("Moved out on %(day)s.", day=last_day.isoformat()), "success")
    return redirect(url_for("registry.building", building_id=building_id))
