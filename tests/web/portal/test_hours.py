"""Community hours in the portal: the household's agreement and what its hours earned, logging
hours and contesting a rejection through the restitution operations, and nothing of anyone else.

Each agency of the shared site gets a household of its own here (a flat in its building, a
resident login, an agreement of 2024 on its service-charge debt), so that crediting hours changes
no figure the other web tests read: the household is charged exactly what its credited hours
earn, and ends owing nothing, like the households other tests leave at zero.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account, debtor_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.auth.models import Role, User
from condo_admin.auth.operations import create_user
from condo_admin.registry import operations as registry
from condo_admin.registry.models import Agency as AgencyRow
from ledger.posting import Leg, post
from portal import community
from tests import factories
from tests.factories import ACTOR
from tests.web.helpers import engine_of, text, token_of, unique_username
from tests.web.portal.helpers import resident
from tests.web.site import PASSWORD, Site, login
from volunteering import agreements, crediting, hours
from volunteering.agreements import Caps
from volunteering.catalogue import activity, set_rate
from volunteering.models import (
    ActivityRate,
    Agreement,
    HourEntry,
    HourEvent,
    HourStatus,
    SubmitterRole,
)

START, END = date(2024, 1, 1), date(2024, 12, 31)
#: The rates of the agreement's activities from the start of 2024.
RATES = {"GREEN": "7.50", "MAIL": "8.00"}
#: Work of the fixture: day, activity, hours, fate. The 3 h of GREEN are credited (22.50).
WORK = (
    (date(2024, 2, 5), "GREEN", "3", "credit"),
    (date(2024, 2, 6), "MAIL", "2", "verify"),  # 2 h x 8.00 = 16.00, to be credited
    (date(2024, 2, 7), "GREEN", "1.5", "reject"),
    (date(2024, 2, 8), "GREEN", "1", "submit"),
)
REASON = "Il giardino era già stato curato quel giorno"
_days = itertools.count()


@dataclass(frozen=True)
class Household:
    """One household of the test, its resident's login and its agreement's ids."""

    username: str
    name: str
    agreement_id: int
    code: str
    entries: dict[str, int]  # fate -> hour entry id
    creditor: str


_WORLDS: dict[tuple[str, str], Household] = {}


def _rates(session: Session) -> None:
    for code, rate in RATES.items():
        act = activity(session, code)
        if not session.scalar(
            select(ActivityRate.id).where(
                ActivityRate.activity_id == act.id, ActivityRate.valid_from == START
            )
        ):
            set_rate(session, act, rate, valid_from=START, actor=ACTOR)


def _household(session: Session, site: Site, agency: str) -> Household:
    of_site = getattr(site, agency)
    rossi = session.scalar(
        select(DebtorAccount).where(DebtorAccount.household_id == of_site.household_ids[0])
    )
    building = rossi.occupancy.unit.building
    book = rossi.book
    supervisor = session.scalar(
        select(User).where(User.username == of_site.users[Role.SUPERVISOR])
    ).person
    ag = session.scalar(select(AgencyRow).where(AgencyRow.code == of_site.code))
    # A flat of no housing body, so the housing body's pages keep their two flats.
    flat = registry.create_unit(session, building, factories.unique("P"), "flat", actor=ACTOR)
    household = factories.household(session, ag)
    occupancy = registry.start_occupancy(session, household, flat, start=START, actor=ACTOR)
    debtor = debtor_account(session, book, occupancy, actor=ACTOR)
    # Charged what the credited hours earn: the household ends owing nothing.
    post(
        session,
        book,
        date(2024, 1, 10),
        [Leg(debtor.account, "22.50"), Leg(book_account(session, book, "INC.FEES"), "-22.50")],
        memo="Rata 01/2024",
        actor=ACTOR,
    )
    username = unique_username("hours")
    create_user(
        session,
        username=username,
        display_name="Resident",
        role=Role.RESIDENT,
        password=PASSWORD,
        actor=ACTOR,
        household=household,
    )
    _rates(session)
    made = agreements.create_agreement(
        session,
        ag,
        factories.unique("PORTAL"),
        household=household,
        debtor=debtor,
        supervisor=supervisor,
        activities=[activity(session, "GREEN"), activity(session, "MAIL")],
        start=START,
        end=END,
        insurance_ref="POL-77",
        caps=Caps(euros="200.00", hours="40", hours_per_year="30"),
        actor=ACTOR,
    )
    agreements.activate(session, made, actor=ACTOR)
    entries: dict[str, int] = {}
    for day, code, amount, fate in WORK:
        entry = hours.submit(
            session, made, work_date=day, activity=activity(session, code), hours=amount,
            description=f"lavoro del {day:%d/%m}", role="resident", actor=ACTOR, today=END,
        )  # fmt: skip
        if fate in ("credit", "verify"):
            hours.verify(session, entry, reviewer=supervisor, actor=ACTOR)
        elif fate == "reject":
            hours.reject(session, entry, reviewer=supervisor, reason=REASON, actor=ACTOR)
        if fate == "credit":
            crediting.credit(session, made, on=date(2024, 2, 29), actor=ACTOR, entries=[entry])
        entries[fate] = entry.id
    return Household(username, household.name, made.id, made.code, entries, building.name)


def _world(app: Flask, site: Site, agency: str) -> Household:
    key = (site.url, agency)
    if key not in _WORLDS:  # the site is shared by the session: built once per database
        with Session(engine_of(app)) as session:
            _WORLDS[key] = _household(session, site, agency)
            session.commit()
    return _WORLDS[key]


@pytest.fixture
def mine(app: Flask, site: Site) -> Household:
    return _world(app, site, "a")


@pytest.fixture
def theirs(app: Flask, site: Site) -> Household:
    return _world(app, site, "b")


def _login(client: FlaskClient, who: Household) -> FlaskClient:
    assert login(client, who.username).status_code == 302
    return client


def _count(app: Flask, agreement_id: int) -> int:
    with Session(engine_of(app)) as session:
        return session.scalar(
            select(func.count())
            .select_from(HourEntry)
            .where(HourEntry.agreement_id == agreement_id)
        )


def _entry(app: Flask, entry_id: int) -> HourEntry:
    with Session(engine_of(app), expire_on_commit=False) as session:
        return session.get(HourEntry, entry_id)


def _rejected(app: Flask, who: Household) -> int:
    """A new rejected entry of ``who``'s agreement, on a day of its own; its id."""
    with Session(engine_of(app)) as session:
        agreement = session.get(Agreement, who.agreement_id)
        supervisor = agreement.supervisor
        entry = hours.submit(
            session, agreement, work_date=date(2024, 9, 1) + timedelta(days=next(_days)),
            activity=activity(session, "MAIL"), hours="1", description="posta",
            role="resident", actor=ACTOR, today=END,
        )  # fmt: skip
        hours.reject(session, entry, reviewer=supervisor, reason="non risulta", actor=ACTOR)
        session.commit()
        return entry.id


def _form(who: Household, **fields: str) -> dict[str, str]:
    prefix = f"a{who.agreement_id}-"
    data = {"day": "2024-03-04", "activity": "GREEN", "hours": "2", "description": "aiuole"}
    return {prefix + key: value for key, value in (data | fields).items()}


def _field_errors(page: str, field_id: str) -> str:
    """The feedback shown under the field ``field_id`` (Bootstrap's invalid-feedback)."""
    found = re.search(rf'id="{field_id}"[^>]*>.*?<div class="invalid-feedback[^"]*">(.*?)</div>',
                      page, re.S)  # fmt: skip
    assert found, f"no error under {field_id}"
    return found.group(1)


# --- reading --------------------------------------------------------------------------------------


def test_the_resident_reads_the_agreement_and_what_the_hours_earned(client, app, mine):
    page = text(_login(client, mine).get("/portal/hours"))
    a = mine.agreement_id
    assert f"Patto {mine.code}" in page
    assert "In vigore: puoi registrare le ore che lavori." in page
    assert mine.creditor in page and "spese condominiali" in page
    # 22.50 charged, 3 h x 7.50 credited: the debt is repaid.
    assert re.search(rf'id="debt-before-{a}">22,50\xa0€<', page)
    assert re.search(rf'id="credited-{a}">22,50\xa0€<', page)
    assert re.search(rf'id="debt-after-{a}">0,00\xa0€<', page)
    # Activities in the reader's words, each with its rate.
    assert "Cura del verde: 7,50\xa0€ all'ora" in page
    assert "Distribuzione della posta" in page and "8,00\xa0€" in page
    # Caps: 3 + 2 h counted of 40, 22.50 + 16.00 of 200.00; the daily maximum.
    caps = page[page.index(f'id="caps-{a}"') :]
    assert "Al massimo 4 ore al giorno." in caps
    assert "40; 5 contate, 35 rimaste" in caps
    assert "200,00\xa0€; 38,50\xa0€ contati, 161,50\xa0€ rimasti" in caps
    # Entries by state, with rate and euros.
    for state in ("submitted", "rejected", "verified", "credited"):
        assert f'id="group-{a}-{state}"' in page
    credited = page[page.index(f'id="entry-{mine.entries["credit"]}"') :]
    assert "7,50\xa0€ all'ora: 22,50\xa0€ accreditati." in credited[:800]
    verified = page[page.index(f'id="entry-{mine.entries["verify"]}"') :]
    assert "8,00\xa0€ all'ora: 16,00\xa0€ da accreditare." in verified[:800]
    rejected = page[page.index(f'id="entry-{mine.entries["reject"]}"') :]
    assert REASON in rejected[:2000]
    assert f'action="/portal/hours/entries/{mine.entries["reject"]}/contest"' in rejected[:2000]
    assert f'action="/portal/hours/{a}/log"' in page


def test_the_figures_are_those_of_the_restitution_programme(app, mine):
    with Session(engine_of(app)) as session:
        household_id = session.get(Agreement, mine.agreement_id).household_id
        (view,) = community.household_agreements(session, household_id, date(2026, 1, 15))
    assert view.can_submit and view.creditor == mine.creditor
    assert [(c.unit, c.year, str(c.used), str(c.left)) for c in view.caps] == [
        ("h", None, "5.00", "35.00"),
        ("EUR", None, "38.50", "161.50"),
        ("h", 2024, "5.00", "25.00"),  # the agreement's last year, once it is over
    ]
    groups = dict(view.groups)
    assert [line.id for line in groups[HourStatus.CREDITED]] == [mine.entries["credit"]]
    (rejected,) = [x for x in groups[HourStatus.REJECTED] if x.id == mine.entries["reject"]]
    assert rejected.reason == REASON and rejected.contest_until is not None


def test_a_household_without_an_agreement_is_told_whom_to_ask(client, site):
    page = text(resident(client, site, "b").get("/portal/hours"))
    assert "Il tuo nucleo non ha un patto" in page


def test_the_page_speaks_english_after_the_switch(client, mine):
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/hours"})
    page = text(client.get("/portal/hours"))
    assert "Your community hours" in page and "In force: you can log the hours you work." in page
    assert re.search(rf'id="credited-{mine.agreement_id}">€22.50<', page)
    assert "Green-area care: €7.50 an hour" in page
    assert "Community hours" in page  # the menu


# --- logging hours ------------------------------------------------------------------------------


def test_the_resident_logs_hours_through_the_restitution_operation(client, app, mine):
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    before = _count(app, mine.agreement_id)
    response = client.post(
        f"/portal/hours/{mine.agreement_id}/log",
        data={"csrf_token": token, **_form(mine, day="2024-03-11", hours="1,5", activity="MAIL")},
    )
    assert response.status_code == 302, text(response)
    assert _count(app, mine.agreement_id) == before + 1
    with Session(engine_of(app)) as session:
        entry = session.scalars(
            select(HourEntry)
            .where(HourEntry.agreement_id == mine.agreement_id)
            .order_by(HourEntry.id.desc())
        ).first()
        assert entry.status is HourStatus.SUBMITTED and str(entry.hours) == "1.50"
        assert entry.submitted_role is SubmitterRole.RESIDENT
        assert entry.submitted_by == f"user:{mine.username}"
        event = session.scalar(select(HourEvent).where(HourEvent.hour_entry_id == entry.id))
        assert event.action == "submit" and event.actor == f"user:{mine.username}"
        entry_id = entry.id
    assert response.headers["Location"].endswith(f"#entry-{entry_id}")
    page = text(client.get("/portal/hours"))
    assert "Grazie: le tue ore del 11 marzo 2024 (1,5 ore) sono registrate." in page
    waiting = page[page.index(f'id="group-{mine.agreement_id}-submitted"') :]
    assert f'id="entry-{entry_id}"' in waiting[: waiting.index("</details>")]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        # 3 h of GREEN are logged on 5 February: 2 more would make 5, over the 4 a day.
        ({"day": "2024-02-05", "hours": "2"}, "hours", "Ore del 5 feb 2024 nel patto"),
        ({"day": "2025-01-15"}, "day", "2024"),  # after the agreement's end
        ({"hours": "1,1"}, "hours", "1,1"),  # not quarter hours
        ({"hours": "0"}, "hours", "0"),
        ({"hours": "1e30"}, "hours", "Scrivi le ore come un numero, per esempio 2 o 1,5."),
        ({"hours": ""}, "hours", "Scrivi quante ore hai lavorato."),
        ({"description": ""}, "description", "Scrivi in poche parole che cosa hai fatto."),
        ({"day": "2024-13-45"}, "day", "Non è una data valida"),
        ({"activity": "PAINTING"}, "activity", "Non è una opzione valida"),  # not the agreement's
    ],
    ids=["daily-maximum", "outside-dates", "quarter-hours", "zero", "exponent", "no-hours",
         "no-what", "bad-day", "activity"],
)  # fmt: skip
def test_refused_hours_are_explained_next_to_the_field_and_nothing_is_written(
    client, app, mine, fields, field, words
):
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    before = _count(app, mine.agreement_id)
    response = client.post(
        f"/portal/hours/{mine.agreement_id}/log",
        data={"csrf_token": token, **_form(mine, **fields)},
    )
    assert response.status_code == 400
    assert _count(app, mine.agreement_id) == before
    page = text(response)
    feedback = _field_errors(page, f"a{mine.agreement_id}-{field}")
    assert words in feedback
    assert "Traceback" not in page and 'lang="it"' in page


def test_a_refusal_speaks_english_to_an_english_reader(client, app, mine):
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/hours"})
    response = client.post(
        f"/portal/hours/{mine.agreement_id}/log",
        data={"csrf_token": token, **_form(mine, day="2024-02-05", hours="2")},
    )
    assert response.status_code == 400
    feedback = _field_errors(text(response), f"a{mine.agreement_id}-hours")
    assert "over the daily maximum" in feedback


def test_a_post_without_the_csrf_token_is_refused(client, app, mine):
    _login(client, mine)
    before = _count(app, mine.agreement_id)
    response = client.post(f"/portal/hours/{mine.agreement_id}/log", data=_form(mine))
    assert response.status_code == 400
    assert _count(app, mine.agreement_id) == before
    entry_id = _rejected(app, mine)
    response = client.post(
        f"/portal/hours/entries/{entry_id}/contest", data={f"e{entry_id}-reason": "no"}
    )
    assert response.status_code == 400
    assert _entry(app, entry_id).status is HourStatus.REJECTED


# --- contesting ---------------------------------------------------------------------------------


def test_the_resident_contests_a_rejection(client, app, mine):
    entry_id = _rejected(app, mine)
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    response = client.post(
        f"/portal/hours/entries/{entry_id}/contest",
        data={"csrf_token": token, f"e{entry_id}-reason": "Ho consegnato la posta quel giorno"},
    )
    assert response.status_code == 302, text(response)
    entry = _entry(app, entry_id)
    assert entry.status is HourStatus.DISPUTED
    assert entry.reason == "Ho consegnato la posta quel giorno"
    with Session(engine_of(app)) as session:
        event = session.scalars(
            select(HourEvent)
            .where(HourEvent.hour_entry_id == entry_id)
            .order_by(HourEvent.id.desc())
        ).first()
        assert event.action == "dispute" and event.actor == f"user:{mine.username}"
    page = text(client.get("/portal/hours"))
    disputed = page[page.index(f'id="group-{mine.agreement_id}-disputed"') :]
    disputed = disputed[: disputed.index("</details>")]
    assert f'id="entry-{entry_id}"' in disputed
    assert "Perché hai contestato: Ho consegnato la posta quel giorno" in disputed
    assert f"/portal/hours/entries/{entry_id}/contest" not in page  # contested once


def test_a_contest_needs_a_reason_and_only_a_rejection_is_contested(client, app, mine):
    entry_id = _rejected(app, mine)
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    response = client.post(
        f"/portal/hours/entries/{entry_id}/contest",
        data={"csrf_token": token, f"e{entry_id}-reason": "  "},
    )
    assert response.status_code == 400
    assert "Scrivi perché contesti la decisione." in _field_errors(
        text(response), f"e{entry_id}-reason"
    )
    assert _entry(app, entry_id).status is HourStatus.REJECTED
    waiting = mine.entries["submit"]
    response = client.post(
        f"/portal/hours/entries/{waiting}/contest",
        data={"csrf_token": token, f"e{waiting}-reason": "perché sì"},
    )
    assert response.status_code == 400
    assert _entry(app, waiting).status is HourStatus.SUBMITTED


def test_a_rejection_is_contested_only_within_the_agreement_s_period(client, app, mine):
    entry_id = _rejected(app, mine)
    with Session(engine_of(app)) as session:  # decided 20 days ago; the period is 14 days
        entry = session.get(HourEntry, entry_id)
        entry.decided_at = entry.decided_at - timedelta(days=20)
        session.commit()
    _login(client, mine)
    page = text(client.get("/portal/hours"))
    shown = page[page.index(f'id="entry-{entry_id}"') :]
    assert "Il tempo per contestare questa decisione è finito il" in shown[:1500]
    assert f"/portal/hours/entries/{entry_id}/contest" not in page
    token = token_of(client, "/portal/hours")
    response = client.post(
        f"/portal/hours/entries/{entry_id}/contest",
        data={"csrf_token": token, f"e{entry_id}-reason": "in ritardo"},
    )
    assert response.status_code == 400
    assert 'id="problem"' in text(response) and "Ore del" in text(response)
    assert _entry(app, entry_id).status is HourStatus.REJECTED


# --- privacy and access -------------------------------------------------------------------------


def test_another_household_s_agreement_and_entries_answer_404(client, app, mine, theirs):
    _login(client, mine)
    token = token_of(client, "/portal/hours")
    before = _count(app, theirs.agreement_id)
    page = text(client.get("/portal/hours"))
    assert theirs.code not in page and theirs.name not in page
    for agreement_id in (theirs.agreement_id, 999999):
        response = client.post(
            f"/portal/hours/{agreement_id}/log",
            data={"csrf_token": token, **_form(theirs, day="2024-03-05")},
        )
        assert response.status_code == 404
    assert _count(app, theirs.agreement_id) == before
    for entry_id in (theirs.entries["reject"], 999999):
        response = client.post(
            f"/portal/hours/entries/{entry_id}/contest",
            data={"csrf_token": token, f"e{entry_id}-reason": "mio"},
        )
        assert response.status_code == 404
    assert _entry(app, theirs.entries["reject"]).status is HourStatus.REJECTED


def test_a_neighbour_of_the_same_agency_sees_none_of_it(client, app, site, mine):
    page = text(resident(client, site).get("/portal/hours"))
    assert mine.code not in page and mine.name not in page and "lavoro del" not in page
    token = token_of(client, "/portal/hours")
    response = client.post(
        f"/portal/hours/entries/{mine.entries['reject']}/contest",
        data={"csrf_token": token, f"e{mine.entries['reject']}-reason": "mio"},
    )
    assert response.status_code == 404
    response = client.post(
        f"/portal/hours/{mine.agreement_id}/log", data={"csrf_token": token, **_form(mine)}
    )
    assert response.status_code == 404


def test_staff_do_not_get_the_hours_page(client, site, mine):
    for role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.HOUSING_BODY):
        c = client.application.test_client()
        login(c, site.a.users[role])
        assert c.get("/portal/hours").status_code == 403, role
        token = token_of(c, "/account")
        response = c.post(
            f"/portal/hours/{mine.agreement_id}/log", data={"csrf_token": token, **_form(mine)}
        )
        assert response.status_code == 403, role
