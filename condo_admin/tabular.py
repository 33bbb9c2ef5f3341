"""Tables read from ``.csv`` and ``.xlsx`` files, for the commands (and later imports) taking one.

Administrators keep share tables, budgets and rents in spreadsheets, often Italian ones: CSV saved
with ``;`` and decimal commas, or workbooks whose cells hold numbers, dates or text. This module
turns either into rows of text keyed by column name, with the row number a spreadsheet shows, so
every refusal can name the file, the row and the column. It only reads: callers check every row
before they write anything.

Numbers are parsed with :func:`parse_decimal` into ``Decimal``, never ``float``; a number stored in
a workbook (an IEEE double) is taken at its shortest exact text, so ``333.333`` stays ``333.333``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.errors import N_, CondoError, Phrase

SUFFIXES = (".csv", ".xlsx")

#: ``1234``, ``1234.56``, ``1234,56``: a point or a comma, when alone, is the decimal mark.
_PLAIN = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
#: Italian grouping: ``1.234``, ``1.234.567``, ``1.234,56``.
_ITALIAN = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")
#: English grouping with a decimal point: ``1,234.56``.
_ENGLISH = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ITALIAN_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_SHOWN_MAX = 40


class TableError(CondoError):
    """A file given to a command cannot be used; the message says where and why."""

    message_id = "tabular.error"
    template = N_("The file cannot be read.")


class UnreadableTable(TableError):
    message_id = "tabular.unreadable"
    template = N_("%(file)s: %(problem)s.")


class MissingColumns(TableError):
    message_id = "tabular.missing_columns"
    template = N_("%(file)s: the header row has no column %(missing)s (it has %(found)s).")


class BadCell(TableError):
    message_id = "tabular.bad_cell"
    template = N_(
        '%(file)s, row %(row)s, column "%(column)s": expected %(expected)s, found %(found)s.'
    )


class RepeatedValue(TableError):
    message_id = "tabular.repeated_value"
    template = N_(
        '%(file)s, row %(row)s, column "%(column)s": %(value)s was already given on row %(first)s.'
    )


class RowRefused(TableError):
    """An operation refused one row; ``problem`` is that operation's own message."""

    message_id = "tabular.row_refused"
    template = N_("%(file)s, row %(row)s: %(problem)s")


def shown(value: str) -> str:
    """A cell as quoted in a message: in double quotes, shortened, or "an empty cell"."""
    if not value:
        return N_("an empty cell")
    if len(value) > _SHOWN_MAX:
        value = value[: _SHOWN_MAX - 1] + "…"
    return f'"{value}"'


#: One group of exactly three digits after a lone separator: ``13.000``, ``1,500``.
_THOUSANDS = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")


def parse_decimal(text: str) -> Decimal | None:
    """``text`` as an exact ``Decimal``, or ``None`` when it is not a number.

    Accepts ``1234.56``, ``1234,56``, Italian ``1.234,56`` and ``1.234.567`` and English
    ``1,234.56``, with an optional sign and euro sign. A lone ``.`` or ``,`` is always the decimal
    mark (``12.345`` is twelve thousandths and a bit, as share tables are written); anything else
    ambiguous (``1,234,567``, exponents, non-ASCII digits) is refused rather than guessed.
    """
    sign = "-" if str(text).strip().strip("€").strip()[:1] == "-" else ""
    value = _bare(text)
    if _PLAIN.fullmatch(value):
        normal = value.replace(",", ".")
    elif _ITALIAN.fullmatch(value):
        normal = value.replace(".", "").replace(",", ".")
    elif _ENGLISH.fullmatch(value):
        normal = value.replace(",", "")
    else:
        return None
    return Decimal(sign + normal)


class NotANumber(ValueError):
    """What a number should have looked like: the ``expected ...`` part of a message."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def parse_number(text: str, *, example: str, places: int, positive: bool = False) -> Decimal:
    """``text`` as a ``Decimal`` with at most ``places`` decimals, not negative (nor zero when
    ``positive``); otherwise :class:`NotANumber` says what was expected.

    For money (``places`` below 3) ``13.000`` and ``13,000`` are refused as ambiguous: an Italian
    means thirteen thousand, and reading thirteen would charge a thousandth of the amount.
    """
    number = parse_decimal(text)
    if number is None:
        raise NotANumber(Phrase(N_("a number such as %(example)s"), example=example))
    if places < 3 and _THOUSANDS.fullmatch(_bare(text)):
        whole = _bare(text).replace(".", "").replace(",", "")
        raise NotANumber(
            Phrase(
                N_(
                    "an unambiguous amount (%(whole)s or %(thousands)s,00 for thousands, "
                    "at most %(places)s decimals otherwise)"
                ),
                whole=whole,
                thousands=f"{whole[:-3]}.{whole[-3:]}",
                places=places,
            )
        )
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        raise NotANumber(
            Phrase(
                N_("a number with at most %(places)s decimals, such as %(example)s"),
                places=places,
                example=example,
            )
        )
    if number < 0 or (positive and number == 0):
        raise NotANumber(N_("a number above zero") if positive else N_("a number not below zero"))
    return number


def _bare(text: str) -> str:
    """``text`` without spaces, euro sign and sign: what the number patterns look at."""
    value = str(text).strip().strip("€").strip()
    return value[1:].strip() if value[:1] in ("+", "-") else value


def parse_date(text: str) -> date | None:
    """``2025-01-31`` or ``31/01/2025`` as a date, or ``None``."""
    value = str(text).strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _ITALIAN_DATE.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Row:
    """One data row: its cells as stripped text by column name, and where it was read."""

    file: str
    #: The row number a spreadsheet program shows (the header is row 1 when it is the first row).
    number: int
    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def bad(self, column: str, expected: str) -> BadCell:
        """The error for this row's ``column``: what was expected and what the cell holds."""
        return BadCell(
            file=self.file,
            row=self.number,
            column=column,
            expected=expected,
            found=shown(self[column]),
        )

    def refused(self, error: CondoError) -> RowRefused:
        """An operation's refusal of this row, prefixed with the file and the row."""
        return RowRefused(file=self.file, row=self.number, problem=error.phrase)

    def text(self, column: str) -> str:
        value = self[column]
        if not value:
            raise self.bad(column, N_("a value"))
        return value

    def decimal(
        self,
        column: str,
        *,
        example: str,
        places: int,
        positive: bool = False,
    ) -> Decimal:
        """The cell as a ``Decimal`` (see :func:`parse_number`).

        Checking here rather than in the operation means the message names the row and the
        column instead of only the value.
        """
        try:
            return parse_number(self[column], example=example, places=places, positive=positive)
        except NotANumber as exc:
            raise self.bad(column, exc.expected) from None

    def day(self, column: str) -> date:
        value = parse_date(self[column])
        if value is None:
            raise self.bad(column, N_("a date such as 2025-01-31 or 31/01/2025"))
        return value


def read_table(path: Path | str, required: Sequence[str], *, name: str | None = None) -> list[Row]:
    """The data rows of a ``.csv`` or ``.xlsx`` file that has at least the ``required`` columns.

    Column names are matched without regard to case or surrounding spaces; other columns are
    ignored (a spreadsheet may carry notes). Empty rows are skipped but keep their number, so row
    numbers match what the user sees. ``name`` is how messages call the file (default: its name).
    """
    path = Path(path)
    label = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path, label)
    elif suffix == ".xlsx":
        records = _xlsx_records(path, label)
    else:
        raise UnreadableTable(file=label, problem=N_("expected a .csv or .xlsx file"))
    return _rows(label, records, [c.lower() for c in required])


def _rows(label: str, records: Iterable[tuple[int, list[str]]], required: list[str]) -> list[Row]:
    header: list[str] | None = None
    rows: list[Row] = []
    for number, cells in records:
        if not any(cells):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            named = [c for c in header if c]
            for column in named:
                if named.count(column) > 1:
                    raise UnreadableTable(
                        file=label,
                        problem=Phrase(
                            N_('column "%(column)s" appears twice in the header row'), column=column
                        ),
                    )
            missing = [c for c in required if c not in named]
            if missing:
                raise MissingColumns(
                    file=label,
                    missing=", ".join(f'"{c}"' for c in missing),
                    found=", ".join(f'"{c}"' for c in named) or N_("no names"),
                )
            continue
        values = {c: cells[i] if i < len(cells) else "" for i, c in enumerate(header) if c}
        rows.append(Row(label, number, values))
    if header is None:
        raise UnreadableTable(file=label, problem=N_("the file is empty: expected a header row"))
    if not rows:
        raise UnreadableTable(file=label, problem=N_("there are no rows under the header row"))
    return rows


def _csv_records(path: Path, label: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableTable(
            file=label, problem=N_('it is not UTF-8 text (in Excel save it as "CSV UTF-8")')
        ) from None
    except OSError as exc:
        raise UnreadableTable(file=label, problem=_os_problem(exc)) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    # csv.Sniffer is easily fooled by decimal commas in the data; the header row is not.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise UnreadableTable(
            file=label, problem=Phrase(N_("not valid CSV (%(problem)s)"), problem=str(exc))
        ) from None


def _xlsx_records(path: Path, label: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError):
        raise UnreadableTable(file=label, problem=N_("not an Excel .xlsx workbook")) from None
    except OSError as exc:
        raise UnreadableTable(file=label, problem=_os_problem(exc)) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell_text(value) for value in cells]
    finally:
        workbook.close()


def _os_problem(exc: OSError) -> str:
    return Phrase(N_("cannot be read (%(problem)s)"), problem=(exc.strerror or str(exc)).lower())


def _cell_text(value: Any) -> str:
    """A workbook cell as text. A float becomes its shortest exact decimal text (``repr``), which
    is what the spreadsheet shows, so it is never used as a float."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
