"""The trail of every transition: who moved an agreement or an hour entry, when, and why."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from volunteering.models import HourEvent


def now() -> datetime:
    return datetime.now(UTC)


def record(
    session: Session,
    *,
    agreement_id: int,
    action: str,
    from_status: str | None,
    to_status: str,
    actor: str,
    hour_entry_id: int | None = None,
    note: str | None = None,
) -> HourEvent:
    event = HourEvent(
        agreement_id=agreement_id,
        hour_entry_id=hour_entry_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=now(),
        note=note,
    )
    session.add(event)
    return event
