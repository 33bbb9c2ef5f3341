"""The administrator's and operator's screens: dashboard, audit log, users.

Views are thin: they read through the domain's queries and operations and render templates. Every
view names its roles; staff see their own agency only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from condo_admin.accounting import aging, overview
from condo_admin.audit.models import AuditEvent
from condo_admin.auth import operations as users_service
from condo_admin.auth.errors import AuthError
from condo_admin.auth.models import Role, User
from condo_admin.desk.models import Case, PlanStatus, RepaymentPlan
from condo_admin.extensions import request_session
from condo_admin.registry.models import Household, HousingBody, Person
from condo_admin.web import charts
from condo_admin.web.access import DESK, roles
from condo_admin.web.labels import LABELS
from condo_admin.web.messages import translated
from condo_admin.web.paging import Page, paginate
from volunteering.figures import credited_by_month

bp = Blueprint("admin", __name__)

#: Audited things that belong to no agency: shown to every agency's administrators.
GLOBAL_TARGETS = ("ActivityRate", "Activity")

#: The aging buckets' names that are words (the others are figures: 1–30, 31–90...).
BUCKET_LABELS = {"current": _l("not yet due"), "over 365": _l("over 365")}


def _today() -> date:
    return datetime.now(UTC).date()


def home_for(role: Role) -> str:
    """Where a role lands after logging in."""
    if role in DESK:
        return url_for("admin.dashboard")
    if role is Role.HOUSING_BODY:
        return url_for("body.units")
    if role is Role.SUPERVISOR:
        return url_for("restitution.queue")
    if role is Role.RESIDENT:
        return url_for("portal.home")
    return url_for("admin.account")


@bp.get("/")
@roles(*Role)
def home() -> Response:
    return redirect(home_for(current_user.role))


@bp.get("/account")
@roles(*Role)
def account() -> str:
    """Who is logged in, in which role and scope; the landing page of roles whose screens are
    elsewhere (supervisors' queue, housing bodies' view, the residents' portal)."""
    return render_template("admin/account.html")


@bp.get("/dashboard")
@roles(*DESK)
def dashboard() -> str:
    db = request_session()
    # As of another day on request (?as_of=2024-12-31): the figures as they stood then.
    try:
        today = date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        today = _today()
    agency_id = current_user.agency_id
    books = overview.agency_books(db, agency_id)
    # One aging summary serves the key figures, the buckets and today's balance.
    totals, in_arrears = aging.summary(db, today, book_ids=books)
    households = db.scalar(
        select(func.count()).select_from(Household).where(Household.agency_id == agency_id)
    )
    months = overview.arrears_by_month(db, books, today, 12, now_cents=totals.total_cents)
    buckets = [
        (str(BUCKET_LABELS.get(b.label, b.label)), totals.amount(b.key)) for b in aging.BUCKETS
    ]
    owed = sum((value for _, value in buckets), Decimal("0.00"))
    hours = credited_by_month(db, agency_id, [end for end, _ in months])
    open_cases = db.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.agency_id == agency_id, Case.closed_on.is_(None))
    )
    active_plans = db.scalar(
        select(func.count())
        .select_from(RepaymentPlan)
        .where(RepaymentPlan.agency_id == agency_id, RepaymentPlan.status == PlanStatus.ACTIVE)
    )
    labels = [format_date(end, "MMM yy") for end, _ in months]
    return render_template(
        "admin/dashboard.html",
        today=today,
        households=households,
        in_arrears=in_arrears,
        owed=owed,
        open_cases=open_cases,
        active_plans=active_plans,
        months=months,
        buckets=buckets,
        hours=hours,
        arrears_chart=charts.line(
            str(_l("Debtors' balance at the end of each month")), labels, [v for _, v in months]
        ),
        aging_chart=charts.bars(
            str(_l("Arrears by days past due")), [b for b, _ in buckets], [v for _, v in buckets]
        ),
        hours_chart=charts.bars(
            str(_l("Community service credited, by month")), labels, [v for _, v in hours]
        ),
    )


# --- audit log -----------------------------------------------------------------------------


@bp.get("/audit")
@roles(Role.ADMIN)
def audit_log() -> str:
    db = request_session()
    # This agency's changes, and the few that belong to no agency (the activities' rates).
    query = select(AuditEvent).where(
        (AuditEvent.agency_id == current_user.agency_id)
        | (AuditEvent.agency_id.is_(None) & AuditEvent.target_type.in_(GLOBAL_TARGETS))
    )
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "").strip()
    target = request.args.get("target", "").strip()
    since = _date_arg("since")
    if actor:
        query = query.where(AuditEvent.actor.contains(actor))
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if target:
        query = query.where(AuditEvent.target_type == target)
    if since:
        query = query.where(
            AuditEvent.at >= datetime(since.year, since.month, since.day, tzinfo=UTC)
        )
    page: Page[AuditEvent] = paginate(
        db, query, (AuditEvent.at.desc(), AuditEvent.id.desc()), per_page=50
    )
    targets = db.scalars(
        select(AuditEvent.target_type)
        .where(AuditEvent.agency_id == current_user.agency_id)
        .distinct()
        .order_by(AuditEvent.target_type)
    )
    return render_template(
        "admin/audit.html",
        page=page,
        actor=actor,
        action=action,
        target=target,
        since=since,
        targets=list(targets),
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# --- users ---------------------------------------------------------------------------------


ROLES = [SelectChoice(r.value, LABELS[r.value]) for r in Role]
SCOPE_LABEL = _l("Housing body, household or person (code or tax code)")


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLES)
    scope = StringField(SCOPE_LABEL, validators=[Optional(), Length(max=64)])
    language = SelectField(
        _l("Language"), choices=[SelectChoice("it", "Italiano"), SelectChoice("en", "English")]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10, max=200)]
    )


class EditUserForm(FlaskForm):
    """Role, scope and whether the user may log in; any change ends the user's sessions."""

    role = SelectField(_l("Role"), choices=ROLES)
    scope = StringField(SCOPE_LABEL, validators=[Optional(), Length(max=64)])
    active = BooleanField(_l("Active (may log in)"))


def _users_of_agency(q: str = ""):  # type: ignore[no-untyped-def]
    """The agency's users: its staff, its housing bodies' staff and its residents."""
    query = select(User).where(
        (User.agency_id == current_user.agency_id)
        | User.housing_body_id.in_(
            select(HousingBody.id).where(HousingBody.agency_id == current_user.agency_id)
        )
        | User.household_id.in_(
            select(Household.id).where(Household.agency_id == current_user.agency_id)
        )
    )
    if q:
        query = query.where(User.username.contains(q) | func.lower(User.display_name).contains(q))
    return query


@bp.get("/users")
@roles(Role.ADMIN)
def users() -> str:
    q = request.args.get("q", "").strip().lower()
    page: Page[User] = paginate(request_session(), _users_of_agency(q), (User.username, User.id))
    return render_template("admin/users.html", page=page, q=q, form=UserForm())


@bp.post("/users")
@roles(Role.ADMIN)
def create_user() -> str | Response:
    db = request_session()
    form = UserForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            kwargs = _scope(db, role, form.scope.data or "")
            users_service.create_user(
                db,
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                email=form.email.data,
                role=role,
                password=form.password.data or "",
                language=form.language.data or "it",
                actor=current_user.actor,
                **kwargs,  # type: ignore[arg-type]
            )
        except (AuthError, LookupError) as exc:
            db.rollback()
            field = getattr(form, getattr(exc, "field", "scope"), form.scope)
            field.errors = [*field.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("User %(name)s created.", name=form.username.data), "success")
            return redirect(url_for("admin.users"))
    page = paginate(db, _users_of_agency(), (User.username, User.id))
    return render_template("admin/users.html", page=page, q="", form=form), 400


def _scope(db, role: Role, scope: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a user of ``role`` belongs to, found in the admin's agency by the code typed in the
    scope field: the agency itself for staff (and the person, for a supervisor), a housing body, a
    household. Raises LookupError (a message for the scope field) when there is no such thing."""
    agency = current_user.agency
    scope = scope.strip()
    if role is Role.HOUSING_BODY:
        return {"housing_body": _body(db, agency.id, scope)}
    if role is Role.RESIDENT:
        return {"household": _household(db, agency.id, scope)}
    if role is Role.SUPERVISOR:
        return {"agency": agency, "person": _person(db, agency.id, scope)}
    return {"agency": agency}


def _scope_code(user: User) -> str:
    """The scope field as the user stands (what the admin would type to keep it)."""
    if user.role is Role.HOUSING_BODY and user.housing_body is not None:
        return user.housing_body.code
    if user.role is Role.RESIDENT and user.household is not None:
        return user.household.code
    if user.role is Role.SUPERVISOR and user.person is not None:
        return user.person.tax_code or ""
    return ""


def _body(db, agency_id: int, code: str) -> HousingBody:  # type: ignore[no-untyped-def]
    found = db.scalar(
        select(HousingBody).where(HousingBody.agency_id == agency_id, HousingBody.code == code)
    )
    if found is None:
        raise LookupError(str(_l("No housing body with code %(code)s.", code=code)))
    return found


def _household(db, agency_id: int, code: str) -> Household:  # type: ignore[no-untyped-def]
    found = db.scalar(
        select(Household).where(Household.agency_id == agency_id, Household.code == code)
    )
    if found is None:
        raise LookupError(str(_l("No household with code %(code)s.", code=code)))
    return found


def _person(db, agency_id: int, tax_code: str) -> Person:  # type: ignore[no-untyped-def]
    found = db.scalar(
        select(Person).where(Person.agency_id == agency_id, Person.tax_code == tax_code.upper())
    )
    if found is None:
        raise LookupError(str(_l("No person with tax code %(code)s.", code=tax_code)))
    return found


def _user_of_agency(db, user_id: int) -> User:  # type: ignore[no-untyped-def]
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    agency_id = current_user.agency_id
    mine = (
        user.agency_id == agency_id
        or (user.housing_body is not None and user.housing_body.agency_id == agency_id)
        or (user.household is not None and user.household.agency_id == agency_id)
    )
    if not mine:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user(user_id: int) -> str | Response:
    db = request_session()
    found = _user_of_agency(db, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            users_service.set_password(
                db, found, form.password.data or "", actor=current_user.actor
            )
        except AuthError as exc:
            db.rollback()
            form.password.errors = [*form.password.errors, translated(exc)]
        else:
            db.commit()
            flash(_l("Password of %(name)s reset.", name=found.username), "success")
            return redirect(url_for("admin.user", user_id=found.id))
    return _user_page(db, found, form, _edit_form(found))


def _edit_form(user: User) -> EditUserForm:
    return EditUserForm(
        formdata=None, role=user.role.value, scope=_scope_code(user), active=user.active
    )


@bp.post("/users/<int:user_id>/edit")
@roles(Role.ADMIN)
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    """Another role, scope or activation for a user of the agency; the user's sessions end.
    An administrator may not take away their own role nor deactivate themselves."""
    db = request_session()
    found = _user_of_agency(db, user_id)
    form = EditUserForm()
    if form.validate_on_submit():
        role, active = Role(form.role.data), bool(form.active.data)
        version = found.session_version
        myself = found.id == current_user.id
        field, message = None, ""
        if myself and role is not Role.ADMIN:
            field = form.role
            message = _("You cannot take away your own administrator role: ask another admin.")
        elif myself and not active:
            field, message = form.active, _("You cannot deactivate yourself: ask another admin.")
        else:
            try:
                scope = _scope(db, role, form.scope.data or "")
                users_service.set_role(db, found, role, actor=current_user.actor, **scope)
                if active != found.active:
                    users_service.set_active(db, found, active, actor=current_user.actor)
            except LookupError as exc:
                db.rollback()
                field, message = form.scope, str(exc)
            except AuthError as exc:
                db.rollback()
                field = getattr(form, getattr(exc, "field", "scope"), form.scope)
                message = translated(exc)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            db.commit()
            if found.session_version == version:
                flash(_l("Nothing changed."), "info")
            else:
                flash(_l("%(name)s changed; their sessions ended.", name=found.username), "success")
            return redirect(url_for("admin.user", user_id=found.id))
    return _user_page(db, found, PasswordForm(), form)


def _user_page(  # type: ignore[no-untyped-def]
    db, found: User, form: PasswordForm, edit_form: EditUserForm
) -> tuple[str, int]:
    since = datetime.now(UTC) - timedelta(days=365)
    events = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "User",
            AuditEvent.target_id == found.id,
            AuditEvent.at >= since,
        )
        .order_by(AuditEvent.at.desc())
        .limit(20)
    ).all()
    status = 400 if form.errors or edit_form.errors else 200
    return render_template(
        "admin/user.html", user=found, form=form, edit_form=edit_form, events=events
    ), status
