"""WCAG 2.1 A and AA checks with axe-core on the login page and every page of the residents'
portal, in a real browser, on the demo data.

axe-core comes from the npm registry: ``.ci/run`` installs it with
``npm install --no-save --prefix .cache/npm axe-core@4`` (``.cache/`` is git-ignored), and
``CONDO_AXE`` may point at another ``axe.min.js``. Without it these tests skip with that reason
on a laptop; in CI (``CI`` set) a missing axe-core is a failure, as a missing Chromium is.

The portal's pages are found by following its menu, then the links those pages hold to other
portal pages (a plan's detail, a creditor's statement), so a page added to the menu is checked
without touching this file. Any violation of impact serious or critical fails, each printed
with its rule, help text and the elements it concerns. Each page is checked at a desktop and a
phone width in Italian, and at the phone width in English too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.portal_pages import log_in_resident, menu

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("CONDO_AXE") or ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
#: The rules of WCAG 2.0 and 2.1, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: The languages checked at a desktop width (False) and at a phone width (True).
LANGUAGES = {False: ("it",), True: ("it", "en")}
#: Links the crawl does not follow: downloads and leaving the portal.
DOWNLOADS = (".pdf", ".xlsx", ".csv", "format=")
MAX_PAGES = 30


@pytest.fixture(scope="session")
def axe() -> Path:
    if not AXE.exists():
        reason = (
            f"the accessibility tests need axe-core at {AXE}: "
            "npm install --no-save --prefix .cache/npm axe-core@4"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (.ci/run must install it)")
        pytest.skip(reason)
    return AXE


@pytest.fixture(params=list(WIDTHS))
def audited(request: pytest.FixtureRequest, browser, server):  # type: ignore[no-untyped-def]
    """A page at a desktop or a phone width; the content policy is bypassed only so that axe's
    script can be injected (the application's own pages never run inline scripts)."""
    context = browser.new_context(
        base_url=server.url, locale="it-IT", viewport=WIDTHS[request.param], bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def violations(page, axe: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    """axe's serious and critical violations of WCAG 2.1 A/AA on the page shown."""
    page.add_script_tag(path=str(axe))
    script = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
    result = page.evaluate(script, TAGS)
    return [v for v in result["violations"] if v["impact"] in FAILING]


def report(where: str, found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def portal_pages(page) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The portal's pages: its menu's, then the portal pages they link to (not downloads),
    each path once; the page is left showing each in turn."""
    queue = [path for _, path in menu(page)]
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        key = urlsplit(path).path
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        yield path
        for href in page.locator("main a[href]").evaluate_all("as => as.map(a => a.href)"):
            parts = urlsplit(href)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if (
                parts.path.startswith("/portal/")
                and not any(d in href for d in DOWNLOADS)
                and parts.path not in seen
            ):
                queue.append(target)


def test_the_login_page_has_no_serious_accessibility_violations(audited, axe: Path) -> None:
    problems = []
    for language in LANGUAGES[audited.viewport_size["width"] < 576]:
        audited.goto("/login")
        if language == "en":
            audited.get_by_role("button", name="English").click()
            assert audited.locator("html").get_attribute("lang") == "en"
        found = violations(audited, axe)
        if found:
            problems.append(report(f"/login ({language})", found))
    assert not problems, "\n".join(problems)


def test_every_portal_page_has_no_serious_accessibility_violations(audited, axe: Path) -> None:
    log_in_resident(audited)
    problems: list[str] = []
    checked: list[str] = []
    for language in LANGUAGES[audited.viewport_size["width"] < 576]:
        if language == "en":
            audited.goto("/portal/")
            audited.get_by_role("button", name="English").click()
            assert audited.locator("html").get_attribute("lang") == "en"
        for path in portal_pages(audited):
            checked.append(path)
            found = violations(audited, axe)
            if found:
                problems.append(report(f"{path} ({language})", found))
    print(f"axe-core checked {len(checked)} portal pages: {sorted(set(checked))}")
    assert len(checked) >= 2, checked  # at least the balance and one more page in each language
    assert not problems, "\n".join(problems)
