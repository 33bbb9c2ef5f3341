"""Codici fiscali computed the way the Agenzia delle Entrate does (D.M. 23/12/1976).

Demo people need tax codes that pass every check the registry applies (checksum, format, and the
birth date encoded in the code), so we compute them from the person's data instead of inventing
strings. The check character comes from ``python-stdnum`` so that the generator and the validator
used by the registry can never disagree on it.

Not handled, on purpose: the assignment of *omocodie* by the tax office (two people with the same
code get digits replaced by letters). :func:`omocode` builds such a variant, but deciding which
person gets one is the tax office's job; the demo avoids clashes instead.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Literal

from stdnum.it import codicefiscale

Sex = Literal["M", "F"]

#: Birth-place codes (codici Belfiore) used by the demo. Only codes checked against more than one
#: published list are here: a wrong code would still pass the checksum and silently mislead.
BELFIORE: dict[str, str] = {
    # Municipalities of the Milan area, where most demo residents were born.
    "F205": "Milano",
    "I690": "Sesto San Giovanni",
    # Large cities of origin of the internal migration of the 1950s-70s.
    "H501": "Roma",
    "F839": "Napoli",
    "G273": "Palermo",
    "A662": "Bari",
    "C351": "Catania",
    "L219": "Torino",
    "D969": "Genova",
    "A944": "Bologna",
    "D612": "Firenze",
    # Foreign states: a person born abroad carries Z and the state's code.
    "Z100": "Albania",
    "Z114": "Regno Unito",
    "Z129": "Romania",
    "Z138": "Ucraina",
    "Z210": "Cina",
    "Z216": "Filippine",
    "Z330": "Marocco",
    "Z336": "Egitto",
    "Z343": "Senegal",
    "Z605": "Ecuador",
    "Z611": "Perù",
}

#: Month letters, January to December (A B C D E H L M P R S T: letters that cannot be misread).
MONTH_LETTERS = "ABCDEHLMPRST"

#: Letters replacing the digits 0-9 in an omocode.
OMOCODE_LETTERS = "LMNPQRSTUV"

#: Positions of the seven digits that an omocode may replace, rightmost first.
_OMOCODE_POSITIONS = (14, 13, 12, 10, 9, 7, 6)

_VOWELS = frozenset("AEIOU")
_PLACE = re.compile(r"[A-Z][0-9]{3}")


def _letters(name: str) -> str:
    """Upper-case A-Z only: accents folded (Nicolò -> NICOLO), spaces and apostrophes dropped."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in ascii_only.upper() if "A" <= ch <= "Z")


def _split(name: str) -> tuple[str, str]:
    letters = _letters(name)
    consonants = "".join(ch for ch in letters if ch not in _VOWELS)
    vowels = "".join(ch for ch in letters if ch in _VOWELS)
    return consonants, vowels


def surname_part(surname: str) -> str:
    """First three consonants, then vowels, then X: ROSSI -> RSS, FO -> FOX."""
    consonants, vowels = _split(surname)
    return (consonants + vowels + "XXX")[:3]


def first_name_part(first_name: str) -> str:
    """Like the surname, except that four or more consonants give the 1st, 3rd and 4th.

    GIUSEPPE has G S P P, so GPP; MARIO has M R, so MRA.
    """
    consonants, vowels = _split(first_name)
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return (consonants + vowels + "XXX")[:3]


def date_part(birth_date: datetime.date, sex: Sex) -> str:
    """Two-digit year, month letter, day (plus 40 for women): 1985-08-01 F -> 85M41."""
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{birth_date.year % 100:02d}{MONTH_LETTERS[birth_date.month - 1]}{day:02d}"


def tax_code(
    surname: str,
    first_name: str,
    birth_date: datetime.date,
    sex: Sex,
    place: str,
) -> str:
    """The 16-character codice fiscale of a person.

    ``place`` is the Belfiore code of the municipality of birth, or Z plus the state for people
    born abroad. Any well-formed code is accepted, not only those in :data:`BELFIORE`, so callers
    with their own list can use it.
    """
    place = place.strip().upper()
    if not _PLACE.fullmatch(place):
        raise ValueError(f"birth place must be a Belfiore code such as F205, not {place!r}")
    if not _letters(surname) or not _letters(first_name):
        raise ValueError("surname and first name need at least one letter A-Z")
    body = surname_part(surname) + first_name_part(first_name) + date_part(birth_date, sex) + place
    return body + codicefiscale.calc_check_digit(body)


def omocode(code: str, level: int) -> str:
    """The ``level``-th omocode variant of ``code`` (1-7): the last ``level`` digits become letters.

    The tax office assigns these when two people would share a code; the birth date and place stay
    decodable, which :mod:`stdnum` understands.
    """
    if not 1 <= level <= len(_OMOCODE_POSITIONS):
        raise ValueError(f"omocode level must be 1 to {len(_OMOCODE_POSITIONS)}, not {level}")
    chars = list(code[:15])
    for position in _OMOCODE_POSITIONS[:level]:
        if chars[position].isdigit():
            chars[position] = OMOCODE_LETTERS[int(chars[position])]
    body = "".join(chars)
    return body + codicefiscale.calc_check_digit(body)
