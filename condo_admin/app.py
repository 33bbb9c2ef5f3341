"""The application factory, shaped like the Flask tutorial's: settings, extensions, blueprints."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from condo_admin import config as settings
from condo_admin.db import make_engine, make_sessionmaker
from condo_admin.extensions import CondoState, close_request_session


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("CONDO_INSTANCE_PATH")
    app = Flask(
        "condo_admin",
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings.load(Path(app.instance_path), config))
    # Uploads (share tables, budget lines, later bank statements) stop at the door past 8 MB.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["condo"] = CondoState(engine=engine, sessions=make_sessionmaker(engine))
    app.teardown_appcontext(close_request_session)

    from condo_admin import health
    from condo_admin.web import (
        accounting_views,
        admin_views,
        auth_views,
        body_views,
        budget_views,
        desk_views,
        errors,
        filters,
        ledger_views,
        registry_views,
        reports_views,
        restitution_views,
        security,
    )

    security.init_app(app)
    filters.register(app)
    errors.register(app)
    app.register_blueprint(health.bp)
    security.csrf.exempt(health.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(reports_views.bp)
    app.register_blueprint(body_views.bp)
    app.register_blueprint(restitution_views.bp)
    app.register_blueprint(desk_views.bp)
    app.register_blueprint(registry_views.bp)
    app.register_blueprint(accounting_views.bp)
    app.register_blueprint(ledger_views.bp)
    app.register_blueprint(budget_views.bp)

    import portal

    portal.register(app)
    return app
