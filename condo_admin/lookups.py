"""Finding things by the codes people type (agency, household, book), with a readable refusal.

Shared by the command-line faces so that "no such household" reads the same everywhere.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.registry.models import Agency, Household
from ledger.errors import N_, CondoError, NotFound, Phrase
from ledger.models import Book


class AmbiguousAgency(CondoError):
    message_id = "lookups.ambiguous_agency"
    template = N_("There are several agencies (%(codes)s…): say which with --agency.")


def agency(session: Session, code: str) -> Agency:
    found = session.scalar(select(Agency).where(Agency.code == code.strip()))
    if found is None:
        raise NotFound(what="Agency", ref=code)
    return found


def agency_or_only(session: Session, code: str | None) -> Agency:
    """The agency named, or the only one when none is named (most installations have one)."""
    if code:
        return agency(session, code)
    found = session.scalars(select(Agency).order_by(Agency.code).limit(3)).all()
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(what="Agency", ref=N_("(none yet: run condo seed-demo or create one)"))
    raise AmbiguousAgency(codes=", ".join(a.code for a in found))


def household(session: Session, agency: Agency, code: str) -> Household:
    found = session.scalar(
        select(Household).where(Household.agency_id == agency.id, Household.code == code.strip())
    )
    if found is None:
        raise NotFound(
            what="Household",
            ref=Phrase(N_("%(code)s in agency %(agency)s"), code=code, agency=agency.code),
        )
    return found


def book(session: Session, code: str) -> Book:
    found = session.scalar(select(Book).where(Book.code == code.strip()))
    if found is None:
        raise NotFound(what="Book", ref=code)
    return found
