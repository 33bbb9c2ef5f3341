"""Writing to the audit log; every operation that changes the registry or settings calls this."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, text
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


#: Where a target's agency may be found, tried in this order (a unit through its building, an
#: occupancy through its household, a user through its agency, body or household...).
_PATHS = (
    "agency",
    "household",
    "building",
    "unit",
    "agreement",
    "table",
    "budget",
    "occupancy",
    "housing_body",
    "plan",
    "case",
    "run",
)


def agency_of(session: Session, target: object, depth: int = 0) -> int | None:
    """The agency a changed object belongs to, or None when it belongs to none."""
    if target is None or depth > 4:
        return None
    if type(target).__name__ == "Agency":
        return getattr(target, "id", None)
    direct = getattr(target, "agency_id", None)
    if isinstance(direct, int):
        return direct
    for path in _PATHS:
        related = getattr(target, path, None)
        if related is not None and related is not target:
            found = agency_of(session, related, depth + 1)
            if found is not None:
                return found
    book_id = getattr(target, "book_id", None)
    if isinstance(book_id, int):
        return session.execute(
            text("SELECT agency_id FROM creditor_books WHERE book_id = :book"), {"book": book_id}
        ).scalar()
    return None


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
        agency_id=agency_of(session, target),
        before=before,
        after=after if after is not None else snapshot(target),
    )
    session.add(event)
    return event
