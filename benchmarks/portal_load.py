"""Load test of the portal's home page served by gunicorn (``python -m benchmarks portal-load``).

The production set-up of issue 7: ``gunicorn -w 2 condo_admin.wsgi:app`` on the benchmark
database, one resident logged in (the household with the most unpaid charges), and ApacheBench
(``ab``, Debian's apache2-utils) keeping ``concurrency`` connections busy for ``seconds``. What
is reported is what ``ab`` measured end to end on this machine: requests per second, the 50th,
95th and 99th percentile of the response time, and every failed or non-200 answer (a run with
any is not a result). ``ab`` and gunicorn share the machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.profiles import Profile
from benchmarks.web_bench import PASSWORD, _users
from condo_admin.auth.models import Role

USER_AGENT = "condo-admin-load-test"
TARGET_RPS = 300.0
TARGET_P95_MS = 50.0


@dataclass(frozen=True)
class LoadFigure:
    path: str
    workers: int
    concurrency: int
    seconds: float
    requests: int
    failed: int
    non_2xx: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def parse_ab(output: str) -> dict[str, float]:
    """The figures of an ``ab`` report (its text is stable across versions since 2.2)."""

    def number(pattern: str, default: float | None = None) -> float:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            if default is None:
                raise ValueError(f"ab printed no {pattern!r}:\n{output}")
            return default
        return float(found.group(1))

    return {
        "requests": number(r"^Complete requests:\s+(\d+)"),
        "failed": number(r"^Failed requests:\s+(\d+)"),
        "non_2xx": number(r"^Non-2xx responses:\s+(\d+)", 0.0),
        "seconds": number(r"^Time taken for tests:\s+([\d.]+)"),
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p95": number(r"^\s+95%\s+(\d+)"),
        "p99": number(r"^\s+99%\s+(\d+)"),
    }


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped before answering; see its output above")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {base} within {timeout:.0f} s")


def _session_cookie(base: str, username: str) -> str:
    """Log in like a browser (CSRF token from the form) and return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # The session is bound to the browser that logged in (flask-login's strong protection):
    # the load generator presents the same User-Agent.
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("the login page carries no CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    ).encode()
    opener.open(f"{base}/login", data=form)
    cookies = {c.name: c.value for c in jar}
    if "session" not in cookies:
        raise RuntimeError(f"{username} could not log in")
    return f"session={cookies['session']}"


def run_load(
    engine: Engine,
    url: str,
    profile: Profile,
    *,
    seconds: int = 20,
    concurrency: int = 16,
    workers: int = 2,
    port: int = 8765,
    path: str = "/portal/",
) -> LoadFigure:
    ab = shutil.which("ab")
    if ab is None:
        raise RuntimeError("ab is not installed (Debian: apt-get install apache2-utils)")
    username = _users(engine, profile)[Role.RESIDENT]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="condo-load-") as instance:
        env = {
            **os.environ,
            "CONDO_DATABASE_URL": url,
            "CONDO_INSTANCE_PATH": instance,
            "CONDO_SECRET_KEY": "benchmark-only-secret-key-not-for-production",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "condo_admin.wsgi:app"],
            env=env,
            cwd=Path(instance),
        )  # fmt: skip
        try:
            _wait_until_up(base, server)
            cookie = _session_cookie(base, username)
            target = f"{base}{path}"
            who = ["-C", cookie, "-H", f"User-Agent: {USER_AGENT}"]
            warm = [ab, "-q", "-k", "-n", "200", "-c", "4", *who, target]
            subprocess.run(warm, check=True, capture_output=True)
            timed = [ab, "-k", "-c", str(concurrency), "-t", str(seconds), "-n", "10000000",
                     *who, target]  # fmt: skip
            done = subprocess.run(timed, check=True, capture_output=True, text=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = parse_ab(done.stdout)
    return LoadFigure(
        path=path,
        workers=workers,
        concurrency=concurrency,
        seconds=figures["seconds"],
        requests=int(figures["requests"]),
        failed=int(figures["failed"]),
        non_2xx=int(figures["non_2xx"]),
        rps=figures["rps"],
        p50_ms=figures["p50"],
        p95_ms=figures["p95"],
        p99_ms=figures["p99"],
    )


def render_load(figure: LoadFigure) -> list[str]:
    ok = figure.failed == 0 and figure.non_2xx == 0
    verdict = (
        "met" if ok and figure.rps >= TARGET_RPS and figure.p95_ms <= TARGET_P95_MS else "missed"
    )
    return [
        f"Portal load: GET {figure.path} by one logged-in resident, gunicorn -w {figure.workers}, "
        f"ab -k -c {figure.concurrency} for {figure.seconds:.0f} s",
        f"  {figure.requests:,} requests, {figure.failed} failed, {figure.non_2xx} not 200",
        f"  {figure.rps:,.0f} requests/s; p50 {figure.p50_ms:.0f} ms, p95 {figure.p95_ms:.0f} ms, "
        f"p99 {figure.p99_ms:.0f} ms",
        f"  target {TARGET_RPS:.0f} requests/s with p95 under {TARGET_P95_MS:.0f} ms: {verdict}",
    ]
