"""Per-application state and the per-request database session.

Views take their session from :func:`request_session`; it is closed (and any uncommitted work
rolled back) when the request ends, so a failed request never leaves half a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class CondoState:
    engine: Engine
    sessions: sessionmaker[Session]


def state() -> CondoState:
    return current_app.extensions["condo"]


def request_session() -> Session:
    if "db_session" not in g:
        g.db_session = state().sessions()
    return g.db_session


def close_request_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
