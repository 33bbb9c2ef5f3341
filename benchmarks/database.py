"""Creating, recognising and sizing the benchmark database, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, inspect, make_url, select, text

from condo_admin.audit.models import AuditEvent
from condo_admin.db import make_engine
from condo_admin.models import Base
from condo_admin.registry.models import Agency

#: The audit action that marks a finished generation; its ``after`` holds the figures of the run.
GENERATED = "benchmark.generated"


class NotABenchmarkDatabase(RuntimeError):
    """Refusal to drop a database that does not look like one this tool created."""


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


def describe(url: str) -> str:
    """The URL without password, for reports."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_files(url: URL) -> list[Path]:
    if not url.database or url.database == ":memory:":
        raise ValueError("the SQLite benchmark needs a file, e.g. sqlite:////tmp/bench-s.sqlite")
    main = Path(url.database)
    return [main, Path(f"{main}-wal"), Path(f"{main}-shm")]


def _maintenance_engine(url: URL) -> Engine:
    maintenance = url.set(database="postgres").render_as_string(hide_password=False)
    return make_engine(maintenance, isolation_level="AUTOCOMMIT")


def _pg_exists(url: URL) -> bool:
    engine = _maintenance_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            return found is not None
    finally:
        engine.dispose()


def looks_like_benchmark(engine: Engine) -> bool:
    """True for an empty database or one whose agencies are all benchmark agencies."""
    names = set(inspect(engine).get_table_names())
    if not names - {"alembic_version"}:
        return True
    if "agencies" not in names:
        return False
    with engine.connect() as conn:
        codes = conn.scalars(select(Agency.code)).all()
    return all(code.startswith("BENCH-") for code in codes)


def generated_marker(engine: Engine, agency_code: str) -> dict[str, Any] | None:
    """The figures of the finished generation of a profile, or None when there is none."""
    names = set(inspect(engine).get_table_names())
    if not {"agencies", "audit_events"} <= names:
        return None
    with engine.connect() as conn:
        agency_id = conn.scalar(select(Agency.id).where(Agency.code == agency_code))
        if agency_id is None:
            return None
        return conn.scalar(
            select(AuditEvent.after)
            .where(
                AuditEvent.action == GENERATED,
                AuditEvent.target_type == "Agency",
                AuditEvent.target_id == agency_id,
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )


def stale_indexes(engine: Engine) -> list[str]:
    """Indexes of the models that the database lacks or holds with other columns.

    Migrations have been edited in place while the schema is unreleased (the covering indexes of
    postings and of unsettled items), and ``upgrade`` does not redo a migration already applied:
    data generated before such an edit keeps the old index, and timing queries on it would
    silently measure the old schema.
    """
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    stale: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        found = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if found.get(index.name) != [column.name for column in index.columns]:
                stale.append(f"{table.name}.{index.name}")
    return stale


def existing_engine(url: str) -> Engine | None:
    """An engine on the database when it already exists, without creating it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not _sqlite_files(parsed)[0].exists():
            return None
    elif parsed.get_backend_name() == "postgresql" and not _pg_exists(parsed):
        return None
    return make_engine(url)


def recreate(url: str, *, force: bool) -> Engine:
    """Drop the database (only a benchmark one, unless ``force``) and create it empty."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")
    old = existing_engine(url)
    if old is not None:
        try:
            if not force and not looks_like_benchmark(old):
                raise NotABenchmarkDatabase(
                    f"{describe(url)} holds data that this benchmark did not create; "
                    "refusing to drop it (pass --force to drop it anyway)"
                )
        finally:
            old.dispose()
    if backend == "sqlite":
        for path in _sqlite_files(parsed):
            if path.exists():
                os.remove(path)
        return make_engine(url)
    engine = _maintenance_engine(parsed)
    name = engine.dialect.identifier_preparer.quote(parsed.database or "")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        engine.dispose()
    return make_engine(url)


def database_size(engine: Engine) -> int | None:
    """Bytes on disk: the SQLite file (WAL checkpointed first), or ``pg_database_size``."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        files = _sqlite_files(engine.url)
        return sum(p.stat().st_size for p in files[:2] if p.exists())
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return conn.scalar(text("SELECT pg_database_size(current_database())"))
    return None


def table_sizes(engine: Engine, tables: tuple[str, ...]) -> dict[str, int]:
    """Bytes per table including its indexes; PostgreSQL only (SQLite has no cheap way)."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as conn:
        return {
            table: conn.scalar(text("SELECT pg_total_relation_size(:t)"), {"t": table})
            for table in tables
        }


def optimise_after_load(engine: Engine) -> str | None:
    """What a running server would do on its own after a bulk load, done now and not mid-benchmark.

    On PostgreSQL autovacuum would soon VACUUM and ANALYZE the new rows (statistics for the planner,
    the visibility map for index-only scans); doing it here keeps it from running in the background
    while queries are timed. SQLite never analyses by itself and condo-admin does not ask it to, so
    nothing is done there: the figures are those of a database as the application leaves it.
    """
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return "VACUUM ANALYZE"
