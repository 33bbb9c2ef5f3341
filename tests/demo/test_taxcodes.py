"""Demo tax codes follow the official algorithm and pass python-stdnum, the registry's validator."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.it import codicefiscale

from condo_admin.demo.taxcodes import (
    BELFIORE,
    date_part,
    first_name_part,
    omocode,
    surname_part,
    tax_code,
)

# Codes published as examples (python-stdnum's documentation, the Italian Wikipedia article) or
# already used as valid fixtures in this repository, with the data they encode.
KNOWN = [
    ("Ricci", "Emanuele", date(1983, 11, 18), "M", "D969", "RCCMNL83S18D969H"),
    ("Conte", "Chiara", date(1983, 12, 1), "F", "D969", "CNTCHR83T41D969D"),
    ("Moretti", "Matteo", date(1991, 4, 8), "M", "F205", "MRTMTT91D08F205J"),
    ("Rossi", "Mario", date(1980, 1, 1), "M", "F205", "RSSMRA80A01F205X"),
    ("Bianchi", "Laura", date(1985, 8, 1), "F", "F205", "BNCLRA85M41F205C"),
    ("Verdi", "Giuseppe", date(1970, 3, 15), "M", "F205", "VRDGPP70C15F205N"),
]


@pytest.mark.parametrize(("surname", "first", "born", "sex", "place", "expected"), KNOWN)
def test_known_codes(surname: str, first: str, born: date, sex, place: str, expected: str) -> None:
    assert tax_code(surname, first, born, sex, place) == expected


@pytest.mark.parametrize(
    ("surname", "expected"),
    [
        ("Rossi", "RSS"),  # three consonants
        ("Bianchi", "BNC"),  # only the first three consonants
        ("Rea", "REA"),  # one consonant, then vowels
        ("Fo", "FOX"),  # too short: X fills
        ("Hu", "HUX"),
        ("De Luca", "DLC"),  # spaces are ignored
        ("D'Angelo", "DNG"),  # so are apostrophes
        ("Huamán", "HMN"),  # accents are folded
        ("El Amrani", "LMR"),
    ],
)
def test_surname_part(surname: str, expected: str) -> None:
    assert surname_part(surname) == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Mario", "MRA"),  # two consonants, then a vowel
        ("Giuseppe", "GPP"),  # four consonants G S P P: the 1st, 3rd and 4th
        ("Gianfranco", "GFR"),  # G N F R N C: 1st, 3rd, 4th
        ("Carlo", "CRL"),  # exactly three consonants: all of them
        ("Nicolò", "NCL"),
        ("Li", "LIX"),
        ("Ioana", "NIO"),
    ],
)
def test_first_name_part(first: str, expected: str) -> None:
    assert first_name_part(first) == expected


def test_date_part_adds_forty_to_a_womans_day_and_uses_the_month_letters() -> None:
    assert date_part(date(1985, 8, 1), "F") == "85M41"
    assert date_part(date(2007, 6, 30), "M") == "07H30"
    months = [date_part(date(2000, m, 1), "M")[2] for m in range(1, 13)]
    assert "".join(months) == "ABCDEHLMPRST"


def test_foreign_born_people_carry_the_state_code() -> None:
    code = tax_code("El Amrani", "Fatima", date(1979, 2, 14), "F", "Z330")
    assert code[11:15] == "Z330"
    assert codicefiscale.is_valid(code)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="Belfiore"):
        tax_code("Rossi", "Mario", date(1980, 1, 1), "M", "Milano")
    with pytest.raises(ValueError, match="sex"):
        tax_code("Rossi", "Mario", date(1980, 1, 1), "X", "F205")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="letter"):
        tax_code("'", "Mario", date(1980, 1, 1), "M", "F205")


def test_every_listed_place_is_a_well_formed_code() -> None:
    for code in BELFIORE:
        assert code[0].isalpha() and code[1:].isdigit() and len(code) == 4


@pytest.mark.parametrize("level", range(1, 8))
def test_omocodes_stay_valid_and_keep_the_birth_date(level: int) -> None:
    code = omocode("RSSMRA80A01F205X", level)
    assert code != "RSSMRA80A01F205X"
    assert codicefiscale.is_valid(code)
    assert codicefiscale.get_birth_date(code) == date(1980, 1, 1)


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZàèéìòù' ", min_size=1, max_size=20).filter(
    lambda s: any(ch.isalpha() for ch in s)
)


@given(
    surname=names,
    first=names,
    born=st.dates(min_value=date(1920, 1, 1), max_value=date(2019, 12, 31)),
    sex=st.sampled_from(["M", "F"]),
    place=st.sampled_from(sorted(BELFIORE)),
)
def test_round_trip_through_stdnum(surname: str, first: str, born: date, sex, place) -> None:
    code = tax_code(surname, first, born, sex, place)
    assert len(code) == 16
    assert codicefiscale.is_valid(code)
    assert codicefiscale.get_birth_date(code, minyear=1920) == born
    assert codicefiscale.get_gender(code) == sex
    assert code[:3] == surname_part(surname)
    assert code[3:6] == first_name_part(first)
    assert code[11:15] == place
