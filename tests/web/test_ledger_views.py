"""Lock dates and reversals from the browser's forms, by administrators only."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.auth.models import Role
from condo_admin.registry.models import Agency
from ledger.models import Book, JournalEntry
from ledger.posting import Leg, post
from tests.web.site import csrf_token, login


def _a_charge(app, site) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The first charge entry of agency A's book, and that book's code."""
    with Session(app.extensions["condo"].engine) as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == site.a.code))
        # The site's first posting; other tests add books (and entries) to the same agency.
        entry = session.scalar(
            select(JournalEntry)
            .join(CreditorBook, CreditorBook.book_id == JournalEntry.book_id)
            .where(CreditorBook.agency_id == agency_id, JournalEntry.reverses_id.is_(None))
            .order_by(JournalEntry.id)
        )
        return entry.id, session.get(Book, entry.book_id).code


def _new_charge(app, site) -> int:  # type: ignore[no-untyped-def]
    """A charge of 10.00 to agency A's second household, posted for this test (and reversed by
    it, so the shared site's balances stay as they were)."""
    with Session(app.extensions["condo"].engine) as session:
        debtor = session.scalar(
            select(DebtorAccount).where(DebtorAccount.household_id == site.a.household_ids[1])
        )
        income = book_account(session, debtor.book, "INC.FEES")
        made = post(
            session,
            debtor.book,
            date(2025, 6, 1),  # after the lock date the lock test sets (2023-12-31)
            [Leg(debtor.account, "10.00"), Leg(income, "-10.00")],
            memo="charged by mistake",
            actor="test",
        )
        session.commit()
        return made.id


def test_an_admin_reverses_an_entry_with_a_reason(client, app, site):
    entry_id = _new_charge(app, site)
    login(client, site.a.users[Role.ADMIN])
    token = csrf_token(client, f"/ledger/entries/{entry_id}")
    response = client.post(
        f"/ledger/entries/{entry_id}/reverse",
        data={"csrf_token": token, "reason": "charged twice"},
    )
    assert response.status_code == 302
    page = client.get(f"/ledger/entries/{entry_id}").get_data(as_text=True)
    assert "Stornata dalla registrazione" in page
    with Session(app.extensions["condo"].engine) as session:
        reversal = session.scalar(select(JournalEntry).where(JournalEntry.reverses_id == entry_id))
        assert reversal is not None and reversal.created_by == f"user:{site.a.users[Role.ADMIN]}"


def test_a_reversal_needs_a_reason_and_operators_cannot_reverse(client, app, site):
    entry_id, _ = _a_charge(app, site)
    login(client, site.a.users[Role.OPERATOR])
    assert client.get(f"/ledger/entries/{entry_id}").status_code == 200
    token = csrf_token(client, f"/ledger/entries/{entry_id}")
    response = client.post(
        f"/ledger/entries/{entry_id}/reverse", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403


def test_lock_dates_only_move_forward(client, app, site):
    _, book = _a_charge(app, site)
    login(client, site.a.users[Role.ADMIN])
    token = csrf_token(client, "/ledger/books")
    first = client.post(
        "/ledger/books", data={"csrf_token": token, "book": book, "until": "2023-12-31"}
    )
    assert first.status_code in (302, 400)  # 400 when an earlier test locked it further
    back = client.post(
        "/ledger/books", data={"csrf_token": token, "book": book, "until": "2020-01-01"}
    )
    assert back.status_code == 400
    assert re.search(r"invalid-feedback", back.get_data(as_text=True))


def test_another_agency_cannot_see_the_entry(client, app, site):
    entry_id, _ = _a_charge(app, site)
    login(client, site.b.users[Role.ADMIN])
    assert client.get(f"/ledger/entries/{entry_id}").status_code == 404
