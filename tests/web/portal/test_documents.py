"""The resident's documents: the desk's letters to the household, and its statements as PDF."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.auth.models import Role
from condo_admin.desk import letter_pdf
from condo_admin.desk.models import Letter, LetterRun, Stage
from condo_admin.registry.models import Household
from tests.web.helpers import engine_of, html_lang, text, token_of
from tests.web.portal.helpers import resident
from tests.web.site import Site, login

FILENAME = "portal-test-reminder.pdf"


def _letter_of(session: Session, household_id: int) -> int:
    """A first reminder to the household, as the desk's run writes it (kept once per site).

    Dated 15 February 2025, a reminder: a later run of the desk still writes its formal notice.
    """
    found = session.scalar(
        select(Letter.id).where(Letter.household_id == household_id, Letter.filename == FILENAME)
    )
    if found is not None:
        return found
    household = session.get(Household, household_id)
    debtor = session.scalars(
        select(DebtorAccount).where(DebtorAccount.household_id == household_id)
    ).one()
    content = letter_pdf.LetterContent(
        language="it",
        subject=f"Sollecito di pagamento {household.code}",
        opening=["Risulta non pagata la rata indicata sotto."],
        closing=["Cordiali saluti."],
        sender="Sportello",
        sender_lines=["Via Roma 1"],
        addressee=[household.name],
        place_and_date="15 febbraio 2025",
        lines=[letter_pdf.DueLine(date(2025, 1, 10), "Rata 01/2025", Decimal("150.00"))],
        total=Decimal("150.00"),
        beneficiary="Condominio",
        iban="IT60X0542811101000000123456",
        reference=debtor.rf_reference,
        contact=["Sportello"],
        title=f"Sollecito {household.code}",
    )
    pdf = letter_pdf.render(content)
    run = LetterRun(
        agency_id=household.agency_id,
        as_of=date(2025, 2, 15),
        run_by="test",
        run_at=datetime.now(UTC),
    )
    session.add(run)
    session.flush()
    letter = Letter(
        run_id=run.id,
        household_id=household_id,
        debtor_account_id=debtor.id,
        stage=Stage.REMINDER,
        as_of=date(2025, 2, 15),
        amount_cents=15000,
        oldest_due=date(2025, 1, 10),
        language="it",
        filename=FILENAME,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(letter)
    session.flush()
    return letter.id


@pytest.fixture
def letters(app: Flask, site: Site) -> dict[str, int]:
    """The letter to the Rossi household of each agency: agency code -> letter id."""
    with Session(engine_of(app)) as session:
        found = {
            "a": _letter_of(session, site.a.household_ids[0]),
            "b": _letter_of(session, site.b.household_ids[0]),
        }
        session.commit()
    return found


def test_the_household_s_letters_are_listed_and_open_as_sent(client, app, site, letters) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    response = client.get("/portal/documents")
    page = text(response)
    assert response.status_code == 200 and html_lang(page) == "it"
    assert "I tuoi documenti" in page and "Sollecito" in page
    assert "Scritta il 15 febbraio 2025" in page and "150,00\xa0€" in page
    assert f"/portal/documents/letters/{letters['a']}.pdf" in page
    assert f"/portal/documents/letters/{letters['b']}.pdf" not in page
    pdf = client.get(f"/portal/documents/letters/{letters['a']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with Session(engine_of(app)) as session:
        stored = session.get(Letter, letters["a"])
        assert pdf.data == stored.pdf  # exactly the letter that was sent
        assert hashlib.sha256(pdf.data).hexdigest() == stored.sha256
    words = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Rata 01/2025" in words


def test_the_statements_are_offered_as_pdf_and_spreadsheet(client, site) -> None:  # type: ignore[no-untyped-def]
    from portal.blueprint import today
    from portal.statement import year_before

    resident(client, site)
    page = text(client.get("/portal/documents"))
    end = today()
    period = f"from={year_before(end).isoformat()}&amp;to={end.isoformat()}"
    assert f".pdf?{period}" in page and f".xlsx?{period}" in page
    pdf_path = page.split(".pdf?")[0].rsplit('href="', 1)[1] + ".pdf"
    pdf = client.get(pdf_path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Saldo finale" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


def test_another_household_s_letter_or_a_missing_one_answers_404(client, site, letters) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    for letter_id in (letters["b"], 999999):
        response = client.get(f"/portal/documents/letters/{letter_id}.pdf")
        assert response.status_code == 404 and not response.data.startswith(b"%PDF")
    other = client.application.test_client()
    resident(other, site, "b")
    assert other.get(f"/portal/documents/letters/{letters['b']}.pdf").status_code == 200
    assert other.get(f"/portal/documents/letters/{letters['a']}.pdf").status_code == 404


def test_staff_are_refused(app, site, letters) -> None:  # type: ignore[no-untyped-def]
    for role in (Role.ADMIN, Role.OPERATOR):
        staff = app.test_client()
        login(staff, site.a.users[role])
        assert staff.get("/portal/documents").status_code == 403
        assert staff.get(f"/portal/documents/letters/{letters['a']}.pdf").status_code == 403


def test_english_after_the_switch(client, site, letters) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    token = token_of(client, "/portal/documents")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/documents"})
    page = text(client.get("/portal/documents"))
    assert html_lang(page) == "en" and "Your documents" in page and "Reminder" in page
    assert "Written on February 15, 2025" in page and "I tuoi documenti" not in page
    client.post("/language/it", data={"csrf_token": token, "next": "/portal/documents"})
