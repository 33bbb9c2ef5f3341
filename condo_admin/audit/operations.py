"""Writing to the audit log; every operation that changes the registry or settings calls this."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def snapshot(obj: object) -> dict[str, Any]:
    """The column values of a mapped object, ready for JSON."""
    mapper = inspect(obj).mapper
    return {attr.key: _jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def record(
    session: Session,
    actor: str,
    action: str,
    target: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=datetime.now(UTC),
        actor=actor,
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        before=before,
        after=after if after is not None else snapshot(target),
    )
    session.add(event)
    return event
