"""Fixtures of the web tests: the committed site (per database) and an app on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from condo_admin.app import create_app
from condo_admin.db import make_engine
from condo_admin.migrate import upgrade
from condo_admin.web.security import limiter
from tests.conftest import database_of
from tests.web.site import Site, build


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def site_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database of the web tests' own (they commit), on SQLite and PostgreSQL."""
    yield from database_of(request.param, tmp_path_factory.mktemp("web") / "web.sqlite")


@pytest.fixture(scope="session")
def site_engine(site_url: str) -> Iterator[Engine]:
    engine = make_engine(site_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def site(site_engine: Engine, site_url: str) -> Site:
    return build(site_engine, site_url)


@pytest.fixture
def app(site: Site, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": site.url, "INSTANCE_PATH": str(tmp_path), "TESTING": True})
    with app.app_context():
        limiter.reset()
    yield app
    app.extensions["condo"].engine.dispose()


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo data (SQLite) behind an app, for pages that need a full agency to show."""
    from datetime import date

    from sqlalchemy.orm import Session

    from condo_admin.demo.seed import seed_demo

    folder = tmp_path_factory.mktemp("demo-web")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, today=date(2026, 11, 25))
        session.commit()
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "LOGIN_RATE_LIMIT": "100/minute"}
    )
    yield app
    app.extensions["condo"].engine.dispose()
