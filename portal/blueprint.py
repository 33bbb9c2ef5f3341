"""The portal's blueprint and the one rule every page follows: only the resident's household."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from flask import Blueprint, abort
from flask_babel import LazyString
from flask_login import current_user

from condo_admin.auth.models import Role
from condo_admin.web.access import roles

bp = Blueprint(
    "portal",
    __name__,
    url_prefix="/portal",
    template_folder=str(Path(__file__).parent / "templates"),
)

#: Every portal page admits residents, and residents only.
resident = roles(Role.RESIDENT)

#: The portal's menu: endpoint -> (place, name), added by each views module.
_MENU: dict[str, tuple[int, LazyString]] = {}


def menu_entry(place: int, endpoint: str, name: LazyString) -> None:
    """Put a page in the menu; ``place`` orders the entries (the balance is 10)."""
    _MENU[f"portal.{endpoint}"] = (place, name)


def menu() -> list[tuple[str, LazyString]]:
    return [(e, name) for e, (_, name) in sorted(_MENU.items(), key=lambda item: item[1][0])]


def household_id() -> int:
    """The logged-in resident's household; a resident account without one sees nothing."""
    found = current_user.household_id
    if found is None:
        abort(404)
    return int(found)


def today() -> date:
    return datetime.now(UTC).date()
