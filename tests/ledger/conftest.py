"""Fixtures of the ledger tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

# Imported for its side effect: it registers the append-only flush guard on every Session.
import ledger.guard
from ledger.models import Account, Book
from tests import factories


@pytest.fixture
def ledger(session: Session) -> tuple[Book, dict[str, Account]]:
    """A book with a bank, a debtor and a rent income account, all open since 2020-01-01."""
    return factories.book(session, "BANK", "DEBTOR", "INC.RENT")
