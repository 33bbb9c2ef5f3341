"""Small builders for test data; each takes a session and returns flushed objects."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from condo_admin.registry import operations as registry
from condo_admin.registry.models import Agency, Building, Household, Person, Unit
from ledger.models import Account, AccountKind, Book
from ledger.posting import open_account, open_book

ACTOR = "test"
_counter = itertools.count(1)

#: Valid codici fiscali (checksums verified by python-stdnum), with the birth date they encode.
TAX_CODES = [
    ("RSSMRA80A01F205X", date(1980, 1, 1)),
    ("BNCLRA85M41F205C", date(1985, 8, 1)),
    ("VRDGPP70C15F205N", date(1970, 3, 15)),
    ("RCCMNL83S18D969H", date(1983, 11, 18)),
]


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):05d}"


def agency(session: Session) -> Agency:
    return registry.create_agency(
        session, unique("AG"), "Agenzia Sociale per l'Abitare", actor=ACTOR
    )


def building(session: Session, ag: Agency | None = None, staircases=("A", "B")) -> Building:
    return registry.create_building(
        session,
        ag or agency(session),
        unique("B"),
        "Via Padova 21",
        address="Via Padova 21",
        postcode="20127",
        city="Milano",
        province="MI",
        staircases=tuple(staircases),
        actor=ACTOR,
    )


def unit(session: Session, bldg: Building | None = None, code: str | None = None) -> Unit:
    bldg = bldg or building(session)
    return registry.create_unit(session, bldg, code or unique("U"), "flat", actor=ACTOR)


def person(
    session: Session, ag: Agency, tax_code: str | None = None, birth_date: date | None = None
) -> Person:
    return registry.create_person(
        session, ag, "Maria", "Rossi", tax_code=tax_code, birth_date=birth_date, actor=ACTOR
    )


def household(session: Session, ag: Agency, holder: Person | None = None) -> Household:
    if holder is None:
        code, born = TAX_CODES[next(_counter) % len(TAX_CODES)]
        existing = session.query(Person).filter_by(agency_id=ag.id, tax_code=code).one_or_none()
        holder = existing or person(session, ag, code, born)
    return registry.create_household(
        session, ag, unique("H"), holder, since=date(2020, 1, 1), actor=ACTOR
    )


def book(
    session: Session, *codes: str, opened_on: date = date(2020, 1, 1)
) -> tuple[Book, dict[str, Account]]:
    """A book with the named accounts (``BANK``, ``RENT``...); kinds are guessed from the name."""
    bk = open_book(session, unique("BK"), "Test book", actor=ACTOR)
    kinds = {"BANK": AccountKind.ASSET, "SUSPENSE": AccountKind.LIABILITY}
    accounts = {
        code: open_account(
            session,
            bk,
            code,
            code.title(),
            kinds.get(code, AccountKind.INCOME if code.startswith("INC") else AccountKind.ASSET),
            opened_on=opened_on,
        )
        for code in (codes or ("BANK", "INC.RENT", "DEBTOR"))
    }
    return bk, accounts


def service_book(session: Session, bldg: Building, opened_on: date = date(2024, 1, 1)) -> Book:
    """The service-charge book of a building, with no income category yet."""
    from condo_admin.accounting.books import open_creditor_book
    from condo_admin.accounting.models import BookPurpose

    return open_creditor_book(
        session,
        unique("SPE"),
        f"Spese {bldg.code}",
        creditor=bldg,
        purpose=BookPurpose.SERVICE_CHARGES,
        opened_on=opened_on,
        income_categories={},
        actor=ACTOR,
    )
