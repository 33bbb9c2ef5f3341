"""The resident's statement: lines and running balance per creditor, a period, PDF and xlsx."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import debtor_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.accounting.payments import record_payment
from condo_admin.auth.models import Role
from condo_admin.registry import operations as registry
from ledger.errors import InvalidCursor
from ledger.posting import reverse
from ledger.queries import balance
from portal import statement
from portal.statement import Kind
from portal.wording import describe
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from tests.web.helpers import engine_of, html_lang, text, token_of
from tests.web.portal.helpers import resident
from tests.web.site import Site, login

# --- the read model ------------------------------------------------------------------------------


@pytest.fixture
def estate(session: Session) -> Estate:
    return Estate(session)


def _history(estate: Estate) -> None:
    """Charges, a payment, a reversed charge, over two years."""
    for month in range(1, 13):
        estate.charge(estate.rossi, date(2024, month, 5), "100.00")
    record_payment(estate.session, estate.rossi, "450.00", date(2024, 6, 20), actor=ACTOR)
    wrong = estate.charge(estate.rossi, date(2025, 1, 5), "999.99")
    from ledger.models import JournalEntry

    reverse(
        estate.session, estate.session.get(JournalEntry, wrong), reason="typo", actor=ACTOR,
        on=date(2025, 1, 7),
    )  # fmt: skip
    estate.charge(estate.rossi, date(2025, 2, 5), "120.00")


def test_running_balance_and_totals_equal_the_ledger(estate: Estate) -> None:
    _history(estate)
    (found,) = statement.creditors(estate.session, estate.rossi.household_id)
    assert found.book_id == estate.book.id and found.name == estate.building.name
    account = estate.rossi.account_id
    start, end = date(2024, 3, 1), date(2025, 1, 31)
    figures = statement.period(estate.session, found.account_ids, start, end)
    assert figures.opening == balance(estate.session, account, date(2024, 2, 29))
    assert figures.closing == balance(estate.session, account, end)
    assert figures.charged == Decimal("1000.00") + Decimal("999.99")  # 10 months and the typo
    assert figures.credited == Decimal("450.00") + Decimal("999.99")
    page = statement.lines(estate.session, found.account_ids, figures, limit=None)
    assert page.opening == figures.opening and len(page.lines) == figures.lines == 13
    for before, line in zip(
        [figures.opening, *(x.balance for x in page.lines)], page.lines, strict=False
    ):
        assert line.balance == before + line.amount
    last_of_each_day = {line.entry_date: line.balance for line in page.lines}
    for day, running in last_of_each_day.items():
        assert running == balance(estate.session, account, day)
    assert page.lines[-1].balance == figures.closing
    kinds = {line.kind for line in page.lines}
    assert kinds == {Kind.CHARGE, Kind.PAYMENT}
    (correction,) = [line for line in page.lines if line.corrects is not None]
    assert correction.amount == Decimal("-999.99")
    assert correction.corrects.entry_date == date(2025, 1, 5)


def test_pages_follow_each_other_by_keyset_and_carry_the_balance(estate: Estate) -> None:
    _history(estate)
    (found,) = statement.creditors(estate.session, estate.rossi.household_id)
    figures = statement.period(
        estate.session, found.account_ids, date(2024, 1, 1), date(2025, 12, 31)
    )
    whole = statement.lines(estate.session, found.account_ids, figures, limit=None).lines
    paged, after = [], None
    while True:
        page = statement.lines(estate.session, found.account_ids, figures, after=after, limit=4)
        assert page.opening == (paged[-1].balance if paged else figures.opening)
        paged += page.lines
        after = page.next_cursor
        if after is None:
            break
    assert paged == whole and len(whole) == 16
    with pytest.raises(InvalidCursor):  # a cursor before the period would skew the balance
        statement.lines(estate.session, found.account_ids, figures, after="2023-01-01.1")
    with pytest.raises(InvalidCursor):
        statement.lines(estate.session, found.account_ids, figures, after="nonsense")


def test_the_accounts_of_one_creditor_are_one_statement(estate: Estate) -> None:
    """A household that moved within the building owes on two accounts: one statement."""
    estate.charge(estate.rossi, date(2024, 2, 5), "100.00")
    first = estate.rossi.occupancy
    registry.end_occupancy(estate.session, first, date(2024, 2, 29), actor=ACTOR)
    flat = registry.create_unit(estate.session, estate.building, "B07", "flat", actor=ACTOR)
    moved = registry.start_occupancy(
        estate.session, first.household, flat, start=date(2024, 3, 1), actor=ACTOR
    )
    second = debtor_account(estate.session, estate.book, moved, actor=ACTOR)
    estate.charge(second, date(2024, 3, 5), "80.00")
    (found,) = statement.creditors(estate.session, estate.rossi.household_id)
    assert set(found.account_ids) == {estate.rossi.account_id, second.account_id}
    figures = statement.period(
        estate.session, found.account_ids, date(2024, 3, 1), date(2024, 12, 31)
    )
    assert figures.opening == Decimal("100.00") and figures.closing == Decimal("180.00")
    (line,) = statement.lines(estate.session, found.account_ids, figures).lines
    assert line.balance == Decimal("180.00")


def test_a_household_without_accounts_has_no_statement(estate: Estate) -> None:
    from tests import factories

    other = factories.household(estate.session, estate.agency)
    assert statement.creditors(estate.session, other.id) == []
    assert statement.creditor(estate.session, other.id, estate.book.id) is None


def test_the_last_twelve_months_end_today() -> None:
    assert statement.year_before(date(2026, 11, 26)) == date(2025, 11, 27)
    assert statement.year_before(date(2028, 2, 29)) == date(2027, 3, 1)


# --- the words of a line -------------------------------------------------------------------------


def _line(memo: str, kind: str, cents: int, corrects: statement.Corrected | None = None):  # type: ignore[no-untyped-def]
    amount = Decimal(cents) / 100
    return statement.Line(1, 1, date(2025, 3, 5), memo, kind, amount, amount, corrects)


@pytest.mark.parametrize(
    ("memo", "kind", "cents", "italian", "english"),
    [
        ("Rata 2/4 preventivo 2025 — SCALA A 3", Kind.CHARGE, 12000,
         "Spese condominiali: rata 2 di 4 del preventivo 2025",
         "Service charges: installment 2 of 4 of the 2025 budget"),
        ("Canone 2025-03 — A01", Kind.CHARGE, 30000,
         "Affitto di marzo 2025", "Rent for March 2025"),
        ("Canone 2025-03 — A01 (10/31 giorni)", Kind.CHARGE, 9000,
         "Affitto di marzo 2025 (10 giorni su 31)", "Rent for March 2025 (10 of 31 days)"),
        ("Conguaglio 2024 — A01", Kind.CHARGE, -2000,
         "Conguaglio delle spese condominiali 2024: ti viene restituito",
         "Year-end balance of the 2024 service charges: given back"),
        ("Pagamento bonifico", Kind.PAYMENT, -15000, "Pagamento ricevuto", "Payment received"),
        ("Rata piano PR-1 n. 3", Kind.PAYMENT, -5000,
         "Pagamento ricevuto: rata 3 del tuo piano di rientro",
         "Payment received: installment 3 of your repayment plan"),
        ("Restituzione RA-1: Distribuzione posta, 04/03/2025, 2.50 h x €7.50",
         Kind.COMMUNITY, -1875,
         "Servizio alla comunità: 2,5 ore di Distribuzione posta il 4 mar 2025",
         "Community service: 2.5 hours of Distribuzione posta on Mar 4, 2025"),
        ("Rifacimento tetto — A01", Kind.CHARGE, 50000, "Rifacimento tetto — A01",
         "Rifacimento tetto — A01"),
    ],
)  # fmt: skip
def test_a_line_is_said_in_plain_words(app, memo, kind, cents, italian, english) -> None:  # type: ignore[no-untyped-def]
    for language, expected in (("it", italian), ("en", english)):
        with app.test_request_context(headers={"Accept-Language": language}):
            assert describe(_line(memo, kind, cents)) == expected


def test_a_correction_names_what_it_cancels(app) -> None:  # type: ignore[no-untyped-def]
    corrects = statement.Corrected(date(2025, 3, 1), "Canone 2025-03 — A01")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        said = describe(_line("Reversal of #12: typo", Kind.CHARGE, -30000, corrects))
    assert said == "Correction: cancels “Rent for March 2025” of Mar 1, 2025"


# --- the pages -----------------------------------------------------------------------------------


def _account_ids(app, site: Site, agency: str = "a") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The book and the debtor account of the agency's Rossi household."""
    household = getattr(site, agency).household_ids[0]
    with Session(engine_of(app)) as session:
        debtor = session.scalars(
            select(DebtorAccount).where(DebtorAccount.household_id == household)
        ).one()
        return debtor.book_id, debtor.account_id


def _ledger_balance(app, account_id: int, as_of: date) -> Decimal:  # type: ignore[no-untyped-def]
    with Session(engine_of(app)) as session:
        return balance(session, account_id, as_of)


def _euro_it(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + f",{cents}\xa0€"


def test_the_statement_shows_the_period_and_the_ledger_s_balances(client, app, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    book_id, account_id = _account_ids(app, site)
    response = client.get("/portal/statement?from=2025-01-01&to=2025-01-31")
    page = text(response)
    assert response.status_code == 200 and html_lang(page) == "it"
    assert "Il tuo estratto conto" in page and "Rata 01/2025" in page
    assert "Rata 02/2025" not in page  # after the period
    opening = _ledger_balance(app, account_id, date(2024, 12, 31))
    closing = _ledger_balance(app, account_id, date(2025, 1, 31))
    assert closing == opening + Decimal("150.00")
    assert f'id="opening">{_euro_it(opening)}<' in page
    assert f'id="closing"><strong>{_euro_it(closing)}<' in page
    later = text(client.get(f"/portal/statement/{book_id}?from=2025-02-01&to=2025-02-28"))
    assert f'id="opening">{_euro_it(closing)}<' in later and "Rata 02/2025" in later
    assert "Rata 01/2025" not in later


def test_the_default_period_is_the_last_twelve_months(client, app, site) -> None:  # type: ignore[no-untyped-def]
    from portal.blueprint import today

    resident(client, site)
    _, account_id = _account_ids(app, site)
    end = today()
    page = text(client.get("/portal/statement"))
    assert f'value="{statement.year_before(end).isoformat()}"' in page
    assert f'value="{end.isoformat()}"' in page
    assert f'id="closing"><strong>{_euro_it(_ledger_balance(app, account_id, end))}<' in page


def test_a_date_that_cannot_be_read_is_said_and_the_period_kept_sane(client, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    page = text(client.get("/portal/statement?from=31/01/2025&to=2025-01-01"))
    assert "Non riusciamo a leggere questa data: 31/01/2025" in page
    swapped = text(client.get("/portal/statement?from=2025-02-28&to=2025-01-01"))
    assert "le abbiamo scambiate" in swapped and 'value="2025-01-01"' in swapped


def test_a_long_statement_pages_by_keyset(client, app, site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(statement, "PAGE_SIZE", 1)
    resident(client, site)
    page = text(client.get("/portal/statement?from=2025-01-01&to=2025-02-28"))
    assert "Rata 01/2025" in page and "Rata 02/2025" not in page
    import re

    following = re.search(r'rel="next" href="([^"]+)"', page)
    assert following
    second = text(client.get(following.group(1).replace("&amp;", "&")))
    assert "Rata 02/2025" in second and "Rata 01/2025" not in second
    assert "Saldo prima di questa pagina" in second
    assert client.get("/portal/statement?after=garbage").status_code == 400


def test_the_pdf_is_a_real_pdf_with_the_closing_balance(client, app, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    book_id, account_id = _account_ids(app, site)
    closing = _ledger_balance(app, account_id, date(2025, 2, 28))
    response = client.get(f"/portal/statement/{book_id}.pdf?from=2025-01-01&to=2025-02-28")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    words = " ".join(p.extract_text() for p in reader.pages)
    assert "Estratto conto" in words and "Saldo finale" in words
    assert _euro_it(closing).replace("\xa0", " ") in words.replace("\xa0", " ")
    assert "Rata 01/2025" in words and "Rata 02/2025" in words


def test_the_workbook_holds_the_period_with_its_balances(client, app, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    book_id, account_id = _account_ids(app, site)
    response = client.get(f"/portal/statement/{book_id}.xlsx?from=2025-01-01&to=2025-02-28")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Data", "Descrizione", "Addebitato", "Pagato o accreditato", "Saldo")
    opening = _ledger_balance(app, account_id, date(2024, 12, 31))
    closing = _ledger_balance(app, account_id, date(2025, 2, 28))
    assert rows[1][1] == "Saldo iniziale" and Decimal(str(rows[1][4])) == opening
    assert [r[1] for r in rows[2:4]] == ["Rata 01/2025", "Rata 02/2025"]
    assert Decimal(str(rows[-1][4])) == closing and rows[-1][1] == "Saldo finale"
    assert rows[3][4] == rows[-1][4]  # the last line's running balance is the closing one


def test_english_after_the_switch_for_the_page_and_the_pdf(client, app, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    book_id, _ = _account_ids(app, site)
    token = token_of(client, "/portal/statement")
    client.post("/language/en", data={"csrf_token": token, "next": "/portal/statement"})
    page = text(client.get("/portal/statement?from=2025-01-01&to=2025-01-31"))
    assert html_lang(page) == "en" and "Your statement" in page and "Opening balance" in page
    assert "Estratto conto" not in page
    pdf = client.get(f"/portal/statement/{book_id}.pdf?from=2025-01-01&to=2025-01-31")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Closing balance" in words and "€150.00" in words.replace(",", "")
    client.post("/language/it", data={"csrf_token": token, "next": "/portal/statement"})


def test_another_household_s_or_a_missing_book_answers_404(client, app, site) -> None:  # type: ignore[no-untyped-def]
    resident(client, site)
    theirs, _ = _account_ids(app, site, "b")
    mine, _ = _account_ids(app, site, "a")
    assert client.get(f"/portal/statement/{mine}").status_code == 200
    for book_id in (theirs, 999999):
        for suffix in ("", ".pdf", ".xlsx"):
            response = client.get(f"/portal/statement/{book_id}{suffix}?from=2025-01-01")
            assert response.status_code == 404, (book_id, suffix)
            assert b"Rata" not in response.data


def test_staff_are_refused(client, app, site) -> None:  # type: ignore[no-untyped-def]
    book_id, _ = _account_ids(app, site)
    for role in (Role.ADMIN, Role.OPERATOR, Role.HOUSING_BODY, Role.SUPERVISOR):
        staff = app.test_client()
        login(staff, site.a.users[role])
        for path in ("/portal/statement", f"/portal/statement/{book_id}.pdf"):
            assert staff.get(path).status_code == 403, (role, path)


# --- on the demo data ----------------------------------------------------------------------------


def test_the_demo_resident_reads_every_line_in_plain_words_in_few_queries(demo_app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from condo_admin.auth.models import User
    from condo_admin.demo.users import DEMO_PASSWORD

    client = demo_app.test_client()
    assert login(client, "residente", DEMO_PASSWORD).status_code == 302
    engine = engine_of(demo_app)
    with Session(engine) as session:
        household = session.scalar(select(User.household_id).where(User.username == "residente"))
        found = statement.creditors(session, household)
        assert len(found) == 2  # the housing body's rent and the building's service charges
        rent = found[0]
        owed = sum(balance(session, a, date(2026, 11, 25)) for a in rent.account_ids)
    sent: list[str] = []

    def count(_conn, _cursor, sql, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/portal/statement/{rent.book_id}?from=2016-01-01&to=2026-11-25")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    page = text(response)
    assert response.status_code == 200
    assert len(sent) <= 6, "\n".join(sent)  # however many lines: no query per line
    assert page.count("<tr") >= 51  # a full page of lines
    for memo in ("Canone 20", "Restituzione RES", "Versamento contanti", "Addebito diretto"):
        assert memo not in page  # the ledger's wording is said in plain words
    assert "Affitto di" in page and "Pagamento ricevuto" in page
    if rent.several_units:
        assert "appartamento" in page
    assert f'id="closing"><strong>{_euro_it(owed)}<' in page
