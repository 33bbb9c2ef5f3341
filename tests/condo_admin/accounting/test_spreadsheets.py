"""The readers shared by the command line and the screens' uploads."""

from __future__ import annotations

from datetime import date

import pytest

from condo_admin.accounting.spreadsheets import (
    MAX_UPLOAD_BYTES,
    one_off_key,
    saved_upload,
    upload_name,
)
from condo_admin.tabular import UnreadableTable, read_table


def test_an_upload_is_saved_under_its_kind_and_read_under_its_own_name():
    with saved_upload(b"unit;thousandths\nA01;1000\n", "C:\\Users\\anna\\Tabella GEN.CSV") as (
        path,
        name,
    ):
        assert name == "Tabella GEN.CSV" and path.suffix == ".csv"
        [row] = read_table(path, ("unit", "thousandths"), name=name)
        assert row.file == "Tabella GEN.CSV" and row["thousandths"] == "1000"
    assert not path.exists()


@pytest.mark.parametrize(
    ("content", "filename", "problem"),
    [
        (b"unit,thousandths\n", "shares.ods", "expected a .csv or .xlsx file"),
        (b"unit,thousandths\n", None, "expected a .csv or .xlsx file"),
        (b"", "shares.csv", "the file is empty"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "shares.csv", "larger than 2 MiB"),
        (b"unit,thousandths\n", "shares.xlsx", "not an Excel .xlsx workbook"),
    ],
)
def test_an_upload_of_the_wrong_kind_or_size_is_refused_naming_it(content, filename, problem):
    with pytest.raises(UnreadableTable) as refused, saved_upload(content, filename):
        pass
    assert problem in refused.value.message
    assert refused.value.message.startswith(upload_name(filename))


def test_a_long_name_is_shortened_in_messages():
    assert upload_name("a" * 200 + ".csv").endswith("…") and len(upload_name("a" * 200)) == 80
    assert upload_name("") == "upload"


def test_the_default_key_of_a_one_off_charge_ignores_spacing_but_not_the_memo():
    day = date(2026, 3, 1)
    key = one_off_key(" works ", day, "Rifacimento  tetto")
    assert key.startswith("WORKS:2026-03-01:") and key == one_off_key(
        "WORKS", day, "Rifacimento tetto"
    )
    assert key != one_off_key("WORKS", day, "Rifacimento cancello")
