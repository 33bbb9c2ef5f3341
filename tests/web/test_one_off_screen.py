"""One-off charges (extraordinary works) posted from the browser, as ``condo charges one-off``."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.auth.models import Role
from condo_admin.registry.models import Occupancy
from ledger.models import JournalEntry
from tests.web.helpers import engine_of
from tests.web.site import csrf_token, login
from tests.web.test_budget_screens import (
    Place,
    define_table,
    in_english,
    make_place,
    text,
    upload,
)

pytestmark = pytest.mark.filterwarnings("error:Passing SelectField choices:DeprecationWarning")


@pytest.fixture
def place(app: Flask, site) -> Place:  # type: ignore[no-untyped-def]
    return make_place(app, site.a.code)


@pytest.fixture
def admin(client, site):  # type: ignore[no-untyped-def]
    assert login(client, site.a.users[Role.ADMIN]).status_code == 302
    return in_english(client)


def url(place: Place) -> str:
    return f"/charges/one-off/{place.building_id}"


def entries(app: Flask, place: Place) -> int:
    with Session(engine_of(app)) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.book_id == place.book_id)
            )
            or 0
        )


def debtor_of(app: Flask, place: Place, code: str) -> int:
    with Session(engine_of(app)) as session:
        return session.scalar(
            select(DebtorAccount.id)
            .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
            .where(
                DebtorAccount.book_id == place.book_id,
                Occupancy.unit_id == place.units[code],
            )
        )


def form(token: str, **fields: object) -> dict[str, object]:
    return {
        "csrf_token": token,
        "due": "2026-03-01",
        "memo": "Rifacimento tetto",
        "category": "works",
        "split": "table",
        "table": "GEN",
        "amount": "1.000,00",
        **fields,
    }


def test_the_charges_page_and_the_building_lead_to_the_one_off_charge(admin, place):
    assert url(place) in text(admin.get("/charges"))
    assert url(place) in text(admin.get(f"/accounting/buildings/{place.building_id}"))
    page = text(admin.get(url(place)))
    assert 'name="amount-' in page and 'value="table"' in page


def test_a_charge_split_by_a_table_reaches_the_ledger_once(admin, app, place):
    define_table(app, place, A01="500", A02="300", A03="200")
    token = csrf_token(admin, url(place))
    posted = admin.post(url(place), data=form(token))
    assert posted.status_code == 302, text(posted)
    assert posted.location.endswith(f"/accounting/buildings/{place.building_id}")
    page = text(admin.get(posted.location))
    assert "One-off charge Rifacimento tetto: 2 entries, €800.00 charged." in page
    assert "/A03: vacant on 2026-03-01" in page  # its 200.00 falls on nobody
    assert entries(app, place) == 2
    statement = text(admin.get(f"/statements/{debtor_of(app, place, 'A01')}"))
    assert "/A01" in statement and "Rifacimento tetto — " in statement and "€500.00" in statement

    again = admin.post(url(place), data=form(token))
    assert again.status_code == 302
    assert "already been posted: nothing new" in text(admin.get(again.location))
    assert entries(app, place) == 2

    changed = admin.post(url(place), data=form(token, amount="1.200,00"))
    assert changed.status_code == 400
    assert "was already posted with other units or amounts" in text(changed)
    assert entries(app, place) == 2
    named = admin.post(url(place), data=form(token, amount="1.200,00", key="ODL-2026-07"))
    assert named.status_code == 302
    assert entries(app, place) == 4


def test_a_charge_given_unit_by_unit_in_the_grid_or_a_file(admin, app, place):
    token = csrf_token(admin, url(place))
    grid = {f"amount-{place.units['A01']}": "120,50"}
    posted = admin.post(
        url(place), data=form(token, split="units", table="", amount="", memo="Vetro", **grid)
    )
    assert posted.status_code == 302, text(posted)
    assert entries(app, place) == 1
    assert "€120.50" in text(admin.get(f"/statements/{debtor_of(app, place, 'A01')}"))

    content = b"unit;amount\nA01;10\nA02;20,25\n"
    filed = admin.post(
        url(place),
        data=form(
            token,
            split="units",
            table="",
            amount="",
            memo="Cancello",
            file=upload(content, "c.csv"),
        ),
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302, text(filed)
    assert entries(app, place) == 3
    assert "€20.25" in text(admin.get(f"/statements/{debtor_of(app, place, 'A02')}"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"table": ""}, "Choose the share table that splits the charge."),
        ({"amount": ""}, "Write a number such as 1.234,56."),
        ({"amount": "0"}, "Must be above zero."),
        ({"amount-A01": "5"}, "Splitting by a table takes only the total"),
        ({"split": "units"}, "Give the amount of at least one unit, or upload a file."),
        ({"split": "units", "amount-A01": "cinque"}, "Write a number such as 1.234,56."),
        ({"split": "units", "amount-A03": "50"}, "every unit to charge is vacant"),
        ({"split": "units", "file": (b"unit,amount\nZ9,5\n", "c.csv")}, 'row 2, column "unit"'),
        ({"split": "units", "file": (b"unit,amount\nA01,5\n", "c.pdf")}, "Upload a .csv or .xlsx"),
        ({"split": "units", "amount-A01": "5", "file": (b"unit,amount\nA01,5\n", "c.csv")},
         "Fill in the units or upload a file, not both."),
        ({"category": "due parole"}, "expense category"),
        ({"memo": ""}, "This field is required."),
        ({"due": "31/02/2026"}, "Not a valid date value."),
    ],
    ids=["no-table", "no-amount", "zero", "table-and-units", "no-units", "bad-cell", "vacant",
         "bad-file", "pdf", "grid-and-file", "category", "no-memo", "bad-date"],
)  # fmt: skip
def test_a_refused_charge_says_why_and_posts_nothing(admin, app, place, fields, expected):
    define_table(app, place, A01="500", A02="300", A03="200")
    token = csrf_token(admin, url(place))
    data = form(token)
    for name, value in fields.items():
        if name.startswith("amount-"):
            data[f"amount-{place.units[name.removeprefix('amount-')]}"] = value
        elif name == "file":
            data["file"] = upload(*value)  # type: ignore[misc]
        else:
            data[name] = value
    refused = admin.post(url(place), data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert expected in text(refused), text(refused)[-2500:]
    assert entries(app, place) == 0


def test_only_an_admin_of_the_agency_posts_a_charge(client, app, site, place):
    define_table(app, place, A01="1000")
    login(client, site.a.users[Role.OPERATOR])
    token = csrf_token(client, "/account")
    assert client.get(url(place)).status_code == 403
    assert client.post(url(place), data=form(token)).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    login(client, site.b.users[Role.ADMIN])
    token = csrf_token(client, "/charges")
    assert client.get(url(place)).status_code == 404
    assert client.post(url(place), data=form(token)).status_code == 404
    assert entries(app, place) == 0


def test_a_charge_without_its_csrf_token_is_refused(admin, app, place):
    define_table(app, place, A01="1000")
    data = form("")
    del data["csrf_token"]
    assert admin.post(url(place), data=data).status_code == 400
    assert entries(app, place) == 0
