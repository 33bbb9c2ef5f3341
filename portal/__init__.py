"""The residents' portal: a household's balance, statement, plan, hours, budget and documents.

A Flask blueprint on the web foundation (``condo_admin.web``): the same login, CSRF, languages
and error pages, its own plain, large, phone-first pages. Every page is scoped to the logged-in
resident's household (:func:`portal.blueprint.household_id`); another household's ids answer 404.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask


def register(app: Flask) -> None:
    """Hang the portal's pages on the application (called by ``create_app``)."""
    from portal.blueprint import bp, menu

    # Each ``*_views`` module adds its routes (and its menu entry) to the blueprint.
    for found in pkgutil.iter_modules(__path__):
        if found.name.endswith("_views"):
            importlib.import_module(f"{__name__}.{found.name}")
    app.register_blueprint(bp)
    app.jinja_env.globals["portal_pages"] = menu
