"""Fixtures of the condo_admin tests: the ``condo`` command run in-process on a fresh database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from condo_admin.cli import main


@pytest.fixture
def cli(empty_database_url: str, instance_path: Path, monkeypatch):
    monkeypatch.setenv("CONDO_INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("CONDO_LOCALE", "en_GB")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, ["--database-url", empty_database_url, *args])

    return run
