"""Structured creditor references (RF, ISO 11649) for debtor accounts.

Each debtor account gets one at opening and keeps it: it goes on letters, the portal and payment
slips, and a bank line carrying it is matched to the account with certainty. The body is made of
the book and account ids (digits only, easy to read out on the phone); the check digits are
ISO 7064 MOD 97-10 as the standard requires.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import iso11649
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

from condo_admin.accounting.models import DebtorAccount


def rf_reference(book_id: int, account_id: int) -> str:
    body = f"{book_id:04d}{account_id:010d}"
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def printable(reference: str) -> str:
    """In groups of four, as banks print it: ``RF69 0001 0000 0000 42``."""
    return iso11649.format(reference)


def find_by_reference(session: Session, text: str) -> DebtorAccount | None:
    """The debtor account a (possibly spaced or lower-case) RF reference names, if valid."""
    try:
        reference = iso11649.validate(text)
    except ValidationError:
        return None
    return session.scalar(select(DebtorAccount).where(DebtorAccount.rf_reference == reference))
