"""The residents' portal on a phone, in a real browser, on the demo data.

The demo resident logs in on a 390 x 844 screen, reads what the household owes in plain words,
opens every page of the portal's menu (followed from the menu itself, so a new page is covered),
switches to English and back, downloads the statement as PDF and logs an hour of community work.
Every page is also shown 195 px wide, which is what the phone shows zoomed to 200 %: nothing may
need scrolling sideways there (WCAG 2.1, 1.4.10). Screenshots go to ``CONDO_SCREENSHOTS`` when it
is set (``portal-home.png`` and one per page).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.portal_pages import log_in_resident, menu, slug

PHONE = {"width": 390, "height": 844}
#: The phone zoomed to 200 %: half as many CSS pixels each way.
ZOOMED = {"width": 195, "height": 422}
#: The tallest screenshot, in CSS pixels.
MAX_SHOT = 2400
#: An amount as the Italian pages write it: 1.234,56 € (with a no-break space).
AMOUNT = re.compile(r"\d[\d.]*,\d\d\s€")


@pytest.fixture
def phone(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server.url, locale="it-IT", viewport=PHONE, accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def sideways(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The page's width and the window's, in CSS pixels."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def snap(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole page as a phone shows it, down to at most MAX_SHOT pixels (a year of statement
    lines would make a picture ten thousand pixels tall)."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT)
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height}
    )


def assert_reflows(page, path: str) -> None:  # type: ignore[no-untyped-def]
    """No sideways scrolling on the phone, nor on the phone zoomed to 200 %."""
    width, window = sideways(page)
    assert width <= window, f"{path} is {width} px wide on a {window} px phone"
    page.set_viewport_size(ZOOMED)
    width, window = sideways(page)
    page.set_viewport_size(PHONE)
    assert width <= window, f"{path} zoomed to 200 % is {width} px wide in {window} px"


def test_a_resident_reads_the_balance_and_opens_every_page_on_a_phone(phone, shots: Path) -> None:
    page = phone
    log_in_resident(page)
    sentences = page.locator(".balance-words").all_inner_texts()
    assert sentences, "the home page says nothing about the balance"
    assert any(re.match(r"(Devi|Sei in regola)\b", s) and AMOUNT.search(s) for s in sentences), (
        sentences
    )
    assert_reflows(page, "/portal/")
    snap(page, shots / "portal-home.png")

    entries = menu(page)
    assert entries[0][1] == "/portal/", entries
    for name, path in entries[1:]:
        page.locator("nav.portal-nav").get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(re.compile(re.escape(path) + r"$"))
        current = page.locator("nav.portal-nav [aria-current=page]")
        assert current.inner_text().strip() == name, path
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_reflows(page, path)
        snap(page, shots / f"portal-{slug(path)}.png")


def test_the_portal_speaks_english_and_back(phone) -> None:
    page = phone
    log_in_resident(page)
    italian = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/portal/")  # back on the page it was switched from
    english = page.get_by_role("heading", level=1).inner_text()
    assert english != italian and english == "Your balance"
    words = " ".join(page.locator(".balance-words").all_inner_texts())
    assert re.search(r"You (owe|are up to date)", words), words
    assert re.search(r"€\s?\d[\d,]*\.\d\d", words), words  # €1,234.56 in English
    assert_reflows(page, "/portal/ (English)")
    page.get_by_role("button", name="Italiano").click()
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.get_by_role("heading", level=1).inner_text() == italian


def _page_of(page, path: str) -> bool:  # type: ignore[no-untyped-def]
    """Open the menu's page at ``path``; False when the portal has no such page (yet)."""
    entries = dict((p, n) for n, p in menu(page))
    if path not in entries:
        return False
    page.locator("nav.portal-nav").get_by_role("link", name=entries[path], exact=True).click()
    page.wait_for_url(re.compile(re.escape(path) + r"$"))
    return True


def test_a_resident_downloads_the_statement_as_pdf(phone, tmp_path: Path) -> None:
    page = phone
    log_in_resident(page)
    if not _page_of(page, "/portal/statement"):
        pytest.skip("the portal has no statement page yet")
    link = page.locator("a[download][href*='.pdf']").first
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")


def test_a_resident_logs_an_hour_of_community_work(phone) -> None:
    page = phone
    log_in_resident(page)
    if not _page_of(page, "/portal/hours"):
        pytest.skip("the portal has no community-hours page yet")
    form = page.locator("form.log-hours").first
    if form.count() == 0:
        pytest.skip("the demo resident's agreement takes no hours today")
    day = form.locator("input[type=date]")
    # The latest day the form allows: today, or the agreement's last day.
    day.fill(day.get_attribute("max") or "")
    form.locator("select").first.select_option(index=0)
    form.locator("input[name$='hours']").fill("0,5")
    description = "Pulizia delle scale, prova dal telefono"
    form.locator("input[name$='description'], textarea[name$='description']").fill(description)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    problem = page.locator(".alert-danger, .invalid-feedback")
    assert problem.count() == 0, problem.all_inner_texts()
    assert page.locator(".hour-entry", has_text=description).is_visible()
    assert_reflows(page, "/portal/hours after logging")
