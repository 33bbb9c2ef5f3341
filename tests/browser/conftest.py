"""A real server and a real browser: waitress serving the demo data, Chromium driven by Playwright.

Browsers cannot be downloaded here, so Playwright drives Debian's ``/usr/bin/chromium``
(``.ci/run`` installs the ``chromium`` package). Without it the browser tests skip with that
reason on a laptop; in CI (``CI`` set) a missing browser is a failure, never a silent skip.

Screenshots of the main screens go to a temporary folder, or to ``CONDO_SCREENSHOTS`` when it is
set (``CONDO_SCREENSHOTS=docs/screenshots`` refreshes the ones shown in README.md).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from condo_admin.app import create_app
from condo_admin.db import make_engine
from condo_admin.demo.seed import seed_demo
from condo_admin.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo data (SQLite) served by waitress in a thread, for the whole test session."""
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'demo.sqlite'}"
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, today=TODAY)
        session.commit()
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(folder / "instance"),
            # Every test logs in from 127.0.0.1; the limit itself is tested in tests/web.
            "LOGIN_RATE_LIMIT": "200 per minute",
        }
    )
    port = _free_port()
    wsgi = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{port}", database_url)
    finally:
        wsgi.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install the chromium package")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server.url, locale="it-IT", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("CONDO_SCREENSHOTS")
    folder = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
