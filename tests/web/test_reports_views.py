"""The reports on screen and as files: the same table, the agency's own data."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from condo_admin.auth.models import Role
from tests.web.site import login


def test_the_aging_shows_agency_a_and_downloads_the_same_rows(client, site):
    login(client, site.a.users[Role.OPERATOR])
    page = client.get("/reports/aging?as_of=2025-12-31").get_data(as_text=True)
    assert "300,00" in page and "<svg" in page
    csv = client.get("/reports/aging?as_of=2025-12-31&format=csv").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert lines[0].startswith("household,name,status")
    assert len(lines) == 1 + 1 + 1  # header, Rossi, total (agency B's debtor is not there)
    xlsx = client.get("/reports/aging?as_of=2025-12-31&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_early_warning_and_restitution_reports_open(client, site):
    login(client, site.a.users[Role.ADMIN])
    assert client.get("/reports/early-warning?as_of=2025-06-30").status_code == 200
    assert client.get("/reports/restitution?from=2025-01-01&to=2025-12-31").status_code == 200
    assert client.get("/reports/").status_code == 200


def test_an_unknown_format_or_grouping_is_a_bad_request(client, site):
    login(client, site.a.users[Role.OPERATOR])
    assert client.get("/reports/aging?format=pdf").status_code == 400
    assert client.get("/reports/aging?by=planet").status_code == 400
