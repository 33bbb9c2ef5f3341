"""The SEPA credit-transfer QR code (EPC069-12) a banking app scans to fill in a payment.

Drawn with segno as inline SVG, so it shows without JavaScript and without an image request; the
beneficiary, IBAN, amount and the household's RF reference are exactly those printed beside it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup
from segno import helpers

#: The EPC code's limits: a name of at most 70 characters, an amount from 0.01 to 999,999,999.99.
_MAX_NAME = 70
_MAX_AMOUNT = Decimal("999999999.99")


@lru_cache(maxsize=4096)
def epc_svg(name: str, iban: str, amount: Decimal, reference: str, title: str) -> Markup | None:
    """The QR code as an ``<svg>`` element, or None when there is nothing a bank could pay.

    Encoding one takes about 5 ms, more than the rest of the home page; a household's amount
    changes a few times a month, so the codes drawn recently are kept (about 2.5 kB each).
    """
    if not iban or not (Decimal("0.01") <= amount <= _MAX_AMOUNT):
        return None
    code = helpers.make_epc_qr(
        name=name[:_MAX_NAME], iban=iban.replace(" ", ""), amount=amount, reference=reference
    )
    # segno writes the SVG from the code's modules alone; the one text in it, the title, is
    # escaped here first, so the element is safe to put in the page as it is.
    svg = code.svg_inline(scale=4, title=str(Markup.escape(title)), svgclass="epc-qr")
    return Markup(svg)  # noqa: S704
