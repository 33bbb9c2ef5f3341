"""Numbered pages for the admin lists (search results of a few thousand rows at most).

Statements page by keyset in the ledger (they can be millions of rows); the admin lists are short
and people want "page 3 of 7", so they count and use LIMIT/OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_url(number: int) -> str:
    """This page's address with the same filters and another page number."""
    args = request.args.to_dict()
    args["page"] = str(number)
    return url_for(request.endpoint or "admin.home", **(request.view_args or {}), **args)


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def paginate(
    session: Session, query: Select[Any], order: Sequence[Any], *, per_page: int = 50
) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(page_number(), max(1, -(-int(total or 0) // per_page)))
    items = list(
        session.scalars(query.order_by(*order).limit(per_page).offset((number - 1) * per_page))
    )
    return Page(items, number, per_page, int(total or 0))


def page_of(items: Sequence[T], *, per_page: int = 100) -> Page[T]:
    """A page of a list already in memory (a report's rows: its totals need them all)."""
    pages = max(1, -(-len(items) // per_page))
    number = min(page_number(), pages)
    start = (number - 1) * per_page
    return Page(list(items[start : start + per_page]), number, per_page, len(items))
