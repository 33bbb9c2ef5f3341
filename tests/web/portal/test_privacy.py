"""Privacy: a resident reaches their own household and nothing else, whatever the URL says.

The probe walks the application's ``url_map``, so a portal page added later is probed without
anyone remembering to. Every ``portal.*`` rule with path arguments is requested, as the resident
of agency A, with the ids of the other households' records (agency B's two households and A's
neighbour: their households, books, accounts, occupancies, journal and hour entries, plans and
installments, agreements, letters, budgets, cases, codes and RF references) and with ids that
exist nowhere: GET (and each download, ``?format=pdf|xlsx|csv``, when the view reads ``format``)
and POST with a valid CSRF token. Every probe must answer 404 or 403 and show none of those
households' codes, names or references (PDF and xlsx bodies are read as text first; what the
request itself carried, which a page may repeat, does not count). A rule with a path argument
the probe does not know fails, naming it: teach :data:`ARGUMENTS` (which records it names) or
:data:`NEUTRAL` (a value that names no household).

The probe first asks each rule with the resident's own values and listens to which query and
form names its view reads; the other households' ids (and missing ones) then go under each of
those names: any answer but a 500, never their data. A view reading a name that looks like an id
(``IDENTIFYING``) the probe does not know fails too. Nothing of the other households may change.

So that a 404 proves something, A's household has the same kinds of records, and every GET rule
must answer something other than 404 for at least one combination of A's own ids (the control):
otherwise the probe fills the rule wrongly and says so. A last test gives the probe a page that
forgets the household, and one with an argument nobody taught it, and sees both reported.

The probe runs on a site of its own (the one of ``tests/web/site.py``, built afresh with those
records), so the shared site stays as the other tests expect it. Staff get 403 on every portal
route, and a resident account without a household 404.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from condo_admin.accounting.books import set_book_iban
from condo_admin.accounting.models import DebtorAccount
from condo_admin.accounting.payments import record_payment
from condo_admin.accounting.references import printable
from condo_admin.app import create_app
from condo_admin.auth import operations as users
from condo_admin.auth.models import Role, User
from condo_admin.db import make_engine
from condo_admin.desk import cases, plans, reminders
from condo_admin.desk.household_budgets import Line, record_budget
from condo_admin.desk.models import (
    Case,
    CaseEntry,
    HouseholdBudget,
    Letter,
    PlanEvent,
    PlanInstallment,
    RepaymentPlan,
)
from condo_admin.migrate import upgrade
from condo_admin.registry.models import Agency as AgencyRow
from condo_admin.registry.models import Household, Occupancy
from condo_admin.web.security import limiter
from ledger.models import Book, Posting
from tests.conftest import database_of
from tests.factories import ACTOR
from tests.web.helpers import token_of
from tests.web.portal.helpers import resident
from tests.web.site import PASSWORD, Site, build, login
from volunteering import agreements, hours
from volunteering.catalogue import activity, set_rate
from volunteering.models import ActivityRate, Agreement, HourEntry, HourEvent

#: An id no table holds, small enough for a 32-bit integer column (PostgreSQL's ``integer``).
NO_ID = 987_654_321
NO_CODE = "NO-SUCH-CODE"

#: A path argument naming a record -> the kinds of records it may name (each kind is collected
#: for every household by :func:`_records`). An ambiguous name is tried with every kind.
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "household_id": ("household",),
    "household": ("household", "household_code"),
    "household_code": ("household_code",),
    "book_id": ("book",),
    "book": ("book", "book_code"),
    "book_code": ("book_code",),
    "creditor_id": ("book",),
    "account_id": ("account", "debtor"),
    "account": ("account", "debtor"),
    "debtor_id": ("debtor",),
    "debtor_account_id": ("debtor",),
    "occupancy_id": ("occupancy",),
    "unit_id": ("unit",),
    "building_id": ("building",),
    "entry_id": ("journal_entry", "hour_entry"),
    "entry": ("journal_entry", "hour_entry"),
    "journal_entry_id": ("journal_entry",),
    "posting_id": ("posting",),
    "hour_entry_id": ("hour_entry",),
    "hours_id": ("hour_entry",),
    "plan_id": ("plan",),
    "plan": ("plan", "plan_code"),
    "plan_code": ("plan_code",),
    "installment_id": ("installment",),
    "agreement_id": ("agreement",),
    "agreement": ("agreement", "agreement_code"),
    "agreement_code": ("agreement_code",),
    "letter_id": ("letter",),
    "letter": ("letter",),
    "document_id": ("letter",),
    "run_id": ("letter_run",),
    "filename": ("letter_file",),
    "budget_id": ("budget",),
    "household_budget_id": ("budget",),
    "version_id": ("budget",),
    "case_id": ("case",),
    "reference": ("reference",),
    "rf": ("reference",),
    "code": ("household_code", "book_code", "plan_code", "agreement_code"),
    "id": ("household", "book", "account", "debtor", "journal_entry", "hour_entry", "plan",
           "installment", "agreement", "letter", "budget", "case"),
}  # fmt: skip

#: Path arguments that name no household (a format, a period, an action): the values tried.
#: A rule whose only arguments are these is probed like a page without arguments.
NEUTRAL: dict[str, tuple[object, ...]] = {
    "format": ("pdf", "xlsx", "csv"),
    "fmt": ("pdf", "xlsx", "csv"),
    "ext": ("pdf", "xlsx", "csv"),
    "year": (2025,),
    "month": ("2025-03", 3),
    "period": ("2025-03",),
    "number": (1, 2),
    "page": (1,),
    "lang": ("it", "en"),
    "language": ("it", "en"),
    "action": ("contest", "dispute", "submit", "cancel", "delete", "download"),
}

#: The downloads tried on every GET whose view reads ``format``.
FORMATS = ("", "pdf", "xlsx", "csv")
#: A query or form name a view reads that looks like an id: the probe must know it.
IDENTIFYING = re.compile(
    r"(^|_)(ids?|code|ref|reference|rf|household|book|account|debtor|plan|agreement|letter|"
    r"entry|case|document|run|version)s?$"
)
#: Form fields sent with every POST besides the CSRF token, so that a view which checks its form
#: before looking the record up still gets as far as the lookup.
FORM = {
    "reason": "probe",
    "note": "probe",
    "description": "probe",
    "hours": "1",
    "work_date": "2025-03-10",
    "date": "2025-03-10",
    "activity": "PAINTING",
}
#: At most this many combinations of values per rule and kind of probe.
MAX_COMBINATIONS = 200

IBAN = "IT60 X054 2811 1010 0000 0123 456"
#: Household names no page of A's may show (every household of the site is 'Rossi Maria').
NAMES = {"b0": "Zanardelli Ottavia", "b1": "Quirini Oddone", "a1": "Fumagalli Ettore"}


@dataclass
class Records:
    """One household's records, by kind (see :data:`ARGUMENTS`), and what only it shows."""

    values: dict[str, list[int | str]] = field(default_factory=dict)
    markers: set[str] = field(default_factory=set)

    def add(self, kind: str, found: Iterable[int | str]) -> None:
        self.values.setdefault(kind, []).extend(v for v in found if v not in self.values[kind])


@dataclass
class World:
    own: Records  # agency A's resident's household
    others: Records  # agency B's two households and A's neighbour, together
    other_ids: list[int]

    def ids(self, name: str, side: str) -> list[int | str]:
        """What the argument ``name`` may name of the resident's (``own``) or of the others'
        records; an id of the others that is the resident's under another kind is left out
        (journal entry 3 may be hour entry 3 of the resident's)."""
        kinds = ARGUMENTS[name]
        own = [v for kind in kinds for v in self.own.values.get(kind, [])]
        if side == "own":
            return own
        return [v for kind in kinds for v in self.others.values.get(kind, []) if v not in own]


# --- the site, its records -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from database_of(request.param, tmp_path_factory.mktemp("privacy") / "privacy.sqlite")


@pytest.fixture(scope="module")
def site_engine(site_url: str) -> Iterator[Engine]:
    engine = make_engine(site_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def site(site_engine: Engine, site_url: str) -> Site:
    return build(site_engine, site_url)


def _paint(session: Session):  # type: ignore[no-untyped-def]
    painting = activity(session, "PAINTING")
    if not session.scalar(select(ActivityRate.id).where(ActivityRate.activity_id == painting.id)):
        set_rate(session, painting, "7.50", valid_from=date(2024, 1, 1), actor=ACTOR)
    return painting


def _furnish(session: Session, agency_code: str, site: Site, suffix: str) -> None:
    """Give the agency's first household one record of every kind the portal may show: a
    payment, reminder letters, a budget, an active plan, an active agreement with hours
    submitted, verified and rejected, and an open case."""
    agency = session.scalar(select(AgencyRow).where(AgencyRow.code == agency_code))
    people = getattr(site, suffix)
    household = session.get(Household, people.household_ids[0])
    debtor = session.scalar(select(DebtorAccount).where(DebtorAccount.household_id == household.id))
    supervisor = session.scalar(
        select(User).where(User.username == people.users[Role.SUPERVISOR])
    ).person
    record_payment(session, debtor, "10.00", date(2025, 2, 20), actor=ACTOR)
    set_book_iban(session, debtor.book, IBAN, actor=ACTOR)
    reminders.set_contact(session, agency, name="Sportello", address="Via Padova 36, Milano",
                          phone="02 1234 5678", email="sportello@example.org", hours="lun 9-13",
                          actor=ACTOR)  # fmt: skip
    reminders.generate(session, agency, date(2025, 3, 15), actor=ACTOR)
    record_budget(session, household, [Line("income", "pension", "900.00"),
                                       Line("expense", "food", "300.00")],
                  valid_from=date(2025, 1, 1), actor=ACTOR)  # fmt: skip
    plan = plans.create_plan(
        session,
        agency,
        household=household,
        book=debtor.book,
        debt="290.00",
        as_of=date(2025, 3, 31),
        installments=plans.equal_installments("290.00", 2, date(2025, 4, 30)),
        actor=ACTOR,
        code=f"PRIVACY-{suffix.upper()}",
    )
    plans.activate_plan(session, plan, on=date(2025, 3, 31), actor=ACTOR)
    painting = _paint(session)
    made = agreements.create_agreement(
        session, agency, f"PRIVACY-{suffix.upper()}", household=household, debtor=debtor,
        supervisor=supervisor, activities=[painting], start=date(2025, 1, 1),
        end=date(2025, 12, 31), insurance_ref="POL-1", actor=ACTOR,
    )  # fmt: skip
    agreements.activate(session, made, actor=ACTOR)
    entries = [
        hours.submit(session, made, work_date=date(2025, 3, day), activity=painting, hours="2",
                     description="scale B", role="resident", actor=ACTOR, today=date(2025, 3, 31))
        for day in (3, 4, 5)
    ]  # fmt: skip
    hours.verify(session, entries[1], reviewer=supervisor, actor=ACTOR)
    hours.reject(session, entries[2], reviewer=supervisor, reason="not seen", actor=ACTOR)
    cases.open_case(session, household, on=date(2025, 3, 1), actor=ACTOR)


def _records(session: Session, household_id: int) -> Records:
    found = Records()
    household = session.get(Household, household_id)
    found.add("household", [household.id])
    found.add("household_code", [household.code])
    debtors = list(
        session.scalars(select(DebtorAccount).where(DebtorAccount.household_id == household_id))
    )
    accounts = [d.account_id for d in debtors]
    found.add("debtor", [d.id for d in debtors])
    found.add("account", accounts)
    found.add("book", [d.book_id for d in debtors])
    found.add("book_code", [session.get(Book, d.book_id).code for d in debtors])
    found.add("reference", [d.rf_reference for d in debtors])
    occupancies = list(
        session.scalars(select(Occupancy).where(Occupancy.household_id == household_id))
    )
    found.add("occupancy", [o.id for o in occupancies])
    found.add("unit", [o.unit_id for o in occupancies])
    found.add("building", [o.unit.building_id for o in occupancies])
    postings = list(
        session.execute(
            select(Posting.id, Posting.entry_id).where(Posting.account_id.in_(accounts))
        )
    )
    found.add("posting", [p.id for p in postings])
    found.add("journal_entry", [p.entry_id for p in postings])
    mine = [RepaymentPlan.household_id == household_id]
    found.add("plan", session.scalars(select(RepaymentPlan.id).where(*mine)))
    found.add("plan_code", session.scalars(select(RepaymentPlan.code).where(*mine)))
    found.add(
        "installment", session.scalars(select(PlanInstallment.id).join(RepaymentPlan).where(*mine))
    )
    ours = [Agreement.household_id == household_id]
    found.add("agreement", session.scalars(select(Agreement.id).where(*ours)))
    found.add("agreement_code", session.scalars(select(Agreement.code).where(*ours)))
    found.add("hour_entry", session.scalars(select(HourEntry.id).join(Agreement).where(*ours)))
    letters = list(session.scalars(select(Letter).where(Letter.household_id == household_id)))
    found.add("letter", [x.id for x in letters])
    found.add("letter_run", [x.run_id for x in letters])
    found.add("letter_file", [x.filename for x in letters])
    found.add(
        "budget",
        session.scalars(
            select(HouseholdBudget.id).where(HouseholdBudget.household_id == household_id)
        ),
    )
    found.add("case", session.scalars(select(Case.id).where(Case.household_id == household_id)))
    found.markers = {household.code, household.name}
    found.markers |= {d.rf_reference for d in debtors} | {
        printable(d.rf_reference) for d in debtors
    }
    return found


@pytest.fixture(scope="module")
def world(site: Site, site_engine: Engine) -> World:
    with Session(site_engine) as session:
        for suffix, agency in (("a", site.a), ("b", site.b)):
            _furnish(session, agency.code, site, suffix)
        others = {"b0": site.b.household_ids[0], "b1": site.b.household_ids[1],
                  "a1": site.a.household_ids[1]}  # fmt: skip
        for key, household_id in others.items():
            session.get(Household, household_id).name = NAMES[key]  # names no A page shows
        session.commit()
        own = _records(session, site.a.household_ids[0])
        together = Records()
        for household_id in others.values():
            records = _records(session, household_id)
            for kind, values in records.values.items():
                # A's neighbour shares A's book and building: those are the resident's too.
                together.add(kind, [v for v in values if v not in own.values.get(kind, [])])
            together.markers |= records.markers
    together.markers.add("PRIVACY-B")  # B's plan and agreement
    assert {"letter", "plan", "agreement", "hour_entry", "budget", "case"} <= {
        kind for kind, values in own.values.items() if values
    }
    return World(own, together, list(others.values()))


def _snapshot(engine: Engine, household_ids: list[int]) -> dict[str, object]:
    """What the other households have: nothing a probe does may change it."""
    theirs = Agreement.household_id.in_(household_ids)
    accounts = select(DebtorAccount.account_id).where(DebtorAccount.household_id.in_(household_ids))
    plan_ids = select(RepaymentPlan.id).where(RepaymentPlan.household_id.in_(household_ids))
    case_ids = select(Case.id).where(Case.household_id.in_(household_ids))
    counted = {
        "postings": (Posting, Posting.account_id.in_(accounts)),
        "hour events": (HourEvent, HourEvent.agreement_id.in_(select(Agreement.id).where(theirs))),
        "budgets": (HouseholdBudget, HouseholdBudget.household_id.in_(household_ids)),
        "plans": (RepaymentPlan, RepaymentPlan.household_id.in_(household_ids)),
        "plan events": (PlanEvent, PlanEvent.plan_id.in_(plan_ids)),
        "case entries": (CaseEntry, CaseEntry.case_id.in_(case_ids)),
        "letters": (Letter, Letter.household_id.in_(household_ids)),
    }
    with Session(engine) as session:
        found: dict[str, object] = {
            name: session.scalar(select(func.count()).select_from(model).where(where))
            for name, (model, where) in counted.items()
        }
        entries = session.scalars(select(HourEntry).join(Agreement).where(theirs))
        found["hour entries"] = sorted((e.id, str(e.status)) for e in entries)
        households = session.scalars(select(Household).where(Household.id.in_(household_ids)))
        found["households"] = sorted((h.id, h.code, h.name) for h in households)
        return found


# --- the application and its sessions --------------------------------------------------------


def _app(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An application on the probe's site; they share one key, so a session works in each."""
    return create_app(
        {
            "DATABASE_URL": site.url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("privacy-app")),
            "SECRET_KEY": "privacy-probe",
            "TESTING": True,
        }
    )


@pytest.fixture(scope="module")
def probe_app(
    site: Site, world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    app = listening(_app(site, tmp_path_factory))
    yield app
    app.extensions["condo"].engine.dispose()


@pytest.fixture(scope="module")
def cookies(probe_app: Flask, site: Site, site_engine: Engine) -> dict[str, str]:
    """One login each: A's resident, each staff role of A, and a resident without a household."""
    with Session(site_engine) as session:
        homeless = users.create_user(
            session,
            username="resident-homeless",
            display_name="Senza nucleo",
            role=Role.RESIDENT,
            password=PASSWORD,
            actor=ACTOR,
            household=session.get(Household, site.a.household_ids[0]),
        )
        homeless.household_id = None  # the household was removed from the account
        session.commit()
    found: dict[str, str] = {}
    logins = {"resident": None, "homeless": "resident-homeless"}
    logins |= {role.value: site.a.users[role] for role in Role if role is not Role.RESIDENT}
    for who, username in logins.items():
        with probe_app.app_context():
            limiter.reset()  # five logins a minute from one address
        client = probe_app.test_client()
        if username is None:
            resident(client, site)
        else:
            assert login(client, username).status_code == 302, username
        cookie = client.get_cookie("session")
        assert cookie is not None
        found[who] = cookie.value
    with probe_app.app_context():
        limiter.reset()
    return found


def _client(app: Flask, cookies: dict[str, str], who: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", cookies[who])
    return client


# --- the probe -------------------------------------------------------------------------------


def portal_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint.startswith("portal.")),
        key=lambda r: (r.endpoint, r.rule),
    )


def path_arguments(rule: Rule) -> list[str]:
    return sorted(rule._converters)  # in the path (no defaults)


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def unknown_arguments(rule: Rule) -> list[str]:
    return [a for a in path_arguments(rule) if a not in ARGUMENTS and a not in NEUTRAL]


def _fits(rule: Rule, name: str, values: Iterable[object]) -> list[object]:
    """The values the argument's converter accepts (ids become text for a string converter)."""
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return [v for v in values if str(v) in converter.items] or sorted(converter.items)
    if isinstance(converter, IntegerConverter):
        return [v for v in values if isinstance(v, int)]
    return list(dict.fromkeys(str(v) for v in values))


def _values(rule: Rule, name: str, side: str, world: World) -> list[object]:
    if name in NEUTRAL:
        return _fits(rule, name, NEUTRAL[name])
    if side == "none":
        return _fits(rule, name, [NO_ID, NO_CODE])
    return _fits(rule, name, world.ids(name, side))


def _combinations(rule: Rule, sides: dict[str, str], world: World) -> list[dict[str, object]]:
    names = path_arguments(rule)
    choices = [_values(rule, n, sides.get(n, "own"), world) for n in names]
    product = itertools.islice(itertools.product(*choices), MAX_COMBINATIONS)
    return [{**(rule.defaults or {}), **dict(zip(names, combo, strict=True))} for combo in product]


def probes(rule: Rule, world: World) -> list[dict[str, object]]:
    """The foreign and missing fillings of a rule: every identifying argument foreign (or
    missing) together, and, when there are several, each one alone beside the resident's own."""
    ids = [a for a in path_arguments(rule) if a in ARGUMENTS]
    sides = [dict.fromkeys(ids, "others"), dict.fromkeys(ids, "none")]
    if len(ids) > 1:
        sides += [{a: side} for a in ids for side in ("others", "none")]
    found: list[dict[str, object]] = []
    for side in sides:
        found += _combinations(rule, side, world)
    return found


def url(rule: Rule, values: dict[str, object]) -> str:
    built = rule.build(values, append_unknown=False)
    assert built is not None, (rule.rule, values)
    return built[1]


class _Heard(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query strings and forms that note which names the view reads (``*``: all of them)."""

    names: ClassVar[set[str]] = set()

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        self.names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.names.add(str(key))
        return super().__contains__(key)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]
        self.names.add(key)
        return super().getlist(key, type)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.names.add("*")
        return super().__iter__()

    def items(self, multi: bool = False):  # type: ignore[no-untyped-def]
        self.names.add("*")
        return super().items(multi)

    def lists(self):  # type: ignore[no-untyped-def]
        self.names.add("*")
        return super().lists()

    def to_dict(self, flat: bool = True):  # type: ignore[no-untyped-def]
        self.names.add("*")
        return super().to_dict(flat)


def listening(app: Flask) -> Flask:
    """Let the probe learn which query and form names each view reads."""

    class Request(app.request_class):  # type: ignore[name-defined,misc]
        parameter_storage_class = _Heard

    app.request_class = Request
    return app


def readable(response) -> str:  # type: ignore[no-untyped-def]
    """The response as text: a PDF's extracted text, an xlsx's cells, or the body."""
    body = response.get_data()
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if body.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(body)):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None
        )  # fmt: skip
    return body.decode("utf-8", errors="replace")


def leaks(response, markers: Iterable[str], asked: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The markers the response shows, except those the request itself carried (a page may
    repeat its own address, in the language switch's ``next`` for instance)."""
    text = readable(response)
    return sorted(
        m
        for m in markers
        if m.lower() not in asked.lower()
        and re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text, re.IGNORECASE)
    )


@dataclass
class Asked:
    method: str
    path: str
    query: dict[str, object] = field(default_factory=dict)

    def send(self, client: FlaskClient, token: str):  # type: ignore[no-untyped-def]
        _Heard.names = set()
        if self.method == "GET":
            return client.get(self.path, query_string=self.query)
        return client.open(
            self.path, method=self.method, data={"csrf_token": token, **FORM, **self.query}
        )

    def __str__(self) -> str:
        query = f" {self.query}" if self.query else ""
        return f"{self.method} {self.path}{query}"


def _downloads(method: str, heard: set[str]) -> list[dict[str, object]]:
    if method == "GET" and ({"format", "*"} & heard):
        return [{}, *({"format": f} for f in FORMATS if f)]
    return [{}]


def _learn(rule: Rule, client: FlaskClient, token: str, world: World) -> tuple[set[str], list[int]]:
    """Ask the rule with the resident's own values (each download too): the names its view
    reads, and the statuses of the GETs (the control)."""
    heard: set[str] = set()
    statuses: list[int] = []
    for number, values in enumerate(_combinations(rule, {}, world)):
        for method in methods(rule):
            if number >= 3 and method != "GET":
                continue
            downloads = [{}, *({"format": f} for f in FORMATS if f)] if number < 3 else [{}]
            for query in downloads if method == "GET" else [{}]:
                response = Asked(method, url(rule, values), query).send(client, token)
                heard |= _Heard.names
                if method == "GET" and not query:
                    statuses.append(response.status_code)
    return heard, statuses


def probe_foreign(app: Flask, client: FlaskClient, world: World) -> list[str]:
    """Every probe of every portal rule as the logged-in resident; the problems found."""
    token = token_of(client, "/portal/")
    problems: list[str] = []
    for rule in portal_rules(app):
        unknown = unknown_arguments(rule)
        if unknown:
            problems.append(
                f"{rule.endpoint} ({rule.rule}): the privacy probe does not know what {unknown} "
                "name: add them to ARGUMENTS (the kinds of records) or NEUTRAL in "
                "tests/web/portal/test_privacy.py"
            )
            continue
        heard, statuses = _learn(rule, client, token, world)
        heard -= {"csrf_token", *FORM}
        unknown = sorted(n for n in heard if n not in ARGUMENTS and IDENTIFYING.search(n))
        if unknown:
            problems.append(
                f"{rule.endpoint} ({rule.rule}) reads {unknown}, which look like ids the probe "
                "does not know: add them to ARGUMENTS in tests/web/portal/test_privacy.py"
            )
        if any(a in ARGUMENTS for a in path_arguments(rule)):
            problems += _control(rule, statuses)
            problems += _probe_path(rule, client, token, world, heard)
        problems += _probe_query(rule, client, token, world, heard)
    return problems


def _check(asked: Asked, rule: Rule, response, world: World, allowed: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """The problems of one answer: a status not ``allowed`` (any below 500 when empty), and
    another household's data."""
    problems: list[str] = []
    status = response.status_code
    if (allowed and status not in allowed) or status >= 500:
        problems.append(f"{asked} ({rule.endpoint}): {status}")
    shown = leaks(response, world.others.markers, f"{asked.path} {asked.query}")
    if shown:
        problems.append(f"{asked} ({rule.endpoint}) shows {shown}")
    return problems


def _probe_path(
    rule: Rule, client: FlaskClient, token: str, world: World, heard: set[str]
) -> list[str]:
    """The other households' ids (and missing ones) in the path: 404 or 403, nothing shown."""
    problems: list[str] = []
    for values in probes(rule, world):
        for method in methods(rule):
            for query in _downloads(method, heard):
                asked = Asked(method, url(rule, values), query)
                problems += _check(asked, rule, asked.send(client, token), world, (403, 404))
    return problems


def _control(rule: Rule, statuses: list[int]) -> list[str]:
    """With the resident's own ids a GET rule must find something, or the probe proves nothing."""
    if not statuses or (500 not in statuses and any(s != 404 for s in statuses)):
        return []
    return [
        f"{rule.endpoint} ({rule.rule}): with the resident's own ids it answered {statuses}; "
        "the probe fills it with the wrong records (see ARGUMENTS) or the page is broken"
    ]


def _probe_query(
    rule: Rule, client: FlaskClient, token: str, world: World, heard: set[str]
) -> list[str]:
    """The other households' ids (and missing ones) under each name the view reads from the
    query string or the form: anything but a 500, and never their data."""
    names = list(ARGUMENTS) if "*" in heard else sorted(heard & set(ARGUMENTS))
    own = _combinations(rule, {}, world)[0]
    problems: list[str] = []
    for name, method in itertools.product(names, methods(rule)):
        for value in [*world.ids(name, "others")[:6], NO_ID, NO_CODE]:
            for download in _downloads(method, heard):
                asked = Asked(method, url(rule, own), {name: value, **download})
                problems += _check(asked, rule, asked.send(client, token), world, ())
    return problems


# --- the tests -------------------------------------------------------------------------------


def test_a_resident_reaches_no_other_household_by_any_portal_url(
    probe_app: Flask, cookies: dict[str, str], world: World, site_engine: Engine
) -> None:
    before = _snapshot(site_engine, world.other_ids)
    client = _client(probe_app, cookies, "resident")
    problems = probe_foreign(probe_app, client, world)
    assert not problems, "\n".join(problems)
    assert _snapshot(site_engine, world.other_ids) == before
    # Still logged in as A's resident, on A's household: the probe tried what it meant to.
    page = client.get("/portal/").get_data(as_text=True)
    assert "Rossi Maria" in page and not leaks(client.get("/portal/"), world.others.markers)


def _own_urls(app: Flask, world: World) -> Iterator[tuple[Rule, str, str]]:
    for rule in portal_rules(app):
        assert not unknown_arguments(rule), rule.endpoint  # reported by the test above
        values = _combinations(rule, {}, world)[0]
        for method in methods(rule):
            yield rule, method, url(rule, values)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.RESIDENT], ids=str)
def test_staff_get_403_on_every_portal_route(
    probe_app: Flask, cookies: dict[str, str], world: World, role: Role
) -> None:
    client = _client(probe_app, cookies, role.value)
    token = token_of(client, "/account")
    answers = {
        f"{method} {path}": Asked(method, path).send(client, token).status_code
        for _, method, path in _own_urls(probe_app, world)
    }
    assert answers and set(answers.values()) == {403}, answers


def test_a_resident_account_without_a_household_gets_404_everywhere(
    probe_app: Flask, cookies: dict[str, str], world: World
) -> None:
    client = _client(probe_app, cookies, "homeless")
    token = token_of(client, "/account")
    answers = {
        f"{method} {path}": Asked(method, path).send(client, token).status_code
        for _, method, path in _own_urls(probe_app, world)
    }
    assert answers and set(answers.values()) == {404}, answers


def test_the_probe_catches_a_page_that_forgets_the_household(
    site: Site, world: World, cookies: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A leaky page and a page with an argument nobody taught the probe, on an application of
    their own: the probe reports both."""
    app = listening(_app(site, tmp_path_factory))

    def leaky(letter_id: int) -> str:  # shows any household's letter: the mistake to catch
        with Session(app.extensions["condo"].engine) as session:
            letter = session.get(Letter, letter_id)
            return letter.household.name if letter else "?"

    app.add_url_rule("/portal/leaky/<int:letter_id>", "portal.leaky", leaky)
    app.add_url_rule("/portal/odd/<int:widget_id>", "portal.odd", lambda widget_id: "")
    try:
        client = _client(app, cookies, "resident")
        found = "\n".join(probe_foreign(app, client, world))
    finally:
        app.extensions["condo"].engine.dispose()
    letter = world.others.values["letter"][0]
    assert f"GET /portal/leaky/{letter} (portal.leaky): 200" in found
    assert f"GET /portal/leaky/{letter} (portal.leaky) shows" in found
    assert f"GET /portal/leaky/{NO_ID} (portal.leaky): 200" in found  # a missing id is no 404
    assert "portal.odd" in found and "widget_id" in found
