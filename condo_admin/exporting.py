"""Reports as people take them away: an aligned text table, CSV, or a formatted workbook.

A report is built once as a :class:`Table` of typed cells (text, dates, Decimal money) and then
written in any format, so the CLI, the web pages and the API show the same numbers. Money stays
Decimal all the way into the workbook, which stores it as an exact number with a money format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from condo_admin import formatting

Cell = str | int | Decimal | date | None
Format = Literal["table", "csv", "xlsx"]
FORMATS: tuple[str, ...] = ("table", "csv", "xlsx")
_MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
_DATE_FORMAT = "DD/MM/YYYY"


@dataclass
class Chart:
    """A bar chart of some of the table's totals, drawn beside the table in a workbook."""

    title: str
    labels: list[str]
    values: list[Decimal]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    #: A last row set apart (bold in a workbook, under a rule in text).
    footer: list[Cell] | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


def _text(cell: Cell, locale: str | None) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return formatting.amount(cell, locale)
    if isinstance(cell, date):
        return formatting.day(cell, locale)
    if isinstance(cell, int):
        return formatting.number(cell, locale)
    return str(cell)


def as_text(table: Table, locale: str | None = None) -> str:
    """Columns aligned (numbers right), a rule under the headers and above the footer."""
    body = [[_text(c, locale) for c in row] for row in table.rows]
    footer = [_text(c, locale) for c in table.footer] if table.footer else None
    lines_ = [table.headers, *body, *([footer] if footer else [])]
    widths = [max(len(line[i]) for line in lines_) for i in range(len(table.headers))]
    every_row = table.rows + ([table.footer] if table.footer else [])
    numeric = [
        any(isinstance(row[i], Decimal | int) for row in every_row)
        for i in range(len(table.headers))
    ]

    def render(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [table.title, "", render(table.headers), rule, *(render(r) for r in body)]
    if footer:
        out += [rule, render(footer)]
    if table.chart:
        out += ["", *_text_chart(table.chart, locale)]
    out += ["", *table.notes] if table.notes else []
    return "\n".join(out) + "\n"


def _text_chart(chart: Chart, locale: str | None) -> list[str]:
    """Bars of '#' scaled to the largest value: the shape of the numbers at a glance."""
    largest = max((abs(v) for v in chart.values), default=Decimal(0)) or Decimal(1)
    width = max(len(label) for label in chart.labels)
    lines_ = [chart.title]
    for label, value in zip(chart.labels, chart.values, strict=True):
        bar = "#" * int((abs(value) / largest * 40).to_integral_value())
        lines_.append(f"{label.rjust(width)} | {bar} {_text(value, locale)}")
    return lines_


def as_csv(table: Table) -> str:
    """Plain CSV for other programs: ISO dates and amounts with a decimal point."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.headers)
    for row in table.rows + ([table.footer] if table.footer else []):
        writer.writerow(
            ["" if c is None else c.isoformat() if isinstance(c, date) else str(c) for c in row]
        )
    return buffer.getvalue()


def write_xlsx(table: Table, path: Path | io.BytesIO) -> None:
    """A workbook with bold headers, money and date formats, a frozen header row, a chart."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31].replace("/", "-").replace(":", "-")
    sheet.append(table.headers)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in table.rows:
        sheet.append(row)
    if table.footer:
        sheet.append(table.footer)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, Decimal):
                cell.number_format = _MONEY_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = _DATE_FORMAT
    for index, header in enumerate(table.headers, start=1):
        values = [len(_text(r[index - 1], "en_GB")) for r in table.rows[:200]]
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max([len(header), *values]) + 2, 50
        )
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
    if table.chart:
        _xlsx_chart(workbook, table.chart)
    workbook.save(path)


def _xlsx_chart(workbook: Workbook, chart: Chart) -> None:
    sheet = workbook.create_sheet("Chart")
    sheet.append(["", chart.title])
    for label, value in zip(chart.labels, chart.values, strict=True):
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 2).number_format = _MONEY_FORMAT
    bars = BarChart()
    bars.title = chart.title
    bars.legend = None
    count = len(chart.labels)
    bars.add_data(Reference(sheet, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True)
    bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    bars.width, bars.height = 18, 9
    sheet.add_chart(bars, "D2")


def write(table: Table, fmt: str, output: Path | None, locale: str | None = None) -> str | None:
    """Write ``table`` in ``fmt`` to ``output``; without a file, return text (not for xlsx)."""
    if fmt == "xlsx":
        if output is None:
            raise ValueError("an xlsx report needs an output file")
        write_xlsx(table, output)
        return None
    text = as_csv(table) if fmt == "csv" else as_text(table, locale)
    if output is None:
        return text
    output.write_text(text, encoding="utf-8")
    return None
