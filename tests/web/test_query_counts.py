"""List pages read their rows in a fixed number of queries, never one more query per row.

Each page is opened on the demo data (dozens of households, cases, plans, audit events) and the
SQL statements it sends are counted: a page that loaded something per row would send more than
the budget, which is set well below the number of rows shown.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event

from condo_admin.demo.users import DEMO_PASSWORD
from tests.web.site import login

#: page -> (who opens it, most statements it may send, fewest rows it must show)
PAGES = {
    "/dashboard": ("admin", 20, 0),
    "/registry/households": ("admin", 12, 50),
    "/registry/people": ("operatore", 12, 50),
    "/registry/buildings": ("admin", 12, 3),
    "/users": ("admin", 12, 5),
    "/audit": ("admin", 12, 50),
    "/desk/cases?all=1": ("operatore", 12, 8),
    "/desk/plans": ("operatore", 14, 9),
    "/reports/aging": ("operatore", 16, 10),
    "/reports/early-warning": ("operatore", 20, 5),
    "/body/": ("ente", 14, 10),
    "/restitution/queue": ("supervisore", 12, 1),
    "/restitution/agreements": ("operatore", 12, 6),
    "/accounting/budgets": ("admin", 12, 6),
    "/desk/letters": ("operatore", 12, 10),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_a_list_page_sends_a_fixed_number_of_queries(demo_app: Flask, path: str) -> None:
    username, budget, rows = PAGES[path]
    client = demo_app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    statements: list[str] = []
    engine = demo_app.extensions["condo"].engine

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    shown = page.count("<tr") - page.count("<thead") + page.count('<section class="card')
    assert shown >= rows, "the page should list its rows"
    assert len(statements) <= budget, "\n".join(statements)
