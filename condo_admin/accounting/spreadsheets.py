"""Share tables, budget lines and one-off charges read from ``.csv`` and ``.xlsx`` files.

The same files are taken by the command line (``condo shares define|revise``, ``condo budget
create``, ``condo charges one-off``) and by the screens' uploads, so both read them here, the same
way: every row is checked against the building (its unit codes, its share tables) before anything
is written, and a refusal names the file, the row and the column (:mod:`condo_admin.tabular`).
Nothing here writes; the caller hands what was read to the operations, in one transaction.

An upload arrives as bytes: :func:`saved_upload` checks its kind and size and gives it a path for
:func:`condo_admin.tabular.read_table`, under the name the user gave it.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.budgets import LineSpec
from condo_admin.accounting.models import ShareTable
from condo_admin.registry import validate as v
from condo_admin.registry.errors import InvalidField
from condo_admin.registry.models import Building, Unit
from condo_admin.tabular import SUFFIXES, RepeatedValue, Row, UnreadableTable, read_table, shown
from ledger.errors import N_, NotFound, Phrase

AMOUNT_EXAMPLE = "1234.56 or 1.234,56"
SHARE_EXAMPLE = "12.345"
SHARE_COLUMNS = ("unit", "thousandths")
BUDGET_COLUMNS = ("category", "name", "amount", "table")
ONE_OFF_COLUMNS = ("unit", "amount")
#: The largest upload taken: a share table or a budget of a large estate is a few tens of KiB.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_NAME_MAX = 80


class BuildingUnits:
    """A building's units by code, for matching the codes typed in a file or an option."""

    def __init__(self, session: Session, building: Building) -> None:
        self.building = building
        self.by_code = {
            u.code: u for u in session.scalars(select(Unit).where(Unit.building_id == building.id))
        }
        folded: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.by_code.values():
            folded[unit.code.casefold()].append(unit)
        # "a01" finds A01 when no other unit differs from it only by case.
        self.by_folded = {code: units[0] for code, units in folded.items() if len(units) == 1}

    def get(self, code: str) -> Unit | None:
        return self.by_code.get(code) or self.by_folded.get(code.casefold())

    def from_option(self, code: str) -> Unit:
        unit = self.get(code)
        if unit is None:
            raise NotFound(
                what="Unit",
                ref=Phrase(
                    N_("%(code)s in building %(building)s"), code=code, building=self.building.code
                ),
            )
        return unit

    def from_rows(
        self, rows: list[Row], column: str, amount: Callable[[Row], Decimal]
    ) -> dict[Unit, Decimal]:
        """``{unit: amount}`` from rows naming each unit once; refused at the first bad row."""
        found: dict[Unit, Decimal] = {}
        first: dict[int, int] = {}
        for row in rows:
            unit = self.get(row[column])
            if unit is None:
                raise row.bad(
                    column,
                    Phrase(N_("a unit code of building %(building)s"), building=self.building.code),
                )
            if unit.id in first:
                raise RepeatedValue(
                    file=row.file,
                    row=row.number,
                    column=column,
                    value=shown(row[column]),
                    first=first[unit.id],
                )
            first[unit.id] = row.number
            found[unit] = amount(row)
        return found


def repeated(row: Row, column: str, first: dict[str, int], value: str) -> None:
    """Refuse ``row`` when ``value`` was already given in ``column``; otherwise remember it."""
    if value in first:
        raise RepeatedValue(
            file=row.file,
            row=row.number,
            column=column,
            value=shown(row[column]),
            first=first[value],
        )
    first[value] = row.number


def read_shares(
    session: Session, building: Building, file: Path, *, name: str | None = None
) -> dict[Unit, Decimal]:
    """Each unit's thousandths from a file with the columns unit and thousandths."""
    rows = read_table(file, SHARE_COLUMNS, name=name)
    return BuildingUnits(session, building).from_rows(
        rows, "unit", lambda row: row.decimal("thousandths", example=SHARE_EXAMPLE, places=4)
    )


def read_budget_lines(
    session: Session, building: Building, file: Path, *, name: str | None = None
) -> list[LineSpec]:
    """A budget's lines from a file with the columns category, name, amount and table (the code
    of one of the building's share tables)."""
    tables = {
        t.code: t
        for t in session.scalars(select(ShareTable).where(ShareTable.building_id == building.id))
    }
    known = ", ".join(sorted(tables)) or N_("none is defined yet")
    specs: list[LineSpec] = []
    first: dict[str, int] = {}
    for row in read_table(file, BUDGET_COLUMNS, name=name):
        category = row.text("category").upper()
        try:
            v.code(category, "expense category")
        except InvalidField:
            raise row.bad(
                "category", N_("a code of letters, digits, '.', '_' or '-', such as CLEANING")
            ) from None
        repeated(row, "category", first, category)
        line_name = row.text("name")
        amount = row.decimal("amount", example=AMOUNT_EXAMPLE, places=2, positive=True)
        table = tables.get(row["table"])
        if table is None:
            raise row.bad(
                "table",
                Phrase(
                    N_("a share table of building %(building)s (%(known)s)"),
                    building=building.code,
                    known=known,
                ),
            )
        specs.append(LineSpec(category, line_name, amount, table))
    return specs


def read_one_off_units(
    session: Session, building: Building, file: Path, *, name: str | None = None
) -> dict[Unit, Decimal]:
    """Each unit's part of a one-off charge from a file with the columns unit and amount."""
    return BuildingUnits(session, building).from_rows(
        read_table(file, ONE_OFF_COLUMNS, name=name),
        "unit",
        lambda row: row.decimal("amount", example=AMOUNT_EXAMPLE, places=2, positive=True),
    )


def one_off_key(category: str, day: date, memo: str) -> str:
    """The default name of a one-off charge: its category, date and a digest of its memo.

    It ignores the amounts on purpose: a corrected repeat of the same charge is refused rather
    than charged twice (reverse the first, or give another key).
    """
    digest = hashlib.sha256(" ".join(memo.split()).encode()).hexdigest()[:10]
    return f"{category.strip().upper()}:{day}:{digest}"


def upload_name(filename: str | None) -> str:
    """How messages call an uploaded file: the last part of the name the browser sent."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip() or "upload"
    return name if len(name) <= _NAME_MAX else name[: _NAME_MAX - 1] + "…"


@contextmanager
def saved_upload(content: bytes, filename: str | None) -> Iterator[tuple[Path, str]]:
    """An uploaded file, checked and saved for :func:`~condo_admin.tabular.read_table`.

    Yields its temporary path (removed afterwards) and the name messages call it by. Refused,
    naming the file, when it is not a ``.csv`` or ``.xlsx``, is empty, is larger than
    :data:`MAX_UPLOAD_BYTES`, or is called ``.xlsx`` without being a workbook. ``content`` may be
    one byte longer than the limit: that is how a caller reading a stream tells it was too long.
    """
    name = upload_name(filename)
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableTable(file=name, problem=N_("expected a .csv or .xlsx file"))
    if not content:
        raise UnreadableTable(file=name, problem=N_("the file is empty: expected a header row"))
    if len(content) > MAX_UPLOAD_BYTES:
        raise UnreadableTable(
            file=name,
            problem=Phrase(N_("larger than %(mib)s MiB"), mib=MAX_UPLOAD_BYTES // (1024 * 1024)),
        )
    if suffix == ".xlsx" and not content.startswith(_XLSX_MAGIC):
        raise UnreadableTable(file=name, problem=N_("not an Excel .xlsx workbook"))
    with tempfile.TemporaryDirectory(prefix="condo-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        yield path, name
