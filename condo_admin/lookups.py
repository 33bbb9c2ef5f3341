"""Finding things by the codes people type (agency, household, book), with a readable refusal.

Shared by the command-line faces so that "no such household" reads the same everywhere.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.registry.models import Agency, Household
from ledger.errors import NotFound
from ledger.models import Book


def agency(session: Session, code: str) -> Agency:
    found = session.scalar(select(Agency).where(Agency.code == code.strip()))
    if found is None:
        raise NotFound(what="Agency", ref=code)
    return found


def household(session: Session, agency: Agency, code: str) -> Household:
    found = session.scalar(
        select(Household).where(Household.agency_id == agency.id, Household.code == code.strip())
    )
    if found is None:
        raise NotFound(what="Household", ref=f"{code} in agency {agency.code}")
    return found


def book(session: Session, code: str) -> Book:
    found = session.scalar(select(Book).where(Book.code == code.strip()))
    if found is None:
        raise NotFound(what="Book", ref=code)
    return found
