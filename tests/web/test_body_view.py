"""A housing body sees its own units and their arrears, and nothing else."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from condo_admin.accounting import aging, bodies
from condo_admin.auth.models import Role
from condo_admin.auth.operations import find_user
from tests.web.site import login


def test_a_housing_body_lands_on_its_units_with_their_arrears(client, site):
    response = login(client, site.a.users[Role.HOUSING_BODY])
    assert response.headers["Location"] == "/body/"
    page = client.get("/body/").get_data(as_text=True)
    assert "Dovuto sui vostri alloggi" in page and "300,00" in page  # Rossi owes 2 x 150.00
    assert page.count("<tr>") == 1 + 2  # header and the two flats of agency A's building


def test_its_totals_are_the_aging_of_its_units(app, site):
    today = datetime.now(UTC).date()
    with Session(app.extensions["condo"].engine) as session:
        body = find_user(session, site.a.users[Role.HOUSING_BODY]).housing_body
        lines = bodies.body_units(session, body, today)
        report = aging.aging_report(session, today, by=aging.GroupBy.BODY)
        (row,) = [r for r in report.rows if r.key == body.code]
        assert sum(x.owed + x.credit for x in lines) == row.total


def test_the_sums_on_screen_are_those_of_every_unit_line(app, site):
    today = datetime.now(UTC).date()
    with Session(app.extensions["condo"].engine) as session:
        body = find_user(session, site.a.users[Role.HOUSING_BODY]).housing_body
        lines = bodies.body_units(session, body, today)
        totals = bodies.body_totals(session, body, bodies.arrears_by_unit(session, body, today))
        assert totals.units == len(lines)
        assert totals.owed == sum(x.owed for x in lines) > 0
        assert totals.overdue == sum(x.overdue for x in lines)
        assert totals.credit == sum(x.credit for x in lines)
        assert totals.in_arrears == sum(1 for x in lines if x.owed > 0)
        assert [owed for _, owed in totals.largest] == sorted(
            (x.owed for x in lines if x.owed > 0), reverse=True
        )


def test_the_units_download_as_xlsx_and_csv(client, site):
    login(client, site.a.users[Role.HOUSING_BODY])
    xlsx = client.get("/body/?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "building" and sheet.freeze_panes == "A2"
    csv = client.get("/body/?format=csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("building,unit,status")


def test_a_housing_body_cannot_open_the_agency_screens(client, site):
    login(client, site.a.users[Role.HOUSING_BODY])
    for path in ("/dashboard", "/reports/aging", "/users", "/audit"):
        assert client.get(path).status_code == 403, path


def test_staff_and_residents_do_not_get_the_body_view(client, site):
    for role in (Role.ADMIN, Role.OPERATOR, Role.RESIDENT):
        c = client.application.test_client()
        login(c, site.a.users[role])
        assert c.get("/body/").status_code == 403
