"""Helpers of the portal's tests: a resident's session on the committed site."""

from __future__ import annotations

from flask.testing import FlaskClient

from condo_admin.auth.models import Role
from tests.web.site import Site, login


def resident(client: FlaskClient, site: Site, agency: str = "a") -> FlaskClient:
    """The client logged in as the resident of agency ``agency`` (the Rossi household)."""
    response = login(client, getattr(site, agency).users[Role.RESIDENT])
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
