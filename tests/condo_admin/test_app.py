"""The application factory: settings from the environment, a kept secret, a health check."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from condo_admin import create_app
from condo_admin.config import normalise_url
from condo_admin.migrate import upgrade


def test_default_database_is_a_sqlite_file_in_the_instance_folder(
    instance_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("CONDO_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(instance_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'condo.sqlite'}"


def test_sqlite_runs_with_foreign_keys_and_wal(instance_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(instance_path)})
    with app.extensions["condo"].engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_secret_key_is_generated_once_and_kept_private(instance_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CONDO_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(instance_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(instance_path)}).config["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_environment_settings_win_over_defaults(instance_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CONDO_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("CONDO_DATABASE_URL", f"sqlite:///{instance_path / 'other.sqlite'}")
    app = create_app({"INSTANCE_PATH": str(instance_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["DATABASE_URL"].endswith("other.sqlite")
    assert not (instance_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.sqlite", "sqlite:///x.sqlite"),
    ],
)
def test_postgres_urls_go_through_psycopg_3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_health_check_reports_a_migrated_database(
    empty_database_url: str, instance_path: Path
) -> None:
    app = create_app({"INSTANCE_PATH": str(instance_path), "DATABASE_URL": empty_database_url})
    client = app.test_client()
    unmigrated = client.get("/healthz")
    assert unmigrated.status_code == 503
    assert "condo init-db" in unmigrated.get_json()["hint"]
    upgrade(app.extensions["condo"].engine)
    healthy = client.get("/healthz")
    assert healthy.status_code == 200
    assert healthy.get_json()["status"] == "ok"
    app.extensions["condo"].engine.dispose()


def test_health_check_reports_an_unreachable_database(instance_path: Path) -> None:
    app = create_app(
        {
            "INSTANCE_PATH": str(instance_path),
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
