"""The advice desk in the browser's forms: cases worked from the list, plans drafted and signed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.auth.models import Role
from condo_admin.desk.models import Case, CaseStatus, PlanStatus, RepaymentPlan
from condo_admin.registry.models import Household
from tests.web.site import csrf_token, login


@pytest.fixture
def rossi(app, site):  # type: ignore[no-untyped-def]
    """Agency A's indebted household (code) and its book (code)."""
    with Session(app.extensions["condo"].engine) as session:
        household = session.get(Household, site.a.household_ids[0])
        debtor = session.scalar(
            select(DebtorAccount).where(DebtorAccount.household_id == household.id)
        )
        return household.code, debtor.book.code, household.id


def open_case(app, client, household_id: int) -> int:  # type: ignore[no-untyped-def]
    """The household's open case, opened by hand at the desk if it has none."""
    with Session(app.extensions["condo"].engine) as session:
        code = session.get(Household, household_id).code
    token = csrf_token(client, "/desk/cases")
    client.post("/desk/cases/open", data={"csrf_token": token, "household": code})
    with Session(app.extensions["condo"].engine) as session:
        case = session.scalar(
            select(Case).where(Case.household_id == household_id, Case.closed_on.is_(None))
        )
        assert case is not None
        return case.id


def test_cases_are_opened_from_the_early_warning_list(client, site):
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/desk/cases")
    response = client.post("/desk/cases/open-from-warnings", data={"csrf_token": token})
    assert response.status_code == 302
    assert "casi aperti" in client.get("/desk/cases").get_data(as_text=True)


def test_an_operator_works_a_case_from_the_list_to_its_close(client, app, site, rossi):
    login(client, site.a.users[Role.OPERATOR])
    case_id = open_case(app, client, rossi[2])
    assert f'href="/desk/cases/{case_id}"' in client.get("/desk/cases").get_data(as_text=True)
    token = csrf_token(client, f"/desk/cases/{case_id}")
    base = f"/desk/cases/{case_id}"
    today = datetime.now(UTC).date().isoformat()  # a diary line is never before the opening
    client.post(f"{base}/note", data={"csrf_token": token, "kind": "call", "day": today,
                                     "text": "Spoke to Mrs Rossi"})  # fmt: skip
    client.post(f"{base}/assign", data={"csrf_token": token, "operator": "operatore.x"})
    client.post(f"{base}/next", data={"csrf_token": token, "what": "meeting", "when": "2099-01-01"})
    client.post(f"{base}/hold", data={"csrf_token": token, "hold": "1", "reason": "ill"})
    page = client.get(base).get_data(as_text=True)
    assert "Spoke to Mrs Rossi" in page and "operatore.x" in page
    assert re.search(r'id="case-status">contattato<', page)
    assert "lettere sospese" in page
    client.post(f"{base}/close", data={"csrf_token": token, "outcome": "paid", "note": "paid up"})
    with Session(app.extensions["condo"].engine) as session:
        case = session.get(Case, case_id)
        assert case.status is CaseStatus.RESOLVED and case.hold_letters
        assert [e.kind.value for e in case.diary].count("call") == 1


def test_a_refused_case_action_says_why_and_changes_nothing(client, app, site, rossi):
    login(client, site.a.users[Role.OPERATOR])
    case_id = open_case(app, client, rossi[2])
    token = csrf_token(client, f"/desk/cases/{case_id}")
    client.post(
        f"/desk/cases/{case_id}/next",
        data={"csrf_token": token, "what": "visit", "when": "2000-01-01"},
    )
    page = client.get(f"/desk/cases/{case_id}").get_data(as_text=True)
    assert "alert-danger" in page and "non può essere nel passato" in page


def test_an_operator_drafts_signs_and_cancels_a_plan(client, app, site, rossi):
    household, book, household_id = rossi
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/desk/plans")
    response = client.post(
        "/desk/plans",
        data={"csrf_token": token, "household": household, "book": book, "debt": "300.00",
              "as_of": "2025-03-01", "count": "6", "first": "2025-04-10"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    code = response.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/desk/plans/{code}").get_data(as_text=True)
    assert page.count("<tr>") >= 7 and "<svg" in page
    client.post(f"/desk/plans/{code}/activate", data={"csrf_token": token})
    client.post(f"/desk/plans/{code}/cancel", data={"csrf_token": token, "reason": "moved"})
    with Session(app.extensions["condo"].engine) as session:
        plan = session.scalar(select(RepaymentPlan).where(RepaymentPlan.code == code))
        assert plan.status is PlanStatus.CANCELLED and plan.household_id == household_id
        assert [e.action for e in plan_events(session, plan)] == ["create", "activate", "cancel"]


def plan_events(session, plan):  # type: ignore[no-untyped-def]
    from condo_admin.desk.plans import events_of

    return events_of(session, plan)


def test_a_plan_above_the_arrears_is_refused_next_to_the_field(client, app, site, rossi):
    household, book, _ = rossi
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/desk/plans")
    with Session(app.extensions["condo"].engine) as session:
        before = len(session.scalars(select(RepaymentPlan)).all())
    response = client.post(
        "/desk/plans",
        data={"csrf_token": token, "household": household, "book": book, "debt": "9999.00",
              "as_of": "2025-03-01", "count": "6", "first": "2025-04-10"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "supera la morosità" in response.get_data(as_text=True)
    with Session(app.extensions["condo"].engine) as session:
        assert len(session.scalars(select(RepaymentPlan)).all()) == before


def test_another_agency_sees_none_of_the_desk(client, app, site, rossi):
    login(client, site.a.users[Role.OPERATOR])
    case_id = open_case(app, client, rossi[2])
    other = client.application.test_client()
    login(other, site.b.users[Role.OPERATOR])
    assert other.get(f"/desk/cases/{case_id}").status_code == 404
    token = csrf_token(other, "/desk/cases")
    closing = {"csrf_token": token, "outcome": "paid", "note": "x"}
    assert other.post(f"/desk/cases/{case_id}/close", data=closing).status_code == 404


def test_an_operator_writes_the_days_letters_and_opens_their_pdf(client, app, site, rossi):
    from condo_admin.accounting.books import set_book_iban
    from condo_admin.desk import reminders
    from condo_admin.desk.models import DeskContact, Letter
    from condo_admin.registry.models import Agency
    from ledger.models import Book

    login(client, site.a.users[Role.OPERATOR])
    with Session(app.extensions["condo"].engine) as session:
        agency = session.scalar(select(Agency).where(Agency.code == site.a.code))
        if session.get(DeskContact, agency.id) is None:  # the site is shared
            token = csrf_token(client, "/desk/letters")
            client.post("/desk/letters/run", data={"csrf_token": token})
            page = client.get("/desk/letters").get_data(as_text=True)
            assert "Nessuna lettera è stata scritta" in page and "recapiti dello sportello" in page
            reminders.set_contact(
                session, agency, name="Sportello", address="Via Roma 1", phone="02 1",
                email="s@example.org", hours="lun 9-13", actor="test",
            )  # fmt: skip
            book = session.scalar(select(Book).where(Book.code == rossi[1]))
            set_book_iban(session, book, "IT60X0542811101000000123456", actor="test")
            session.commit()
    token = csrf_token(client, "/desk/letters")
    client.post("/desk/letters/run", data={"csrf_token": token})
    page = client.get("/desk/letters").get_data(as_text=True)
    assert "diffida" in page
    letter_id = int(re.search(r"/desk/letters/(\d+)\.pdf", page).group(1))
    pdf = client.get(f"/desk/letters/{letter_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    with Session(app.extensions["condo"].engine) as session:
        count = len(session.scalars(select(Letter)).all())
    client.post("/desk/letters/run", data={"csrf_token": token})  # a second run: nothing new
    with Session(app.extensions["condo"].engine) as session:
        assert len(session.scalars(select(Letter)).all()) == count
    other = client.application.test_client()
    login(other, site.b.users[Role.OPERATOR])
    assert other.get(f"/desk/letters/{letter_id}.pdf").status_code == 404
