"""The benchmark profiles of PRODUCT.md section 6 and the behaviour of their synthetic tenants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Profile:
    code: str
    units: int
    buildings: int
    years: int
    #: First month charged; the data run for ``years * 12`` months from here.
    start: date
    postgres_only: bool = False

    @property
    def months(self) -> int:
        return self.years * 12

    @property
    def agency_code(self) -> str:
        """The agency that marks a database as holding this profile's data."""
        return f"BENCH-{self.code}"


PROFILES: dict[str, Profile] = {
    # A few seconds' worth, so the test suite can run the whole benchmark end to end.
    "XS": Profile("XS", units=40, buildings=2, years=3, start=date(2022, 1, 1)),
    "S": Profile("S", units=1_000, buildings=10, years=5, start=date(2020, 1, 1)),
    "M": Profile("M", units=10_000, buildings=100, years=10, start=date(2015, 1, 1)),
    "L": Profile(
        "L", units=100_000, buildings=1_000, years=10, start=date(2015, 1, 1), postgres_only=True
    ),
}

#: Share of units whose first household moves out during the period; the incoming household gets
#: a new occupancy and a new debtor account that starts at zero (PRODUCT.md 4.1).
TURNOVER = 0.10

#: Payer behaviour of a household: (name, share of households, chance of paying in a month).
#: With these shares about 94 % of the monthly charges are followed by a payment.
PAYERS: tuple[tuple[str, float, float], ...] = (
    ("reliable", 0.88, 0.99),
    ("irregular", 0.08, 0.75),
    ("defaulter", 0.04, 0.25),
)
