"""The accounting core of condo-admin.

A small double-entry ledger: books (one per creditor), accounts, journal entries and postings.
It imports nothing from Flask, the web or the condominium domain, so that the rules that keep money
exact can be read, tested and trusted on their own. Everything that writes ledger tables lives in
:mod:`ledger.posting`; everything that reads them in :mod:`ledger.queries`.
"""

from ledger import guard  # noqa: F401  (registers the append-only flush guard)
from ledger.errors import LedgerError
from ledger.models import Account, AccountKind, Base, Book, JournalEntry, OperationKey, Posting
from ledger.money import from_cents, split_largest_remainder, to_cents

__all__ = [
    "Account",
    "AccountKind",
    "Base",
    "Book",
    "JournalEntry",
    "LedgerError",
    "OperationKey",
    "Posting",
    "from_cents",
    "split_largest_remainder",
    "to_cents",
]
