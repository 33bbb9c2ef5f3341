"""A supervisor verifies or rejects the hours of the agreements they supervise, in the browser's
forms (CSRF included); disputes go to another reviewer; nobody else's entries are reachable."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.auth.models import Role, User
from condo_admin.registry.models import Agency, Household
from tests.factories import ACTOR
from tests.web.site import csrf_token, login
from volunteering import agreements, hours
from volunteering.catalogue import activity, set_rate
from volunteering.models import ActivityRate, Agreement, HourEntry, HourStatus

DAY = date(2025, 3, 4)


@pytest.fixture
def entries(app, site):  # type: ignore[no-untyped-def]
    """Two hour entries submitted under agreement QUEUE of agency A, supervised by A's
    supervisor; returns their ids."""
    with Session(app.extensions["condo"].engine) as session:
        supervisor = session.scalar(
            select(User).where(User.username == site.a.users[Role.SUPERVISOR])
        ).person
        household = session.get(Household, site.a.household_ids[0])
        debtor = session.scalar(
            select(DebtorAccount).where(DebtorAccount.household_id == household.id)
        )
        painting = activity(session, "PAINTING")
        if not session.scalar(
            select(ActivityRate.id).where(
                ActivityRate.activity_id == painting.id, ActivityRate.valid_from == date(2025, 1, 1)
            )
        ):
            set_rate(session, painting, "7.50", valid_from=date(2025, 1, 1), actor=ACTOR)
        agency = session.get(Agency, household.agency_id)
        made = session.scalar(
            select(Agreement).where(Agreement.agency_id == agency.id, Agreement.code == "QUEUE")
        )
        if made is None:  # the site is shared by the session: one agreement serves every test
            made = agreements.create_agreement(
                session,
                agency,
                "QUEUE",
                household=household,
                debtor=debtor,
                supervisor=supervisor,
                activities=[painting],
                start=date(2025, 1, 1),
                end=date(2025, 12, 31),
                insurance_ref="POL-1",
                actor=ACTOR,
            )
            agreements.activate(session, made, actor=ACTOR)
        used = session.scalar(
            select(func.count()).select_from(HourEntry).where(HourEntry.agreement_id == made.id)
        )
        day = DAY + timedelta(days=used)  # a day of its own: the daily maximum is 4 hours
        ids = [
            hours.submit(
                session, made, work_date=day, activity=painting, hours=h,
                description="stairwell B", role="resident", actor=ACTOR, today=date(2025, 12, 31),
            ).id
            for h in ("1.5", "2")
        ]  # fmt: skip
        session.commit()
    return ids


def status_of(app, entry_id: int) -> HourStatus:  # type: ignore[no-untyped-def]
    with Session(app.extensions["condo"].engine) as session:
        return session.get(HourEntry, entry_id).status


def test_a_supervisor_verifies_and_rejects_from_the_queue(client, app, site, entries):
    assert login(client, site.a.users[Role.SUPERVISOR]).headers["Location"] == "/restitution/queue"
    page = client.get("/restitution/queue").get_data(as_text=True)
    for entry_id in entries:
        assert f'id="entry-{entry_id}"' in page
    assert "€" not in page  # nothing financial for a supervisor
    token = csrf_token(client, "/restitution/queue")
    first, second = entries
    client.post(f"/restitution/entries/{first}/verify", data={"csrf_token": token})
    client.post(
        f"/restitution/entries/{second}/reject",
        data={"csrf_token": token, "reason": "not done"},
    )
    assert status_of(app, first) is HourStatus.VERIFIED
    assert status_of(app, second) is HourStatus.REJECTED
    after = client.get("/restitution/queue").get_data(as_text=True)
    assert f'id="entry-{first}"' not in after


def test_a_rejection_needs_a_reason(client, app, site, entries):
    login(client, site.a.users[Role.SUPERVISOR])
    token = csrf_token(client, "/restitution/queue")
    response = client.post(
        f"/restitution/entries/{entries[0]}/reject", data={"csrf_token": token, "reason": " "}
    )
    assert response.status_code == 302
    assert status_of(app, entries[0]) is HourStatus.SUBMITTED
    assert re.search(r"alert-danger", client.get("/restitution/queue").get_data(as_text=True))


def test_another_agencys_supervisor_reaches_none_of_it(client, app, site, entries):
    login(client, site.b.users[Role.SUPERVISOR])
    assert f'id="entry-{entries[0]}"' not in client.get("/restitution/queue").get_data(as_text=True)
    token = csrf_token(client, "/restitution/queue")
    response = client.post(f"/restitution/entries/{entries[0]}/verify", data={"csrf_token": token})
    assert response.status_code == 404
    assert status_of(app, entries[0]) is HourStatus.SUBMITTED


def test_only_supervisors_use_the_queue(client, site):
    for role in (Role.ADMIN, Role.OPERATOR, Role.HOUSING_BODY, Role.RESIDENT):
        c = client.application.test_client()
        login(c, site.a.users[role])
        assert c.get("/restitution/queue").status_code == 403


def test_the_desk_reads_an_agreement_with_its_hours_and_credit(client, site, entries):
    login(client, site.a.users[Role.OPERATOR])
    listing = client.get("/restitution/agreements").get_data(as_text=True)
    assert "/restitution/agreements/QUEUE" in listing
    page = client.get("/restitution/agreements/QUEUE").get_data(as_text=True)
    assert 'id="credited"' in page and "stairwell B" not in page  # figures, not descriptions
    assert page.count("<tr>") >= 3
    other = client.application.test_client()
    login(other, site.b.users[Role.OPERATOR])
    assert other.get("/restitution/agreements/QUEUE").status_code == 404


def test_supervisors_do_not_get_the_desks_agreement_pages(client, site):
    login(client, site.a.users[Role.SUPERVISOR])
    assert client.get("/restitution/agreements").status_code == 403


def test_the_desk_draws_up_an_agreement_logs_hours_and_credits_them(client, app, site, entries):
    """The whole cycle from the desk's side, on agency A's second household, which is charged
    exactly what its two hours will earn (15.00), so the shared site ends as it began."""
    from condo_admin.accounting.books import book_account
    from condo_admin.accounting.models import DebtorAccount
    from ledger.posting import Leg, post

    with Session(app.extensions["condo"].engine) as session:
        debtor = session.scalar(
            select(DebtorAccount).where(DebtorAccount.household_id == site.a.household_ids[1])
        )
        income = book_account(session, debtor.book, "INC.FEES")
        legs = [Leg(debtor.account, "15.00"), Leg(income, "-15.00")]
        post(session, debtor.book, date(2025, 2, 1), legs, memo="Rata", actor="test")
        session.commit()
        household, reference = debtor.household.code, debtor.rf_reference
        supervisor = session.scalar(
            select(User).where(User.username == site.a.users[Role.SUPERVISOR])
        ).person.tax_code
        code = f"DESK-{len(session.scalars(select(Agreement)).all())}"
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/restitution/agreements")
    made = client.post(
        "/restitution/agreements",
        data={"csrf_token": token, "code": code, "household": household, "debt": reference,
              "supervisor": supervisor, "activities": ["PAINTING"], "start": "2025-01-01",
              "end": "2025-12-31", "insurance": "POL-9"},
    )  # fmt: skip
    assert made.status_code == 302, made.get_data(as_text=True)
    client.post(f"/restitution/agreements/{code}/activate", data={"csrf_token": token})
    client.post(
        f"/restitution/agreements/{code}/hours",
        data={"csrf_token": token, "day": "2025-02-03", "activity": "PAINTING", "hours": "2",
              "description": "cellar door"},
    )  # fmt: skip
    with Session(app.extensions["condo"].engine) as session:
        agreement = session.scalar(select(Agreement).where(Agreement.code == code))
        (entry,) = session.scalars(
            select(HourEntry).where(HourEntry.agreement_id == agreement.id)
        ).all()
        assert entry.status is HourStatus.SUBMITTED and entry.submitted_role.value == "operator"
        entry_id = entry.id
    page = client.get(f"/restitution/agreements/{code}").get_data(as_text=True)
    assert "attivo" in page and "2,00" in page
    supervisor_client = client.application.test_client()
    login(supervisor_client, site.a.users[Role.SUPERVISOR])
    queue_token = csrf_token(supervisor_client, "/restitution/queue")
    supervisor_client.post(
        f"/restitution/entries/{entry_id}/verify", data={"csrf_token": queue_token}
    )
    client.post(f"/restitution/agreements/{code}/credit", data={"csrf_token": token})
    assert status_of(app, entry_id) is HourStatus.CREDITED
    assert "15,00" in client.get(f"/restitution/agreements/{code}").get_data(as_text=True)
