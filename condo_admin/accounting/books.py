"""Opening creditor books with the accounts every book needs, and debtor accounts on demand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from condo_admin.accounting.errors import CreditorHasBook, InvalidIban
from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount
from condo_admin.accounting.references import rf_reference
from condo_admin.audit.operations import record as audit
from condo_admin.audit.operations import snapshot
from condo_admin.registry.models import Building, HousingBody, Occupancy
from ledger.errors import N_, NotFound, Phrase
from ledger.models import Account, AccountKind, Book
from ledger.posting import open_account, open_book

#: The accounts every creditor book opens with (PRODUCT.md 4.1), by code.
STANDARD_ACCOUNTS: tuple[tuple[str, str, AccountKind], ...] = (
    ("BANK", "Bank", AccountKind.ASSET),
    ("SUSPENSE", "Suspense: received, not yet matched", AccountKind.LIABILITY),
    ("COMMUNITY", "Community-service credit", AccountKind.EXPENSE),
    ("WRITEOFF", "Write-off", AccountKind.EXPENSE),
    ("OPENING", "Opening balances", AccountKind.EQUITY),
)


def open_creditor_book(
    session: Session,
    code: str,
    name: str,
    *,
    creditor: Building | HousingBody,
    purpose: BookPurpose,
    opened_on: date,
    income_categories: dict[str, str],
    actor: str,
) -> Book:
    """A new book for one creditor with the standard accounts and one income account per category.

    ``income_categories`` maps a category code (``RENT``, ``CLEANING``...) to its name; the income
    account code is ``INC.<code>``.
    """
    is_building = isinstance(creditor, Building)
    column = CreditorBook.building_id if is_building else CreditorBook.housing_body_id
    existing = session.scalar(select(CreditorBook).where(column == creditor.id))
    if existing is not None:
        what = N_("Building %(code)s") if is_building else N_("Housing body %(code)s")
        raise CreditorHasBook(creditor=Phrase(what, code=creditor.code), book=existing.book.code)
    book = open_book(session, code, name, actor=actor)
    for acc_code, acc_name, kind in STANDARD_ACCOUNTS:
        open_account(session, book, acc_code, acc_name, kind, opened_on=opened_on)
    for cat_code, cat_name in income_categories.items():
        open_account(
            session, book, f"INC.{cat_code}", cat_name, AccountKind.INCOME, opened_on=opened_on
        )
    link = CreditorBook(
        book_id=book.id,
        agency_id=creditor.agency_id,
        purpose=purpose,
        building_id=creditor.id if is_building else None,
        housing_body_id=None if is_building else creditor.id,
    )
    session.add(link)
    session.flush()
    audit(session, actor, "book.open", link)
    return book


def agency_books(session: Session, agency_id: int) -> list[Book]:
    """The books of an agency's creditors, by code: what its staff may post to and read."""
    return list(
        session.scalars(
            select(Book)
            .join(CreditorBook, CreditorBook.book_id == Book.id)
            .where(CreditorBook.agency_id == agency_id)
            .order_by(Book.code)
        )
    )


def book_account(session: Session, book: Book, code: str) -> Account:
    account = session.scalar(
        select(Account).where(Account.book_id == book.id, Account.code == code)
    )
    if account is None:
        raise NotFound(what="Account", ref=f"{book.code}:{code}")
    return account


def debtor_account(
    session: Session, book: Book, occupancy: Occupancy, *, actor: str
) -> DebtorAccount:
    """The debtor account of ``occupancy`` towards ``book``'s creditor, opened on first use."""
    existing = session.scalar(
        select(DebtorAccount).where(
            DebtorAccount.book_id == book.id, DebtorAccount.occupancy_id == occupancy.id
        )
    )
    if existing is not None:
        return existing
    unit = occupancy.unit
    household = occupancy.household
    code = f"DEB.{household.code}.{unit.building.code}-{unit.code}"
    taken = session.scalar(
        select(Account.id).where(Account.book_id == book.id, Account.code == code)
    )
    if taken is not None:  # the same household came back to the same unit
        code = f"{code}.O{occupancy.id}"
    account = open_account(
        session,
        book,
        code,
        f"{household.name} — {unit.label}",
        AccountKind.ASSET,
        opened_on=occupancy.start_date,
        tracks_items=True,
    )
    link = DebtorAccount(
        account_id=account.id,
        rf_reference=rf_reference(book.id, account.id),
        book_id=book.id,
        household_id=household.id,
        occupancy_id=occupancy.id,
    )
    session.add(link)
    session.flush()
    audit(session, actor, "debtor_account.open", link)
    return link


def set_book_iban(session: Session, book: Book, iban: str, *, actor: str) -> CreditorBook:
    """Record the account households pay ``book`` into, validated and kept in compact form."""
    link = session.get(CreditorBook, book.id)
    if link is None:
        raise NotFound(what="Creditor book", ref=book.code)
    try:
        compact = stdnum_iban.validate(iban)
    except ValidationError:
        raise InvalidIban(book=book.code, value=iban) from None
    before = snapshot(link)
    link.iban = compact
    session.flush()
    audit(session, actor, "book.iban", link, before=before)
    return link
