"""Share tables and budgets drafted in the browser: the grid, the uploads, the refusals.

Each test builds its own building in agency A (three flats, A03 vacant, a service-charge book), so
the committed site of the other web tests is left as it was. Every refusal is checked in the
database too: a refused form writes nothing.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import (
    Budget,
    BudgetAllotment,
    BudgetLine,
    BudgetStatus,
    Share,
    ShareTable,
)
from condo_admin.accounting.shares import define_share_table
from condo_admin.accounting.spreadsheets import MAX_UPLOAD_BYTES
from condo_admin.audit.models import AuditEvent
from condo_admin.auth.models import Role
from condo_admin.registry import operations as registry
from condo_admin.registry.models import Agency
from tests import factories
from tests.factories import ACTOR
from tests.web.helpers import engine_of
from tests.web.helpers import text as raw_text
from tests.web.site import Site, csrf_token, login

pytestmark = pytest.mark.filterwarnings("error:Passing SelectField choices:DeprecationWarning")


@dataclass(frozen=True)
class Place:
    building_id: int
    book_id: int
    units: dict[str, int]  # code -> id


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page as read on screen: quotes in messages are escaped in the HTML."""
    return html.unescape(raw_text(response))


def make_place(app: Flask, agency_code: str) -> Place:
    """A building of the agency with flats A01 and A02 lived in since 2024 and A03 vacant."""
    with Session(engine_of(app)) as session:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        building = factories.building(session, agency)
        book = factories.service_book(session, building)
        units = {}
        for code in ("A01", "A02", "A03"):
            unit = registry.create_unit(session, building, code, "flat", actor=ACTOR)
            units[code] = unit.id
            if code != "A03":
                household = factories.household(session, agency)
                registry.start_occupancy(
                    session, household, unit, start=date(2024, 1, 1), actor=ACTOR
                )
        session.commit()
        return Place(building.id, book.id, units)


@pytest.fixture
def place(app: Flask, site: Site) -> Place:
    return make_place(app, site.a.code)


def in_english(client: FlaskClient) -> FlaskClient:
    """The messages below are checked in English (the Italian catalog has its own test)."""
    token = csrf_token(client, "/account")
    client.post("/language/en", data={"csrf_token": token, "next": "/account"})
    return client


@pytest.fixture
def admin(client: FlaskClient, site: Site) -> FlaskClient:
    assert login(client, site.a.users[Role.ADMIN]).status_code == 302
    return in_english(client)


def grid(place: Place, **shares: str) -> dict[str, str]:
    return {f"share-{place.units[code]}": value for code, value in shares.items()}


def tables_of(app: Flask, place: Place) -> list[ShareTable]:
    with Session(engine_of(app)) as session:
        return list(
            session.scalars(select(ShareTable).where(ShareTable.building_id == place.building_id))
        )


def shares_of(app: Flask, table_id: int) -> dict[int, Decimal]:
    with Session(engine_of(app)) as session:
        return dict(
            session.execute(
                select(Share.unit_id, Share.thousandths).where(Share.table_id == table_id)
            ).all()
        )


def budgets_of(app: Flask, place: Place) -> list[int]:
    with Session(engine_of(app)) as session:
        return list(
            session.scalars(select(Budget.id).where(Budget.building_id == place.building_id))
        )


def audit_count(app: Flask) -> int:
    with Session(engine_of(app)) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def new_table_url(place: Place) -> str:
    return f"/accounting/buildings/{place.building_id}/share-tables/new"


def new_budget_url(place: Place) -> str:
    return f"/accounting/buildings/{place.building_id}/budgets/new"


def define_table(app: Flask, place: Place, code: str = "GEN", **shares: str) -> int:
    """A share table defined directly (for the tests that start from one)."""
    with Session(engine_of(app)) as session:
        from condo_admin.registry.models import Building, Unit

        building = session.get(Building, place.building_id)
        units = {
            u.code: u for u in session.scalars(select(Unit).where(Unit.building_id == building.id))
        }
        table = define_share_table(
            session,
            building,
            code,
            f"Tabella {code}",
            "general",
            {units[c]: Decimal(v) for c, v in shares.items()},
            actor=ACTOR,
        )
        session.commit()
        return table.id


# --- share tables --------------------------------------------------------------------------------


def test_the_building_page_leads_to_its_share_tables_and_budgets(admin, place):
    page = text(admin.get(f"/registry/buildings/{place.building_id}"))
    assert f"/accounting/buildings/{place.building_id}" in page
    accounts = admin.get(f"/accounting/buildings/{place.building_id}")
    assert accounts.status_code == 200
    assert new_table_url(place) in text(accounts) and new_budget_url(place) in text(accounts)
    assert f"/charges/one-off/{place.building_id}" in text(accounts)


def test_an_admin_defines_a_table_in_the_grid_and_drafts_and_approves_a_budget(admin, app, place):
    form = admin.get(new_table_url(place))
    assert form.status_code == 200
    for unit_id in place.units.values():
        assert f'name="share-{unit_id}"' in text(form)
    token = csrf_token(admin, new_table_url(place))
    made = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Proprietà generale",
            "kind": "general",
            **grid(place, A01="500,5", A02="299.5", A03="200"),
        },
    )
    assert made.status_code == 302, text(made)
    [table] = tables_of(app, place)
    assert made.location.endswith(f"/accounting/share-tables/{table.id}")
    assert shares_of(app, table.id) == {
        place.units["A01"]: Decimal("500.5"),
        place.units["A02"]: Decimal("299.5"),
        place.units["A03"]: Decimal("200"),
    }
    shown = text(admin.get(made.location))
    assert "Proprietà generale" in shown and "1,000" in shown

    token = csrf_token(admin, new_budget_url(place))
    drafted = admin.post(
        new_budget_url(place),
        data={
            "csrf_token": token,
            "year": "2026",
            "lines-0-category": "cleaning",
            "lines-0-name": "Pulizia scale",
            "lines-0-amount": "1.200,00",
            "lines-0-table": "GEN",
            "lines-1-category": "LIGHT",
            "lines-1-name": "Luce comune",
            "lines-1-amount": "300",
            "lines-1-table": "GEN",
            "due-0": "2026-01-31",
            "due-1": "2026-06-30",
        },
    )
    assert drafted.status_code == 302, text(drafted)
    [budget_id] = budgets_of(app, place)
    assert drafted.location.endswith(f"/accounting/budgets/{budget_id}")
    page = text(admin.get(drafted.location))
    assert "Pulizia scale" in page and "1,500.00" in page and f"/{budget_id}/approve" in page

    token = csrf_token(admin, drafted.location)
    admin.post(f"/accounting/budgets/{budget_id}/approve", data={"csrf_token": token})
    with Session(engine_of(app)) as session:
        budget = session.get(Budget, budget_id)
        assert budget.status is BudgetStatus.APPROVED
        assert [i.due_date for i in budget.installments] == [date(2026, 1, 31), date(2026, 6, 30)]
        assert {line.category: line.amount_cents for line in budget.lines} == {
            "CLEANING": 120000,
            "LIGHT": 30000,
        }
        parts = dict(
            session.execute(
                select(BudgetAllotment.unit_id, func.sum(BudgetAllotment.amount_cents))
                .join(BudgetLine, BudgetLine.id == BudgetAllotment.line_id)
                .where(BudgetLine.budget_id == budget_id)
                .group_by(BudgetAllotment.unit_id)
            ).all()
        )
    # 1500 € by 500.5 / 299.5 / 200 thousandths, each line split to the cent.
    assert parts == {
        place.units["A01"]: 75075,
        place.units["A02"]: 44925,
        place.units["A03"]: 30000,
    }
    assert "750.75" in text(admin.get(f"/accounting/budgets/{budget_id}"))


def test_shares_that_do_not_sum_to_1000_are_refused_and_nothing_is_written(admin, app, place):
    before = audit_count(app)
    token = csrf_token(admin, new_table_url(place))
    refused = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Generale",
            "kind": "general",
            **grid(place, A01="500", A02="300", A03="100"),
        },
    )
    page = text(refused)
    assert refused.status_code == 400
    assert "the shares sum to 900 thousandths instead of 1000" in page
    assert 'value="300"' in page  # what was typed stays in the grid
    assert tables_of(app, place) == [] and audit_count(app) == before


def test_a_cell_that_is_not_a_number_is_refused_next_to_it(admin, app, place):
    token = csrf_token(admin, new_table_url(place))
    refused = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Generale",
            "kind": "general",
            **grid(place, A01="cinquecento", A02="500", A03="0,12345"),
        },
    )
    page = text(refused)
    assert refused.status_code == 400
    assert f'id="share-{place.units["A01"]}-problem"' in page
    assert "Write a number such as 12,345." in page and "At most 4 decimals." in page
    assert tables_of(app, place) == []


def test_a_table_code_used_twice_is_refused_next_to_the_code(admin, app, place):
    define_table(app, place, A01="1000")
    token = csrf_token(admin, new_table_url(place))
    refused = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Ancora",
            "kind": "lift",
            **grid(place, A02="1000"),
        },
    )
    assert refused.status_code == 400
    assert "already has a share table 'GEN'" in text(refused)
    assert len(tables_of(app, place)) == 1


def test_a_table_is_defined_from_the_csv_the_command_line_takes(admin, app, place):
    content = b"Unit;Thousandths;note\nA01;600,25;\n\na02;399,75;primo piano\n"
    token = csrf_token(admin, new_table_url(place))
    made = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "SCA",
            "name": "Scala A",
            "kind": "staircase",
            "file": upload(content, "scala.csv"),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 302, text(made)
    [table] = tables_of(app, place)
    assert shares_of(app, table.id) == {
        place.units["A01"]: Decimal("600.25"),
        place.units["A02"]: Decimal("399.75"),
    }


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"unit,thousandths\nA01,500\nZ99,500\n", "t.csv", 'row 3, column "unit"'),
        (b"unit,thousandths\nA01,500\nA01,500\n", "t.csv", "was already given on row 2"),
        (b"unit,share\nA01,1000\n", "t.csv", 'no column "thousandths"'),
        (b"unit,thousandths\nA01,mille\n", "t.csv", "expected a number such as 12.345"),
        (b"unit,thousandths\nA01,1000\n", "t.txt", "Upload a .csv or .xlsx file."),
        (b"not a workbook", "t.xlsx", "not an Excel .xlsx workbook"),
        (b"", "t.csv", "the file is empty"),
        ("unità,millesimi\n".encode("latin-1") + b"\xe0\n", "t.csv", "not UTF-8"),
        (b"unit,thousandths\n" + b"A01,1\n" * (MAX_UPLOAD_BYTES // 6 + 1), "t.csv", "larger than"),
    ],
    ids=["unknown-unit", "unit-twice", "no-column", "bad-number", "txt", "fake-xlsx", "empty",
         "latin-1", "too-large"],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_problem_and_nothing_is_written(
    admin, app, place, content, name, expected
):
    before = audit_count(app)
    token = csrf_token(admin, new_table_url(place))
    refused = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Generale",
            "kind": "general",
            "file": upload(content, name),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert expected in text(refused), text(refused)[-3000:]
    assert tables_of(app, place) == [] and audit_count(app) == before


def test_the_grid_and_a_file_together_are_refused(admin, app, place):
    token = csrf_token(admin, new_table_url(place))
    refused = admin.post(
        new_table_url(place),
        data={
            "csrf_token": token,
            "code": "GEN",
            "name": "Generale",
            "kind": "general",
            **grid(place, A01="1000"),
            "file": upload(b"unit,thousandths\nA01,1000\n", "t.csv"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "not both" in text(refused)
    assert tables_of(app, place) == []


def test_a_revision_starts_from_the_shares_and_an_approved_budget_keeps_its_split(
    admin, app, place
):
    table_id = define_table(app, place, A01="500", A02="250.125", A03="249.875")
    url = f"/accounting/share-tables/{table_id}/revise"
    form = text(admin.get(url))
    assert f'name="share-{place.units["A02"]}" value="250.125"' in form
    token = csrf_token(admin, url)
    refused = admin.post(url, data={"csrf_token": token, **grid(place, A01="500", A02="400")})
    assert refused.status_code == 400 and "900 thousandths" in text(refused)
    assert shares_of(app, table_id)[place.units["A01"]] == Decimal("500")

    wb = xlsx([["unit", "thousandths"], ["A01", 333.333], ["A02", 333.333], ["A03", 333.334]])
    revised = admin.post(
        url,
        data={"csrf_token": token, "file": upload(wb, "revisione.xlsx")},
        content_type="multipart/form-data",
    )
    assert revised.status_code == 302, text(revised)
    assert shares_of(app, table_id) == {
        place.units["A01"]: Decimal("333.333"),
        place.units["A02"]: Decimal("333.333"),
        place.units["A03"]: Decimal("333.334"),
    }
    again = admin.post(url, data={"csrf_token": token, **grid(place, A01="1000")})
    assert again.status_code == 302
    assert shares_of(app, table_id) == {place.units["A01"]: Decimal("1000")}


# --- budgets ---------------------------------------------------------------------------------


def test_a_budget_is_drafted_from_the_file_the_command_line_takes(admin, app, place):
    define_table(app, place, A01="600", A02="400")
    content = xlsx(
        [
            ["category", "name", "amount", "table"],
            ["CLEANING", "Pulizia", 1000, "GEN"],
            ["LIFT", "Ascensore", "250,50", "GEN"],
        ]
    )
    token = csrf_token(admin, new_budget_url(place))
    made = admin.post(
        new_budget_url(place),
        data={
            "csrf_token": token,
            "year": "2027",
            "due-0": "2027-03-31",
            "file": upload(content, "preventivo.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 302, text(made)
    with Session(engine_of(app)) as session:
        [budget] = session.scalars(select(Budget).where(Budget.building_id == place.building_id))
        assert budget.status is BudgetStatus.DRAFT and budget.year == 2027
        assert {line.category: line.amount_cents for line in budget.lines} == {
            "CLEANING": 100000,
            "LIFT": 25050,
        }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"lines-0-amount": "dieci"}, "Write a number such as 1.234,56."),
        ({"lines-0-amount": "13.000"}, "Ambiguous"),
        ({"lines-0-table": ""}, "Choose the share table that splits it."),
        ({"lines-0-category": "due parole"}, "Letters, digits"),
        ({"lines-1-category": "cleaning", "lines-1-name": "Di nuovo", "lines-1-amount": "5",
          "lines-1-table": "GEN"}, "category CLEANING appears twice"),
        ({"due-0": "", "due-1": ""}, "Give the due date of at least one installment."),
        ({"due-0": "2026-06-30", "due-1": "2026-01-31"}, "must be in order"),
        ({"year": "1999"}, "1999"),
        ({"file": (b"category,name,amount,table\nX,Y,1,NOPE\n", "b.csv"),
          "lines-0-category": "", "lines-0-name": "", "lines-0-amount": "", "lines-0-table": ""},
         'column "table": expected a share table of building'),
        ({"file": (b"category,name,amount,table\nX,Y,1,GEN\n", "b.csv")},
         "Fill in the lines or upload a file, not both."),
    ],
    ids=["amount", "ambiguous", "no-table", "category", "twice", "no-dates", "dates-order",
         "year", "file-row", "file-and-lines"],
)  # fmt: skip
def test_a_refused_budget_says_why_and_writes_nothing(admin, app, place, data, expected):
    define_table(app, place, A01="1000")
    before = audit_count(app)
    token = csrf_token(admin, new_budget_url(place))
    form = {
        "csrf_token": token,
        "year": "2026",
        "lines-0-category": "CLEANING",
        "lines-0-name": "Pulizia",
        "lines-0-amount": "100",
        "lines-0-table": "GEN",
        "due-0": "2026-01-31",
        "due-1": "2026-06-30",
        **data,
    }
    if "file" in form:
        form["file"] = upload(*form["file"])  # a fresh stream for each database
    refused = admin.post(new_budget_url(place), data=form, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert expected in text(refused)
    assert budgets_of(app, place) == [] and audit_count(app) == before


def test_a_second_budget_for_a_year_is_refused_next_to_the_year(admin, app, place):
    define_table(app, place, A01="1000")
    token = csrf_token(admin, new_budget_url(place))
    form = {
        "csrf_token": token,
        "year": "2026",
        "lines-0-category": "CLEANING",
        "lines-0-name": "Pulizia",
        "lines-0-amount": "100",
        "lines-0-table": "GEN",
        "due-0": "2026-01-31",
    }
    assert admin.post(new_budget_url(place), data=form).status_code == 302
    again = admin.post(new_budget_url(place), data=form)
    assert again.status_code == 400 and "already has a budget for 2026" in text(again)
    assert len(budgets_of(app, place)) == 1


# --- who may ---------------------------------------------------------------------------------


def test_an_operator_sees_the_tables_and_budgets_but_changes_nothing(client, app, site, place):
    table_id = define_table(app, place, A01="1000")
    login(client, site.a.users[Role.OPERATOR])
    in_english(client)
    assert client.get(f"/accounting/buildings/{place.building_id}").status_code == 200
    page = text(client.get(f"/accounting/buildings/{place.building_id}"))
    assert new_table_url(place) not in page
    token = csrf_token(client, f"/accounting/buildings/{place.building_id}")
    for url in (
        new_table_url(place),
        new_budget_url(place),
        f"/accounting/share-tables/{table_id}/revise",
    ):
        assert client.get(url).status_code == 403
        refused = client.post(
            url, data={"csrf_token": token, "code": "X", **grid(place, A01="1000")}
        )
        assert refused.status_code == 403
    assert len(tables_of(app, place)) == 1 and budgets_of(app, place) == []


def test_another_agency_gets_404_and_writes_nothing(client, app, site, place):
    table_id = define_table(app, place, A01="1000")
    login(client, site.b.users[Role.ADMIN])
    in_english(client)
    token = csrf_token(client, "/accounting/budgets")
    for url in (
        f"/accounting/buildings/{place.building_id}",
        new_table_url(place),
        new_budget_url(place),
        f"/accounting/share-tables/{table_id}/revise",
    ):
        assert client.get(url).status_code == 404, url
    made = client.post(
        new_table_url(place),
        data={"csrf_token": token, "code": "B", "name": "B", "kind": "general",
              **grid(place, A01="1000")},
    )  # fmt: skip
    assert made.status_code == 404
    revised = client.post(
        f"/accounting/share-tables/{table_id}/revise",
        data={"csrf_token": token, **grid(place, A02="1000")},
    )
    assert revised.status_code == 404
    assert len(tables_of(app, place)) == 1
    assert shares_of(app, table_id) == {place.units["A01"]: Decimal("1000")}


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(admin, app, place):
    refused = admin.post(
        new_table_url(place),
        data={"code": "GEN", "name": "Generale", "kind": "general", **grid(place, A01="1000")},
    )
    assert refused.status_code == 400
    assert tables_of(app, place) == []


def test_the_forms_speak_italian_by_default(client, app, site, place):
    login(client, site.a.users[Role.ADMIN])
    page = text(client.get(new_table_url(place)))
    assert '<html lang="it">' in page and "Nuova tabella millesimale" in page
    token = csrf_token(client, new_table_url(place))
    refused = client.post(
        new_table_url(place),
        data={"csrf_token": token, "code": "GEN", "name": "G", "kind": "general",
              **grid(place, A01="mille")},
    )  # fmt: skip
    assert refused.status_code == 400 and "Scrivi un numero come 12,345." in text(refused)


def test_an_upload_past_the_size_limit_gets_a_friendly_page(app, client, site):
    login(client, site.a.users[Role.ADMIN])
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/registry/buildings", data=big, content_type="text/csv")
    assert response.status_code == 413
    assert "troppo grande" in response.get_data(as_text=True)
