"""The portal's home: what the household owes to whom, in plain words, and how to pay it."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from condo_admin.accounting.references import printable
from condo_admin.extensions import request_session
from portal import positions
from portal.blueprint import bp, household_id, menu_entry, resident, today
from portal.payment_qr import epc_svg

menu_entry(10, "home", _l("Balance"))


@bp.get("/")
@resident
def home() -> str:
    day = today()
    found = positions.positions(request_session(), household_id(), day)
    codes = {
        p.book_id: epc_svg(
            p.creditor,
            p.iban or "",
            p.to_pay,
            p.reference,
            _("Payment QR code for %(creditor)s", creditor=p.creditor),
        )
        for p in found
    }
    return render_template(
        "portal/home.html",
        positions=found,
        codes=codes,
        printable=printable,
        today=day,
    )
