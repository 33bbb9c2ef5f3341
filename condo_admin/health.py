"""Liveness and readiness: is the process up, is the database reachable and migrated."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from condo_admin import __version__
from condo_admin.extensions import state
from condo_admin.migrate import current_revision, head_revision
from condo_admin.web.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    engine = state().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable", version=__version__), 503
    head = head_revision()
    migrated = revision == head
    body = {
        "status": "ok" if migrated else "error",
        "database": "ok",
        "schema": revision,
        "schema_head": head,
        "version": __version__,
    }
    if not migrated:
        body["hint"] = "run 'condo init-db' to bring the schema up to date"
    return jsonify(body), 200 if migrated else 503
