"""The demo world as plain data: who lives where since when, and how each household pays.

Everything is decided here, with one ``random.Random``, before anything touches the database.
Keeping the plan apart from the writing (:mod:`condo_admin.demo.seed`) makes the randomness easy to
keep deterministic: the database can hand out any ids it likes, the plan does not depend on them.
"""

from __future__ import annotations

import calendar
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from condo_admin.demo import names
from condo_admin.demo.taxcodes import Sex, tax_code
from condo_admin.registry.models import BodyKind, MemberRole, UnitKind, UnitStatus

CENT = Decimal("0.01")
#: Months of ledger history, ending with the month of ``today``.
HISTORY_MONTHS = 24
#: Day of the month on which rent is charged.
RENT_DAY = 5
#: Day of the quarter's first month on which a service-charge installment falls due.
INSTALLMENT_DAY = 15
ADULT = 18

MONTHS_IT = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip

#: Income categories of service charges, by code (account ``INC.<code>``), with Italian names.
SERVICE_CATEGORIES: dict[str, str] = {
    "CLEANING": "Pulizia parti comuni",
    "HEATING": "Riscaldamento",
    "LIFT": "Ascensore",
    "GREEN": "Manutenzione aree verdi",
}


# --------------------------------------------------------------------------------------------
# The fixed part of the world: bodies and buildings.


@dataclass(frozen=True)
class BodySpec:
    code: str
    name: str
    kind: BodyKind


@dataclass(frozen=True)
class BuildingSpec:
    code: str
    name: str
    address: str
    postcode: str
    city: str
    #: Belfiore code of the building's municipality: children born here since the family came.
    place: str
    owner: str
    #: Staircases with their number of flats (two per floor, from the ground floor up).
    staircases: tuple[tuple[str, int], ...]
    garages: int
    shops: int
    #: Quarterly service charge per m², by category. Ground floors pay no lift, shops no heating.
    rates: dict[str, Decimal]


BODIES: tuple[BodySpec, ...] = (
    # No partita IVA: we do not know these bodies' real numbers and will not invent one for a
    # real institution's name; the field is optional in the registry.
    BodySpec("ALER-MI", "ALER Milano", BodyKind.PUBLIC),
    BodySpec("SESTO", "Comune di Sesto San Giovanni", BodyKind.MUNICIPALITY),
)

BUILDINGS: tuple[BuildingSpec, ...] = (
    BuildingSpec(
        code="PADOVA240",
        name="Via Padova 240",
        address="Via Padova 240",
        postcode="20132",
        city="Milano",
        place="F205",
        owner="ALER-MI",
        staircases=(("A", 8), ("B", 8), ("C", 8)),
        garages=2,
        shops=1,
        rates={
            "CLEANING": Decimal("0.24"),
            "HEATING": Decimal("0.70"),
            "LIFT": Decimal("0.14"),
            "GREEN": Decimal("0.06"),
        },
    ),
    BuildingSpec(
        code="CINQUECENTO18",
        name="Via dei Cinquecento 18",
        address="Via dei Cinquecento 18",
        postcode="20139",
        city="Milano",
        place="F205",
        owner="ALER-MI",
        staircases=(("A", 9), ("B", 9)),
        garages=2,
        shops=0,
        rates={
            "CLEANING": Decimal("0.26"),
            "HEATING": Decimal("0.78"),
            "LIFT": Decimal("0.16"),
        },
    ),
    BuildingSpec(
        code="MARELLI165",
        name="Viale Ercole Marelli 165",
        address="Viale Ercole Marelli 165",
        postcode="20099",
        city="Sesto San Giovanni",
        place="I690",
        owner="SESTO",
        staircases=(("A", 12),),
        garages=0,
        shops=1,
        rates={
            "CLEANING": Decimal("0.22"),
            "HEATING": Decimal("0.58"),
            "LIFT": Decimal("0.12"),
            "GREEN": Decimal("0.09"),
        },
    ),
)

#: A garage pays a flat cleaning share per quarter and nothing else.
GARAGE_CLEANING = Decimal("9.00")


# --------------------------------------------------------------------------------------------
# The planned world.


@dataclass
class UnitPlan:
    building: BuildingSpec
    code: str
    kind: UnitKind
    staircase: str | None
    floor: str
    area: Decimal
    #: Quarterly service charge by category (only categories with an amount).
    service: dict[str, Decimal]
    #: Status to set by hand once its occupancies are written (vacant or under renovation);
    #: ``None`` leaves it to the occupancies.
    status: UnitStatus | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.building.code, self.code)


@dataclass
class PersonPlan:
    first_name: str
    last_name: str
    sex: Sex
    birth_date: date
    place: str
    role: MemberRole
    since: date
    language: str
    tax_code: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class Behaviour:
    """How a household pays. ``kind`` is one of the profiles below; dates bound the episodes.

    - ``punctual``: pays every charge within days (or by direct debit on the day);
    - ``irregular``: sometimes pays two months together, never ends behind;
    - ``late``: pays each charge one to two months after it, so is always a little behind;
    - ``partial``: pays only part of most charges, debt grows slowly;
    - ``stopped``: punctual until ``stop``, then nothing (or one small payment on account);
    - ``recovered``: missed the charges in ``gap``, then paid them off in one sum;
    - ``old_debt``: carries a large debt from before the history (``opening``), pays irregularly;
    - ``prepay``: punctual, and once paid twice by mistake, so holds a credit;
    - ``disputes``: pays rent, stopped paying service charges at ``stop``.
    """

    kind: str
    method: str
    stop: date | None = None
    gap: tuple[date, date] | None = None
    fraction: Decimal | None = None
    opening: Decimal | None = None


@dataclass
class HouseholdPlan:
    code: str
    origin: names.Origin
    members: list[PersonPlan]
    language: str
    since: date
    behaviour: Behaviour = field(default_factory=lambda: Behaviour("punctual", "bonifico"))

    @property
    def holder(self) -> PersonPlan:
        return self.members[0]


@dataclass
class OccupancyPlan:
    unit: UnitPlan
    household: HouseholdPlan
    start: date
    end: date | None
    rent: Decimal

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Plan:
    today: date
    #: First day of the ledger history (the books open on it).
    start: date
    units: list[UnitPlan]
    households: list[HouseholdPlan]
    occupancies: list[OccupancyPlan]
    #: Year-end adjustment factor per building, year and category (actual / budget - 1).
    adjustments: dict[tuple[str, int], dict[str, Decimal]]


# --------------------------------------------------------------------------------------------
# Dates.


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day clamped to the month's end (31 Jan + 1: 28 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def history_start(today: date) -> date:
    return add_months(today.replace(day=1), -(HISTORY_MONTHS - 1))


def rent_dates(start: date, today: date) -> list[date]:
    """The 5th of every month from ``start`` up to ``today``."""
    days = [add_months(start, i).replace(day=RENT_DAY) for i in range(HISTORY_MONTHS)]
    return [d for d in days if start <= d <= today]


def installment_dates(start: date, today: date) -> list[tuple[date, int]]:
    """Quarterly installment dates (15 Jan, Apr, Jul, Oct) in the history, with their number 1-4."""
    found = []
    for year in range(start.year, today.year + 1):
        for number in range(1, 5):
            day = date(year, 3 * (number - 1) + 1, INSTALLMENT_DAY)
            if start <= day <= today:
                found.append((day, number))
    return found


def adjustment_date(year: int) -> date:
    """The year-end adjustment (conguaglio) of ``year`` is charged on 31 March of the next."""
    return date(year + 1, 3, 31)


def adjusted_years(start: date, today: date) -> list[int]:
    """Years whose four installments and whose adjustment all fall in the history."""
    return [
        year
        for year in range(start.year, today.year)
        if date(year, 1, INSTALLMENT_DAY) >= start and adjustment_date(year) <= today
    ]


def _days_ago(rng: random.Random, today: date, low_days: int, high_days: int) -> date:
    return today - timedelta(days=rng.randint(low_days, high_days))


def _birth(rng: random.Random, today: date, age: int) -> date:
    """A birth date giving exactly ``age`` years on ``today``."""
    latest = add_months(today, -12 * age)
    return latest - timedelta(days=rng.randint(0, 364))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Units.


def _plan_units(rng: random.Random) -> list[UnitPlan]:
    units: list[UnitPlan] = []
    for spec in BUILDINGS:
        for stair, flats in spec.staircases:
            for number in range(1, flats + 1):
                level = (number - 1) // 2
                floor = "T" if level == 0 else str(level)
                area = Decimal(rng.randrange(3800, 9600, 50)) / 100
                service = {
                    category: money(rate * area)
                    for category, rate in spec.rates.items()
                    if not (category == "LIFT" and floor == "T")
                }
                units.append(
                    UnitPlan(
                        spec, f"{stair}{number:02d}", UnitKind.FLAT, stair, floor, area, service
                    )
                )
        for number in range(1, spec.garages + 1):
            area = Decimal(rng.randrange(1200, 1900, 50)) / 100
            units.append(
                UnitPlan(
                    spec,
                    f"BOX{number:02d}",
                    UnitKind.GARAGE,
                    None,
                    "S1",
                    area,
                    {"CLEANING": GARAGE_CLEANING},
                )
            )
        for number in range(1, spec.shops + 1):
            area = Decimal(rng.randrange(4000, 9000, 50)) / 100
            service = {
                category: money(spec.rates[category] * area)
                for category in ("CLEANING", "GREEN")
                if category in spec.rates
            }
            units.append(
                UnitPlan(spec, f"NEG{number:02d}", UnitKind.SHOP, None, "T", area, service)
            )
    return units


def _rent(rng: random.Random, unit: UnitPlan) -> Decimal:
    """Monthly rent: social-housing rents per m² by income band, garages and shops at market."""
    if unit.kind is UnitKind.GARAGE:
        return Decimal(rng.randint(2800, 5500)) / 100
    if unit.kind is UnitKind.SHOP:
        return Decimal(rng.randint(26000, 42000)) / 100
    # Protection band (lowest ISEE), access band, permanence band.
    low, high = rng.choice(((120, 180), (200, 300), (300, 420)))
    rent = money(unit.area * rng.randint(low, high) / 100)
    return min(max(rent, Decimal("80.00")), Decimal("350.00"))


# --------------------------------------------------------------------------------------------
# People.


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and ch.isalpha()).lower()


def _pick_name(rng: random.Random, pool: tuple[str, ...], avoid: set[str]) -> str:
    choices = [name for name in pool if name not in avoid] or list(pool)
    return rng.choice(choices)


class _People:
    """Draws people of one household, keeping tax codes unique across the whole demo."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.codes: set[str] = set()

    def italian_place(self, birth: date) -> str:
        rng = self.rng
        roll = rng.random()
        if birth.year < 1965 and roll < 0.45:
            return rng.choice(names.ITALIAN_BORN_SOUTH)
        if roll > 0.93:
            return rng.choice(names.ITALIAN_BORN_ELSEWHERE)
        places, weights = zip(*names.ITALIAN_BORN_LOCAL, strict=True)
        return rng.choices(places, weights)[0]

    def person(
        self,
        origin: names.Origin,
        *,
        sex: Sex,
        age: int,
        last_name: str,
        role: MemberRole,
        since: date,
        language: str,
        local_place: str,
        arrived: date,
        avoid: set[str],
    ) -> PersonPlan:
        rng = self.rng
        birth = _birth(rng, self.today, age)
        if origin.place is None:
            place = self.italian_place(birth)
        else:
            place = local_place if birth >= arrived else origin.place
        first = _pick_name(rng, origin.first_names(sex, birth.year), avoid)
        avoid.add(first)
        code = tax_code(last_name, first, birth, sex, place)
        while code in self.codes:  # same name, day and place: move the birthday, not the code
            birth -= timedelta(days=1)
            code = tax_code(last_name, first, birth, sex, place)
        self.codes.add(code)
        return PersonPlan(
            first_name=first,
            last_name=last_name,
            sex=sex,
            birth_date=birth,
            place=place,
            role=role,
            since=max(since, birth),
            language=language,
            tax_code=code,
        )


_KINDS_ITALIAN = (("single_elderly", 35), ("couple_elderly", 20), ("family", 20),
                  ("single_parent", 15), ("single_adult", 10))  # fmt: skip
_KINDS_FOREIGN = (("family", 55), ("single_parent", 20), ("couple", 10), ("single_adult", 15))


def _plan_members(
    people: _People,
    origin: names.Origin,
    *,
    start: date,
    local_place: str,
    elderly: bool = False,
) -> list[PersonPlan]:
    """One household's members, holder first, old enough to have signed the lease at ``start``."""
    rng = people.rng
    today = people.today
    kinds = _KINDS_ITALIAN if origin.place is None else _KINDS_FOREIGN
    labels, weights = zip(*kinds, strict=True)
    kind = "single_elderly" if elderly else rng.choices(labels, weights)[0]
    years_since_start = age_on(start, today)
    # The holder was at least 21 when the lease started.
    floor_age = years_since_start + 21
    low, high = {
        "single_elderly": (68, 92),
        "couple_elderly": (66, 88),
        "family": (30, 55),
        "single_parent": (28, 50),
        "single_adult": (25, 64),
        "couple": (25, 60),
    }[kind]
    holder_age = rng.randint(max(low, floor_age), max(high, floor_age + 2))
    holder_sex: Sex
    if kind in ("single_elderly", "single_parent"):
        holder_sex = "F" if rng.random() < 0.75 else "M"
    elif kind == "single_adult":
        holder_sex = rng.choice(("M", "F"))
    else:
        holder_sex = "M" if rng.random() < 0.65 else "F"
    language = "en" if rng.random() < origin.english else "it"
    # Families from abroad arrived in Italy some years before the lease.
    arrived = start - timedelta(days=rng.randint(0, 6 * 365))
    avoid: set[str] = set()
    surname = rng.choice(origin.surnames)
    common = dict(language=language, local_place=local_place, arrived=arrived, avoid=avoid)
    holder = people.person(
        origin,
        sex=holder_sex,
        age=holder_age,
        last_name=surname,
        role=MemberRole.HOLDER,
        since=start,
        **common,
    )
    members = [holder]
    if kind in ("couple_elderly", "family", "couple"):
        # The partner, too, was an adult when the lease started.
        partner_age = max(years_since_start + ADULT, holder_age + rng.randint(-6, 4))
        # Italian law: a wife keeps her own surname, so partners rarely share one.
        partner_surname = _pick_name(rng, origin.surnames, {surname})
        members.append(
            people.person(
                origin,
                sex="F" if holder_sex == "M" else "M",
                age=partner_age,
                last_name=partner_surname,
                role=MemberRole.MEMBER,
                since=start,
                **common,
            )
        )
    if kind in ("family", "single_parent"):
        count = rng.choice((1, 1, 2, 2, 2, 3, 4)) if kind == "family" else rng.choice((1, 2, 3))
        youngest_parent = min(age_on(m.birth_date, today) for m in members)
        # Children born when the younger parent was 20 to 45, and at most 24 now.
        low, high = max(0, youngest_parent - 45), min(24, youngest_parent - 20)
        for _ in range(count if low <= high else 0):
            child_age = rng.randint(low, high)
            members.append(
                people.person(
                    origin,
                    sex=rng.choice(("M", "F")),
                    age=child_age,
                    last_name=surname,
                    role=MemberRole.MEMBER,
                    since=start,
                    **common,
                )
            )
    _holder_contact(rng, holder)
    for member in members[1:]:
        if age_on(member.birth_date, today) >= ADULT and rng.random() < 0.4:
            member.phone = _phone(rng)
    return members


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("320", "328", "329", "333", "335", "338", "339", "340", "347", "349"))
    return f"+39 {prefix} {rng.randint(0, 9999999):07d}"


def _holder_contact(rng: random.Random, holder: PersonPlan) -> None:
    """Most holders give a mobile number; fewer, and rarely the elderly, an e-mail address."""
    if rng.random() < 0.85:
        holder.phone = _phone(rng)
    wants_email = 0.2 if holder.birth_date.year < 1960 else 0.6
    if rng.random() < wants_email:
        domain = rng.choice(("example.org", "example.com", "example.net"))
        holder.email = f"{_ascii(holder.first_name)}.{_ascii(holder.last_name)}@{domain}"


# --------------------------------------------------------------------------------------------
# The whole plan.

#: How many current households follow each payment profile; the rest are punctual or irregular.
#: Together with the households that left owing money this puts 15-20% of households in arrears.
ARREARS_PROFILES: tuple[tuple[str, int], ...] = (
    ("stopped", 3),
    ("partial", 2),
    ("old_debt", 1),
    ("late", 1),
    ("disputes", 1),
)
OTHER_PROFILES: tuple[tuple[str, int], ...] = (("recovered", 2), ("prepay", 1), ("irregular", 6))


def make_plan(rng: random.Random, today: date) -> Plan:
    """The whole demo world for a history ending on ``today``, drawn from ``rng`` alone.

    Besides the steady tenants, a few units tell a story the product must handle: households
    replaced by new ones (two successive occupancies of one unit), one that left owing money and
    was replaced, one that left owing money and left the flat empty, and an elderly tenant whose
    flat is now being renovated.
    """
    start = history_start(today)
    units = _plan_units(rng)
    flats = {
        spec.code: [u for u in units if u.building is spec and u.kind is UnitKind.FLAT]
        for spec in BUILDINGS
    }
    padova, cinquecento, marelli = (flats[spec.code] for spec in BUILDINGS)
    replaced_clean = [rng.choice(padova), rng.choice(marelli)]
    replaced_debt = rng.choice([u for u in padova if u not in replaced_clean])
    replaced_early = rng.choice(cinquecento)
    vacant_after_debt = rng.choice([u for u in cinquecento if u is not replaced_early])
    renovation = rng.choice([u for u in marelli if u not in replaced_clean])
    vacant_after_debt.status = UnitStatus.VACANT
    renovation.status = UnitStatus.UNDER_RENOVATION
    for unit in units:
        if unit.kind is UnitKind.SHOP and unit.building is BUILDINGS[0]:
            unit.status = UnitStatus.VACANT  # the shop on Via Padova has been empty for years

    # Who leaves when, and after how long the next household moves in (None: nobody yet).
    departures: dict[tuple[str, str], tuple[date, date | None, str]] = {}

    def leave(
        unit: UnitPlan, months_ago: tuple[int, int], gap_days: tuple[int, int] | None, kind: str
    ) -> None:
        """``unit``'s household leaves some months ago; the next comes after ``gap_days``."""
        end = add_months(today, -rng.randint(*months_ago)) - timedelta(days=rng.randint(0, 20))
        following = end + timedelta(days=rng.randint(*gap_days)) if gap_days else None
        departures[unit.key] = (end, following, kind)

    leave(replaced_clean[0], (12, 16), (30, 75), "clean")
    leave(replaced_clean[1], (4, 7), (14, 45), "clean")
    leave(replaced_debt, (8, 11), (30, 60), "debt")
    leave(replaced_early, (15, 19), (20, 40), "clean")
    leave(vacant_after_debt, (2, 3), None, "debt")
    leave(renovation, (6, 10), None, "clean")

    # Origins: a fixed mix, shuffled over all households (current and former).
    flat_units = [u for u in units if u.kind is UnitKind.FLAT]
    n_households = len(flat_units) + sum(1 for d in departures.values() if d[1] is not None)
    origins = [key for key, count in names.FOREIGN_QUOTA for _ in range(count)]
    origins += ["IT"] * (n_households - len(origins))
    rng.shuffle(origins)

    people = _People(rng, today)
    recent = set(map(id, rng.sample([u for u in flat_units if u.key not in departures], 2)))
    pending: list[tuple[UnitPlan, date, date | None, str, bool]] = []
    for unit in flat_units:
        if unit.key in departures:
            end, following, kind = departures[unit.key]
            old_start = end - timedelta(days=rng.randint(3 * 365, 22 * 365))
            pending.append((unit, old_start, end, kind, unit is renovation))
            if following is not None:
                pending.append((unit, following, None, "current", False))
        elif id(unit) in recent:
            pending.append((unit, _days_ago(rng, today, 120, 600), None, "current", False))
        else:
            since = _days_ago(rng, today, 800, 30 * 365)
            pending.append((unit, since, None, "current", False))

    households: list[HouseholdPlan] = []
    occupancies: list[OccupancyPlan] = []
    for (unit, since, end, kind, elderly), origin_key in zip(pending, origins, strict=True):
        origin = names.ORIGINS[origin_key]
        members = _plan_members(
            people, origin, start=since, local_place=unit.building.place, elderly=elderly
        )
        household = HouseholdPlan("", origin, members, members[0].language, since)
        if kind == "debt" and end is not None:
            # Stopped paying some months before leaving; the debt goes with the household.
            stop = add_months(end, -rng.randint(4, 7))
            household.behaviour = Behaviour("stopped", _method(rng), stop=stop)
        households.append(household)
        occupancies.append(OccupancyPlan(unit, household, since, end, _rent(rng, unit)))

    # Garages and the shop in Sesto go to households already living in the same building.
    for unit in units:
        if unit.kind is UnitKind.FLAT or unit.status is UnitStatus.VACANT:
            continue
        tenants = [
            o
            for o in occupancies
            if o.unit.building is unit.building and o.unit.kind is UnitKind.FLAT and o.end is None
        ]
        tenant = rng.choice(tenants)
        since = max(tenant.start, _days_ago(rng, today, 150, 9 * 365))
        occupancies.append(OccupancyPlan(unit, tenant.household, since, None, _rent(rng, unit)))

    households.sort(key=lambda h: h.since)
    for number, household in enumerate(households, start=1):
        household.code = f"NUC{number:04d}"
    _no_tax_code_for_some_minors(rng, households, today)
    _assign_behaviours(rng, households, occupancies, start, today)
    occupancies.sort(key=lambda o: (o.start, o.unit.key))

    adjustments = {
        (spec.code, year): {
            category: Decimal(rng.randint(-12, 18)) / 100 for category in spec.rates
        }
        for spec in BUILDINGS
        for year in adjusted_years(start, today)
    }
    return Plan(today, start, units, households, occupancies, adjustments)


def _method(rng: random.Random, *, direct_debit: bool = True) -> str:
    """How a household pays. Only a household that pays regularly keeps a direct debit."""
    if not direct_debit:
        return rng.choices(("bonifico", "pagopa", "contanti"), (45, 40, 15))[0]
    return rng.choices(("sdd", "bonifico", "pagopa", "contanti"), (35, 40, 20, 5))[0]


def _no_tax_code_for_some_minors(
    rng: random.Random, households: list[HouseholdPlan], today: date
) -> None:
    """A few children registered with their birth date only, as the registry allows for minors."""
    minors = [m for h in households for m in h.members if age_on(m.birth_date, today) < ADULT - 2]
    for minor in rng.sample(minors, min(3, len(minors))):
        minor.tax_code = None


def _assign_behaviours(
    rng: random.Random,
    households: list[HouseholdPlan],
    occupancies: list[OccupancyPlan],
    start: date,
    today: date,
) -> None:
    """Give each current household a payment profile; the special ones go to settled tenants.

    Profiles that need history (stopped N months ago, a gap later recovered, an old debt) only
    make sense for households that lived here before the books open, so they are drawn first.
    """
    current = {id(o.household) for o in occupancies if o.end is None}
    settled = [h for h in households if id(h) in current and h.since < start]
    newer = [h for h in households if id(h) in current and h.since >= start]
    rng.shuffle(settled)
    for household in households:
        if household.behaviour.kind == "punctual":
            household.behaviour = Behaviour("punctual", _method(rng))
    stops = iter(((2, 3), (5, 8), (10, 15)))
    for kind, count in ARREARS_PROFILES + OTHER_PROFILES:
        for _ in range(count):
            household = settled.pop()
            method = _method(rng, direct_debit=kind in ("stopped", "prepay", "disputes"))
            if kind == "stopped":
                stop = add_months(today, -rng.randint(*next(stops)))
                household.behaviour = Behaviour(kind, method, stop=stop)
            elif kind == "partial":
                fraction = Decimal(rng.choice((55, 60, 65, 70, 75, 80))) / 100
                household.behaviour = Behaviour(kind, method, fraction=fraction)
            elif kind == "old_debt":
                opening = Decimal(rng.randint(350000, 720000)) / 100
                household.behaviour = Behaviour(kind, "contanti", opening=opening)
            elif kind == "disputes":
                stop = add_months(today, -rng.randint(7, 10))
                household.behaviour = Behaviour(kind, method, stop=stop)
            elif kind == "recovered":
                gap_start = add_months(start, rng.randint(1, 6))
                gap_end = add_months(gap_start, rng.randint(4, 6))
                household.behaviour = Behaviour(kind, method, gap=(gap_start, gap_end))
            else:
                household.behaviour = Behaviour(kind, method)
    # A new tenant who keeps paying late: the advice desk's typical early-warning case.
    if newer:
        late = rng.choice(newer)
        late.behaviour = Behaviour("late", _method(rng, direct_debit=False))
