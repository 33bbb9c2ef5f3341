"""Append-only, enforced twice.

The database refuses UPDATE and DELETE on entries and postings with triggers (created by the
first migration); this listener refuses them earlier, at flush time, with a readable error, so
that a programming mistake is caught in the session that made it rather than as a driver error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ledger.errors import N_, LedgerError
from ledger.models import Allocation, JournalEntry, Posting

_APPEND_ONLY = (JournalEntry, Posting, Allocation)


class AppendOnlyViolation(LedgerError):
    message_id = "ledger.append_only"
    template = N_(
        "Posted %(what)s #%(id)s cannot be %(action)s: the ledger is append-only, "
        "post a reversal instead."
    )


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_posted_rows(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, _APPEND_ONLY):
            raise AppendOnlyViolation(what=type(obj).__name__, id=obj.id, action=N_("deleted"))
    for obj in session.new:
        entry = obj.entry if isinstance(obj, Posting) else None
        if entry is not None and inspect(entry).persistent:
            raise AppendOnlyViolation(
                what=JournalEntry.__name__, id=obj.entry.id, action=N_("extended")
            )
    for obj in session.dirty:
        if isinstance(obj, _APPEND_ONLY) and _has_column_changes(obj):
            raise AppendOnlyViolation(what=type(obj).__name__, id=obj.id, action=N_("changed"))


def _has_column_changes(obj: object) -> bool:
    state = inspect(obj)
    return any(state.attrs[attr.key].history.has_changes() for attr in state.mapper.column_attrs)
