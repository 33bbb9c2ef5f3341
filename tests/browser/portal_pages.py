"""Helpers of the portal's browser tests: the demo resident's login and the portal's pages,
found by following the portal's own menu (so that a page added to the menu is covered)."""

from __future__ import annotations

import re

from condo_admin.demo.users import DEMO_PASSWORD

RESIDENT = "residente"


def log_in_resident(page) -> None:  # type: ignore[no-untyped-def]
    """Log in as the demo resident (from the Italian login page) and land on the portal."""
    page.goto("/login")
    page.get_by_label("Nome utente").fill(RESIDENT)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/portal/$"))


def menu(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The portal menu's entries on the page shown: (name, path), in their order."""
    links = page.locator("nav.portal-nav a")
    found = [
        (links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href") or "")
        for i in range(links.count())
    ]
    assert found, "the portal page shows no menu (nav.portal-nav)"
    return found


def slug(path: str) -> str:
    """A page's name for its screenshot: /portal/ -> home, /portal/statement -> statement."""
    name = path.split("?")[0].removeprefix("/portal").strip("/").replace("/", "-")
    return name or "home"
