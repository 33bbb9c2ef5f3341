"""Every string people read on the screens is translated to Italian, and the compiled catalog
matches its source."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import condo_admin
import ledger
import portal
import volunteering

PACKAGE = Path(condo_admin.__file__).parent
#: Every package whose text reaches a screen: the faces, and the domain's refusals (``N_``).
PACKAGES = [PACKAGE, *(Path(p.__file__).parent for p in (ledger, volunteering, portal))]
CATALOG = PACKAGE / "translations" / "it" / "LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "N_": None,
}


def _ids_in_code() -> set[str]:
    ids: set[str] = set()
    for package in PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            package, METHODS, keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_of_the_screens_has_an_italian_translation():
    with (CATALOG / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(i for i in _ids_in_code() if not translated.get(i))
    assert missing == [], "add these to condo_admin/translations/it/LC_MESSAGES/messages.po"


def test_the_compiled_catalog_matches_the_source():
    with (CATALOG / "messages.po").open("rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    with (CATALOG / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run: pybabel compile -d condo_admin/translations"


def test_the_login_page_speaks_italian_by_default_and_english_on_request(client):
    italian = client.get("/login").get_data(as_text=True)
    assert "Accedi" in italian and '<html lang="it">' in italian
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in" in english and '<html lang="en">' in english
