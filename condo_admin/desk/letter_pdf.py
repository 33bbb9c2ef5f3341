"""Drawing one reminder letter as a PDF (ReportLab), in the household's language.

The wording of each stage comes from a template (:mod:`condo_admin.desk.templates`); the layout,
the table of what is due and the payment box are drawn here so that every letter, whatever its
wording, carries the amounts, the IBAN and the RF reference in the same place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from condo_admin import formatting

#: Fixed words of the layout, by letter language (the wording of each stage is a template).
LABELS: dict[str, dict[str, str]] = {
    "it": {
        "due": "Scadenza",
        "what": "Descrizione",
        "amount": "Importo dovuto",
        "total": "Totale scaduto",
        "plan": "Piano di rientro %(plan)s: rata %(seq)s",
        "how": "Come pagare",
        "beneficiary": "Beneficiario",
        "iban": "IBAN",
        "reference": "Riferimento (causale)",
        "to_pay": "Importo",
        "desk": "Sportello di consulenza abitativa",
        "hours": "Orari",
        "unit": "Alloggio",
    },
    "en": {
        "due": "Due date",
        "what": "Description",
        "amount": "Amount due",
        "total": "Total overdue",
        "plan": "Repayment plan %(plan)s: installment %(seq)s",
        "how": "How to pay",
        "beneficiary": "Beneficiary",
        "iban": "IBAN",
        "reference": "Reference (payment reason)",
        "to_pay": "Amount",
        "desk": "Housing advice desk",
        "hours": "Opening hours",
        "unit": "Unit",
    },
}

_LOCALES = {"it": "it_IT", "en": "en_GB"}


@dataclass(frozen=True)
class DueLine:
    due_date: date
    description: str
    amount: Decimal


@dataclass(frozen=True)
class LetterContent:
    language: str
    subject: str
    opening: list[str]
    closing: list[str]
    sender: str
    sender_lines: list[str]
    addressee: list[str]
    place_and_date: str
    lines: list[DueLine]
    total: Decimal
    beneficiary: str
    iban: str
    reference: str
    contact: list[str]
    title: str


def locale_of(language: str) -> str:
    return _LOCALES.get(language, "it_IT")


def grouped(code: str) -> str:
    """IBANs and RF references are read in groups of four."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def render(content: LetterContent) -> bytes:
    words = LABELS[content.language]
    locale = locale_of(content.language)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    subject = ParagraphStyle("subject", parent=body, fontName="Helvetica-Bold", spaceBefore=6)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=content.title,
        author=content.sender,
        lang=content.language,
    )

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list = [
        Paragraph(f"<b>{escape(content.sender)}</b>", body),
        para("\n".join(content.sender_lines), small),
        Spacer(1, 10 * mm),
    ]
    address = Table([[None, para("\n".join(content.addressee))]], colWidths=[90 * mm, 76 * mm])
    story += [address, Spacer(1, 8 * mm), para(content.place_and_date), Spacer(1, 4 * mm)]
    story += [para(content.subject, subject), Spacer(1, 3 * mm)]
    story += [para(text) for text in content.opening]
    story.append(Spacer(1, 4 * mm))

    rows: list[list[object]] = [[words["due"], words["what"], words["amount"]]]
    for line in content.lines:
        rows.append(
            [
                formatting.day(line.due_date, locale, "medium"),
                para(line.description, small),
                formatting.money(line.amount, locale),
            ]
        )
    rows.append(["", words["total"], formatting.money(content.total, locale)])
    table = Table(rows, colWidths=[28 * mm, 100 * mm, 38 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]

    pay = Table(
        [
            [words["how"], ""],
            [words["beneficiary"], content.beneficiary],
            [words["iban"], grouped(content.iban)],
            [words["reference"], grouped(content.reference)],
            [words["to_pay"], formatting.money(content.total, locale)],
        ],
        colWidths=[55 * mm, 111 * mm],
    )
    pay.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (1, 2), (1, 3), "Courier-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ]
        )
    )
    # The payment box and the closing stay together on one page.
    story.append(
        KeepTogether(
            [
                pay,
                Spacer(1, 6 * mm),
                *[para(text) for text in content.closing],
                Spacer(1, 6 * mm),
                para("\n".join(content.contact), small),
            ]
        )
    )
    doc.build(story)
    return buffer.getvalue()
