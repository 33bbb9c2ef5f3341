"""Fixtures shared by every test: a migrated database on SQLite and, when configured, PostgreSQL.

Every test that takes ``engine`` (directly or through ``session``/``app``) runs once per database.
The PostgreSQL run needs ``CONDO_TEST_DATABASE_URL`` pointing at a server where we may create
databases; each test session creates its own database and drops it at the end, so parallel runs
never collide. Without the variable the PostgreSQL half is skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from condo_admin.config import normalise_url
from condo_admin.db import make_engine
from condo_admin.migrate import upgrade

PG_ENV = "CONDO_TEST_DATABASE_URL"
PG_SKIP_REASON = (
    f"PostgreSQL tests need {PG_ENV}, "
    "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test (set by .ci/run)"
)

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def _postgres_database() -> Iterator[str]:
    base = make_url(normalise_url(os.environ[PG_ENV]))
    name = f"condo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_of(kind: str, sqlite_file: Path) -> Iterator[str]:
    """A database URL of ``kind``: the SQLite file, or a PostgreSQL database made for the run
    (skipped, with the reason, when no server is configured)."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP_REASON)
    yield from _postgres_database()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    yield from database_of(request.param, tmp_path_factory.mktemp("sqlite") / "condo.sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A database of its own for one test, with no schema: for the CLI and end-to-end tests."""
    yield from database_of(request.param, tmp_path / "empty.sqlite")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Code under test may commit: with ``create_savepoint`` its commits only release savepoints of
    the outer transaction, which the fixture throws away.
    """
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Say once, plainly, why the PostgreSQL half did not run (and list any other skips)."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [r for r in skipped if PG_SKIP_REASON in str(r.longrepr)]
    if postgres:
        terminalreporter.write_line(f"{len(postgres)} PostgreSQL tests skipped: {PG_SKIP_REASON}")
    for report in skipped:
        if report not in postgres:
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {report.longrepr[-1]}")


@pytest.fixture
def cli(empty_database_url: str, instance_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The ``condo`` command run in-process on a fresh database, in English (en_GB)."""
    from click.testing import CliRunner

    from condo_admin.cli import main

    monkeypatch.setenv("CONDO_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CONDO_LOCALE", "en_GB")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--database-url", empty_database_url, *args])

    return run
