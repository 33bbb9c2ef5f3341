"""Server time of the admin pages on a generated profile (``python -m benchmarks web``).

The pages are requested in-process through Flask's test client, logged in as a user of each role
the page is for (created once on the benchmark database, password from the environment or a
fixed benchmark one), so the figure is the server's work: the queries, the Python around them and
the template, without a network. Each page: one untimed request, then the median and the worst of
``samples`` requests; the time inside the database driver is given beside it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from benchmarks.profiles import Profile
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.app import create_app
from condo_admin.auth.models import Role, User
from condo_admin.auth.operations import create_user
from condo_admin.registry.models import Agency, Building, Household, HousingBody
from ledger.models import OpenItem

PASSWORD = "benchmark-pages-1"  # a benchmark database's throwaway users
TARGET_MS = 100.0  # server time of an admin page (issue 6)
PORTAL_DB_MS = 5.0  # database time of a portal page (issue 7, PRODUCT.md 6)


@dataclass(frozen=True)
class PageFigure:
    path: str
    role: str
    median_ms: float
    worst_ms: float
    db_median_ms: float
    statements: int
    status: int


BENCH_IBAN = "IT60X0542811101000000123456"  # a valid IBAN, so the portal draws its QR codes


def _heaviest_household(session: Session) -> Household:
    """The resident measured: the household with the most unpaid charges (the longest pages)."""
    account_id = session.scalar(
        select(OpenItem.account_id)
        .where(OpenItem.open_cents > 0)
        .group_by(OpenItem.account_id)
        .order_by(func.count().desc(), OpenItem.account_id)
        .limit(1)
    )
    debtor = session.scalars(select(DebtorAccount).where(DebtorAccount.account_id == account_id))
    return debtor.one().household


def _give_iban(session: Session, household_id: int) -> None:
    """The generated creditors have no bank account; the resident's get one, as real creditors
    have, so that the portal's home draws its payment QR codes as it would."""
    books = select(DebtorAccount.book_id).where(DebtorAccount.household_id == household_id)
    for creditor in session.scalars(select(CreditorBook).where(CreditorBook.book_id.in_(books))):
        creditor.iban = creditor.iban or BENCH_IBAN


def _users(engine: Engine, profile: Profile) -> dict[Role, str]:
    names = {
        Role.ADMIN: "bench-admin",
        Role.OPERATOR: "bench-operator",
        Role.HOUSING_BODY: "bench-body",
        Role.RESIDENT: "bench-resident",
    }
    with Session(engine) as session:
        agency = session.scalars(select(Agency).where(Agency.code == profile.agency_code)).one()
        body = session.scalars(
            select(HousingBody).where(HousingBody.agency_id == agency.id)
        ).first()
        for role, name in names.items():
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                continue
            scope: dict[str, object] = (
                {"housing_body": body}
                if role is Role.HOUSING_BODY
                else {"household": _heaviest_household(session)}
                if role is Role.RESIDENT
                else {"agency": agency}
            )
            create_user(
                session,
                username=name,
                display_name=name,
                role=role,
                password=PASSWORD,
                actor="benchmark",
                **scope,  # type: ignore[arg-type]
            )
        resident = session.scalars(select(User).where(User.username == names[Role.RESIDENT]))
        _give_iban(session, resident.one().household_id)
        session.commit()
    return names


def measure_pages(engine: Engine, url: str, profile: Profile, samples: int = 5) -> list[PageFigure]:
    users = _users(engine, profile)
    with Session(engine) as session:
        building_id = session.scalar(select(Building.id).order_by(Building.id).limit(1))
        debtor_id = session.scalar(select(DebtorAccount.id).order_by(DebtorAccount.id).limit(1))
    pages = [
        ("/dashboard", Role.ADMIN),
        ("/registry/buildings", Role.ADMIN),
        (f"/registry/buildings/{building_id}", Role.ADMIN),
        ("/registry/households", Role.ADMIN),
        ("/registry/households?q=H0001", Role.ADMIN),
        ("/users", Role.ADMIN),
        ("/audit", Role.ADMIN),
        (f"/statements/{debtor_id}", Role.OPERATOR),
        ("/payments", Role.OPERATOR),
        ("/charges", Role.ADMIN),
        ("/desk/cases", Role.OPERATOR),
        ("/desk/plans", Role.OPERATOR),
        ("/reports/", Role.OPERATOR),
        ("/reports/aging?by=building", Role.OPERATOR),
        ("/reports/aging", Role.OPERATOR),
        ("/reports/early-warning", Role.OPERATOR),
        ("/reports/restitution", Role.OPERATOR),
        ("/body/", Role.HOUSING_BODY),
    ]
    # The generated data end on the profile's last day: as of today (later) nothing falls due in
    # the last months, so the same pages are measured as of that day too, with a full year behind.
    after = profile.start.month - 1 + profile.months
    end = (profile.start.replace(year=profile.start.year + after // 12, month=after % 12 + 1)
           - timedelta(days=1)).isoformat()  # fmt: skip
    pages += [
        (f"/dashboard?as_of={end}", Role.ADMIN),
        (f"/reports/aging?as_of={end}", Role.OPERATOR),
        (f"/reports/early-warning?as_of={end}", Role.OPERATOR),
        (f"/body/?as_of={end}", Role.HOUSING_BODY),
    ]
    app = create_app({"DATABASE_URL": url, "LOGIN_RATE_LIMIT": "1000/minute"})
    # Every page of the residents' portal without path arguments, as they are added.
    pages += sorted(
        (rule.rule, Role.RESIDENT)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.") and not rule.arguments and "GET" in rule.methods
    )
    app_engine = app.extensions["condo"].engine
    db_seconds = [0.0]
    statements = [0]
    started: dict[int, float] = {}

    def before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements[0] += 1
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        db_seconds[0] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())

    event.listen(app_engine, "before_cursor_execute", before)
    event.listen(app_engine, "after_cursor_execute", after)
    clients = {}
    for role, username in users.items():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, f"{username} could not log in"
        clients[role] = client
    figures: list[PageFigure] = []
    for path, role in pages:
        client = clients[role]
        client.get(path)  # warm up
        walls: list[float] = []
        dbs: list[float] = []
        counts: list[int] = []
        status = 0
        for _ in range(samples):
            statements[0] = 0
            db_seconds[0] = 0.0
            t0 = time.perf_counter()
            response = client.get(path)
            walls.append(time.perf_counter() - t0)
            dbs.append(db_seconds[0])
            counts.append(statements[0])
            status = response.status_code
        figures.append(
            PageFigure(
                path=path,
                role=role.value,
                median_ms=round(statistics.median(walls) * 1e3, 1),
                worst_ms=round(max(walls) * 1e3, 1),
                db_median_ms=round(statistics.median(dbs) * 1e3, 1),
                statements=max(counts),
                status=status,
            )
        )
    app_engine.dispose()
    return figures


def render_pages(figures: list[PageFigure]) -> list[str]:
    lines = [
        "Admin and portal pages (server time in-process, ms; median and worst of the samples)",
        f"  {'page':<38} {'role':<13} {'median':>8} {'worst':>8} {'db':>8} {'queries':>8}",
    ]
    for f in sorted(figures, key=lambda f: -f.median_ms):
        if f.role == Role.RESIDENT.value:
            flag = "" if f.db_median_ms <= PORTAL_DB_MS else "  over 5 ms of db"
        else:
            flag = "" if f.median_ms <= TARGET_MS else "  over 100 ms"
        lines.append(
            f"  {f.path:<38} {f.role:<13} {f.median_ms:>8.1f} {f.worst_ms:>8.1f} "
            f"{f.db_median_ms:>8.1f} {f.statements:>8}{'' if f.status == 200 else f' ({f.status})'}"
            f"{flag}"
        )
    return lines
