"""Idempotency keys: one table for every operation that may be repeated from outside.

An operation first asks :func:`repeat_of` whether its key was used before. If so it answers with the
first result (or is refused when the data differ). Otherwise it validates, does its work and calls
:func:`record` in the same transaction, so a failed operation leaves no key behind.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import EmptyText, IdempotencyConflict
from ledger.models import OperationKey


def fingerprint(data: Any) -> str:
    """A stable hash of JSON-able data (dates and Decimals are rendered with ``str``)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def repeat_of(session: Session, key: str, operation: str, print_: str) -> OperationKey | None:
    """The earlier run of this operation, or ``None`` when the key is new.

    Raises :class:`IdempotencyConflict` when the key was used for other data or another operation.
    """
    if not key or not key.strip():
        raise EmptyText(field="operation key")
    existing = session.scalar(select(OperationKey).where(OperationKey.key == key))
    if existing is None:
        return None
    if existing.operation != operation or existing.fingerprint != print_:
        raise IdempotencyConflict(key=key, operation=operation)
    return existing


def record(
    session: Session,
    key: str,
    operation: str,
    print_: str,
    actor: str,
    result: Any = None,
) -> OperationKey:
    row = OperationKey(
        key=key,
        operation=operation,
        fingerprint=print_,
        result=result,
        created_at=datetime.now(UTC),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    return row
