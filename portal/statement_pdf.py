"""A household's statement towards one creditor as an A4 PDF (ReportLab), in the reader's language.

The words come in already translated (:class:`StatementContent`, filled by the view in the page's
language); money and dates are written here for the given locale, so the PDF says what the page
says. The layout follows the reminder letters (``condo_admin.desk.letter_pdf``): Helvetica, a
header with the household and the creditor, the period's balances, then the lines with their
running balance under a header row repeated on every page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from condo_admin import formatting


@dataclass(frozen=True)
class PdfLine:
    entry_date: date
    description: str
    charged: Decimal | None
    credited: Decimal | None
    balance: Decimal


@dataclass(frozen=True)
class StatementContent:
    language: str  # "it" or "en": the document's language
    locale: str  # Babel's locale for money and dates, e.g. it_IT
    title: str  # "Statement" in the language
    household: list[str]  # the household's name and code, the unit...
    creditor: str
    period: str  # "From ... to ..."
    summary: list[tuple[str, Decimal]]  # (label, amount): opening, charged, credited, closing
    headers: tuple[str, str, str, str, str]  # date, description, charged, credited, balance
    lines: list[PdfLine]
    empty: str  # said when the period has no line
    footer: str  # printed on, and what a balance's sign means
    page: str  # "Page", before each page's number


def render(content: StatementContent) -> bytes:
    locale = content.locale
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{content.title} – {content.creditor}",
        author=content.creditor,
        lang=content.language,
    )

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def money(amount: Decimal | None) -> str:
        return "" if amount is None else formatting.money(amount, locale)

    story: list = [
        para(content.title, title),
        Spacer(1, 3 * mm),
        Paragraph(f"<b>{escape(content.creditor)}</b>", body),
        para("\n".join(content.household)),
        para(content.period),
        Spacer(1, 5 * mm),
    ]
    summary = Table(
        [[label, money(amount)] for label, amount in content.summary],
        colWidths=[120 * mm, 40 * mm],
    )
    summary.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story += [summary, Spacer(1, 6 * mm)]

    heading = ParagraphStyle("heading", parent=small, fontName="Helvetica-Bold")
    figure = ParagraphStyle("figure", parent=heading, alignment=TA_RIGHT)
    rows: list[list[object]] = [
        [para(text, heading if index < 2 else figure) for index, text in enumerate(content.headers)]
    ]
    for line in content.lines:
        rows.append(
            [
                formatting.day(line.entry_date, locale, "medium"),
                para(line.description, small),
                money(line.charged),
                money(line.credited),
                money(line.balance),
            ]
        )
    if not content.lines:
        rows.append(["", para(content.empty, small), "", "", ""])
    table = Table(rows, colWidths=[24 * mm, 70 * mm, 22 * mm, 22 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), para(content.footer, small)]

    def number(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(
            A4[0] - 18 * mm,
            10 * mm,
            f"{content.title} · {content.creditor} · {content.page} {document.page}",
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=number, onLaterPages=number)
    return buffer.getvalue()
