"""Synthetic data for a benchmark profile.

The registry (buildings, units, people, households, occupancies), each unit's rent and the debtor
accounts are bulk-inserted with SQLAlchemy Core: they are scaffolding, not what is measured. Debtor
accounts are open-item accounts (``tracks_items``), as ``accounting.books.debtor_account`` opens
them, so every posting to them becomes an open item and payments are allocated to charges. Every
journal entry and posting goes through :func:`ledger.posting.post_many`, the path of charge runs
and imports, one month at a time: the month's rent charge run (one entry per unit) is one call, the
month's bank payments another, and the month is one commit. Only one month of drafts is ever in
memory.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.orm import Session

from benchmarks.database import GENERATED, optimise_after_load
from benchmarks.profiles import PAYERS, TURNOVER, Profile
from benchmarks.timers import Timers
from condo_admin.accounting.books import book_account, open_creditor_book
from condo_admin.accounting.models import BookPurpose, DebtorAccount, UnitRent
from condo_admin.accounting.references import rf_reference
from condo_admin.audit.operations import record as audit
from condo_admin.db import make_sessionmaker
from condo_admin.registry import operations as registry
from condo_admin.registry.models import (
    Agency,
    BodyKind,
    Building,
    Household,
    HouseholdMember,
    MemberRole,
    Occupancy,
    Person,
    Staircase,
    Unit,
    UnitKind,
    UnitStatus,
)
from ledger import posting
from ledger.models import Account, AccountKind, Book
from ledger.posting import EntryDraft, Leg, post_many

ACTOR = "benchmark"
#: Rows per Core insert statement batch while building the registry.
REGISTRY_CHUNK = 5_000

FIRST_NAMES = (
    "Maria", "Giuseppe", "Anna", "Giovanni", "Rosa", "Antonio", "Francesca", "Mario", "Giulia",
    "Luigi", "Sara", "Ahmed", "Fatima", "Ion", "Elena", "Mohamed", "Li", "Olena", "Carlos", "Aisha",
)  # fmt: skip
LAST_NAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Popescu", "El Amrani", "Chen",
    "Kovalenko", "Garcia", "Diallo", "Mancini", "Lombardi", "Moretti", "Barbieri",
)  # fmt: skip
STREETS = (
    "Via Padova", "Via Giambellino", "Viale Molise", "Via Salomone", "Via dei Cinquecento",
    "Piazzale Selinunte", "Via Mompiani", "Via Ovada", "Via Lorenteggio", "Via Russoli",
)  # fmt: skip


@dataclass
class Tenancy:
    """One household's occupancy of one unit, by month index (inclusive), and its debtor account."""

    unit: int
    first_month: int
    last_month: int
    payer: int
    account_id: int = 0


@dataclass
class Plan:
    """Everything decided up front from the seed; the ledger phase only walks through it."""

    unit_codes: list[str]
    unit_building: list[int]
    unit_area: list[Decimal]
    rent_cents: list[int]
    tenancies: list[Tenancy]
    #: Month index -> (unit, tenancy leaving, tenancy arriving) for that month's moves.
    moves: dict[int, list[tuple[int, int, int]]]


@dataclass
class GenerationStats:
    profile: str
    seed: int
    keys: bool
    chunk: int
    #: Debtor accounts are open-item accounts (``tracks_items``); False only to compare.
    tracked: bool = True
    units: int = 0
    buildings: int = 0
    households: int = 0
    people: int = 0
    occupancies: int = 0
    accounts: int = 0
    months: int = 0
    entries: int = 0
    postings: int = 0
    post_many_calls: int = 0
    registry_seconds: float = 0.0
    #: Wall time of the ledger phase: building drafts, post_many and commits.
    ledger_seconds: float = 0.0
    drafts_seconds: float = 0.0
    post_many_seconds: float = 0.0
    #: Of post_many, the seconds of recording open items and allocating (``posting._track``).
    items_seconds: float = 0.0
    commit_seconds: float = 0.0
    #: Seconds of each month's rent charge run (one post_many over every unit).
    charge_runs: list[float] = field(default_factory=list)
    optimise: str | None = None
    optimise_seconds: float = 0.0
    total_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    finished_at: str = ""

    @property
    def post_many_rate(self) -> float:
        """Postings per second spent inside post_many (bulk posting proper)."""
        return self.postings / self.post_many_seconds if self.post_many_seconds else 0.0

    @property
    def end_to_end_rate(self) -> float:
        """Postings per second of the whole ledger phase, drafts and commits included."""
        return self.postings / self.ledger_seconds if self.ledger_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["post_many_rate"] = round(self.post_many_rate, 1)
        data["end_to_end_rate"] = round(self.end_to_end_rate, 1)
        return data


def month_start(first: date, index: int) -> date:
    months = first.year * 12 + first.month - 1 + index
    return date(months // 12, months % 12 + 1, 1)


def _cents(amount: int) -> Decimal:
    return Decimal(amount).scaleb(-2)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_plan(profile: Profile, rng: random.Random) -> Plan:
    per_building = -(-profile.units // profile.buildings)
    codes: list[str] = []
    buildings: list[int] = []
    areas: list[Decimal] = []
    rents: list[int] = []
    for index in range(profile.units):
        building, place = divmod(index, per_building)
        staircase = "A" if place < per_building // 2 else "B"
        floor, door = divmod(place % max(per_building // 2, 1), 5)
        codes.append(f"{staircase}{floor:02d}{door + 1}")
        buildings.append(building)
        area_cents = rng.randint(3_000, 11_000)
        areas.append(_cents(area_cents))
        # Social rents: between 1 and 4 euros per square metre and month.
        rents.append(area_cents * rng.randint(100, 400) // 100)
    weights = [share for _, share, _ in PAYERS]
    payer_ids = list(range(len(PAYERS)))
    tenancies: list[Tenancy] = []
    moves: dict[int, list[tuple[int, int, int]]] = {}
    last = profile.months - 1
    for unit in range(profile.units):
        first = len(tenancies)
        tenancies.append(Tenancy(unit, 0, last, rng.choices(payer_ids, weights)[0]))
        if profile.months > 12 and rng.random() < TURNOVER:
            month = rng.randint(6, profile.months - 6)
            tenancies[first].last_month = month - 1
            tenancies.append(Tenancy(unit, month, last, rng.choices(payer_ids, weights)[0]))
            moves.setdefault(month, []).append((unit, first, first + 1))
    return Plan(codes, buildings, areas, rents, tenancies, moves)


def _insert_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert and the new ids in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows).all())


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def build_registry(
    session: Session, profile: Profile, plan: Plan, rng: random.Random, stats: GenerationStats
) -> tuple[Book, Agency]:
    """The registry, one rent per unit from the first month, the rent book and debtor accounts."""
    now = datetime.now(UTC)
    agency = registry.create_agency(
        session, profile.agency_code, f"Benchmark agency, profile {profile.code}", actor=ACTOR
    )
    body = registry.create_housing_body(
        session,
        agency,
        "ERP",
        "Ente regionale per l'edilizia pubblica",
        BodyKind.PUBLIC,
        actor=ACTOR,
    )
    book = open_creditor_book(
        session,
        f"{profile.agency_code}-RENT",
        f"Rent owed to {body.name}",
        creditor=body,
        purpose=BookPurpose.RENT,
        opened_on=profile.start,
        income_categories={"RENT": "Rent"},
        actor=ACTOR,
    )
    building_ids = _insert_ids(
        session,
        Building.__table__,
        [
            {
                "agency_id": agency.id,
                "code": f"B{b:04d}",
                "name": f"{STREETS[b % len(STREETS)]} {b // len(STREETS) + 1}",
                "address": f"{STREETS[b % len(STREETS)]} {b // len(STREETS) + 1}",
                "postcode": f"201{b % 100:02d}",
                "city": "Milano",
                "province": "MI",
                "created_at": now,
            }
            for b in range(profile.buildings)
        ],
    )
    staircase_ids = _insert_ids(
        session,
        Staircase.__table__,
        [
            {"building_id": building_id, "code": code, "name": f"Scala {code}"}
            for building_id in building_ids
            for code in ("A", "B")
        ],
    )
    unit_ids: list[int] = []
    for chunk in _chunks(profile.units, REGISTRY_CHUNK):
        unit_ids += _insert_ids(
            session,
            Unit.__table__,
            [
                {
                    "building_id": building_ids[plan.unit_building[u]],
                    "staircase_id": staircase_ids[
                        2 * plan.unit_building[u] + (plan.unit_codes[u][0] == "B")
                    ],
                    "code": plan.unit_codes[u],
                    "kind": UnitKind.FLAT,
                    "status": UnitStatus.OCCUPIED,
                    "owner_body_id": body.id,
                    "floor": plan.unit_codes[u][1:3],
                    "area_sqm": plan.unit_area[u],
                }
                for u in chunk
            ],
        )
    for chunk in _chunks(profile.units, REGISTRY_CHUNK):
        # The rent the ledger phase charges, in force from the first month, so that the real
        # charge run (accounting.charges.run_charges) can charge the month after the history.
        session.execute(
            insert(UnitRent.__table__),
            [
                {
                    "unit_id": unit_ids[u],
                    "valid_from": profile.start,
                    "monthly_cents": plan.rent_cents[u],
                    "set_by": ACTOR,
                    "set_at": now,
                }
                for u in chunk
            ],
        )
    stats.buildings = len(building_ids)
    stats.units = len(unit_ids)

    for chunk in _chunks(len(plan.tenancies), REGISTRY_CHUNK):
        tenancies = [plan.tenancies[t] for t in chunk]
        surnames = [rng.choice(LAST_NAMES) for _ in tenancies]
        household_ids = _insert_ids(
            session,
            Household.__table__,
            [
                {
                    "agency_id": agency.id,
                    "code": f"H{t:07d}",
                    "name": f"Famiglia {surname}",
                    "language": "en" if rng.random() < 0.1 else "it",
                    "created_at": now,
                }
                for t, surname in zip(chunk, surnames, strict=True)
            ],
        )
        starts = [month_start(profile.start, t.first_month) for t in tenancies]
        ends = [
            None
            if t.last_month == profile.months - 1
            else month_start(profile.start, t.last_month + 1) - timedelta(days=1)
            for t in tenancies
        ]
        people: list[dict[str, Any]] = []
        members: list[tuple[int, int, MemberRole]] = []  # (tenancy position, person position)
        for position, surname in enumerate(surnames):
            size = rng.choices((1, 2, 3, 4), (30, 30, 25, 15))[0]
            for member in range(size):
                year = rng.randint(1940, 1998) if member == 0 else rng.randint(1940, 2014)
                born = date(year, rng.randint(1, 12), rng.randint(1, 28))
                role = MemberRole.HOLDER if member == 0 else MemberRole.MEMBER
                members.append((position, len(people), role))
                people.append(
                    {
                        "agency_id": agency.id,
                        "first_name": rng.choice(FIRST_NAMES),
                        "last_name": surname,
                        "tax_code": None,
                        "birth_date": born,
                        "language": "it",
                        "created_at": now,
                    }
                )
        person_ids = _insert_ids(session, Person.__table__, people)
        session.execute(
            insert(HouseholdMember.__table__),
            [
                {
                    "household_id": household_ids[position],
                    "person_id": person_ids[person],
                    "role": role,
                    "start_date": starts[position],
                    "end_date": ends[position],
                }
                for position, person, role in members
            ],
        )
        occupancy_ids = _insert_ids(
            session,
            Occupancy.__table__,
            [
                {
                    "unit_id": unit_ids[t.unit],
                    "household_id": household_ids[position],
                    "start_date": starts[position],
                    "end_date": ends[position],
                    "created_at": now,
                }
                for position, t in enumerate(tenancies)
            ],
        )
        account_ids = _insert_ids(
            session,
            Account.__table__,
            [
                {
                    "book_id": book.id,
                    "code": f"DEB.H{t_index:07d}.B{plan.unit_building[t.unit]:04d}-"
                    f"{plan.unit_codes[t.unit]}",
                    "name": f"Famiglia {surname} — B{plan.unit_building[t.unit]:04d}/"
                    f"{plan.unit_codes[t.unit]}",
                    "kind": AccountKind.ASSET,
                    "opened_on": starts[position],
                    "closed_on": None,
                    "tracks_items": stats.tracked,
                }
                for position, (t_index, t, surname) in enumerate(
                    zip(chunk, tenancies, surnames, strict=True)
                )
            ],
        )
        session.execute(
            insert(DebtorAccount.__table__),
            [
                {
                    "account_id": account_id,
                    "book_id": book.id,
                    "household_id": household_id,
                    "occupancy_id": occupancy_id,
                    "rf_reference": rf_reference(book.id, account_id),
                }
                for account_id, household_id, occupancy_id in zip(
                    account_ids, household_ids, occupancy_ids, strict=True
                )
            ],
        )
        for t, account_id in zip(tenancies, account_ids, strict=True):
            t.account_id = account_id
        stats.households += len(household_ids)
        stats.people += len(person_ids)
        stats.occupancies += len(occupancy_ids)
        stats.accounts += len(account_ids)
        session.commit()
        _progress(
            f"[{profile.code}] registry: {stats.households:,}/{len(plan.tenancies):,} households, "
            f"{stats.people:,} people"
        )
    session.commit()
    return book, agency


def _payment(payer: str, rent: int, arrears: int, rng: random.Random) -> int:
    """What a household pays this month (0: nothing), given the rent and what it owes."""
    chance = next(p for name, _, p in PAYERS if name == payer)
    if rng.random() >= chance:
        return 0
    if payer == "defaulter":
        return max(rent // 2, 1)
    if arrears > rent and rng.random() < (0.5 if payer == "reliable" else 0.3):
        return arrears  # catching up
    return rent


def _post(
    session: Session,
    book: Book,
    drafts: Sequence[EntryDraft],
    key: str | None,
    chunk: int,
) -> tuple[float, int]:
    """post_many over ``drafts`` (in calls of at most ``chunk`` drafts); seconds and call count."""
    size = chunk or len(drafts) or 1
    started = time.perf_counter()
    calls = 0
    for offset in range(0, len(drafts), size):
        part_key = None if key is None else (key if size >= len(drafts) else f"{key}.{offset}")
        post_many(session, book, drafts[offset : offset + size], actor=ACTOR, key=part_key)
        calls += 1
    return time.perf_counter() - started, calls


def post_ledger(
    session: Session,
    profile: Profile,
    plan: Plan,
    book: Book,
    seed: int,
    stats: GenerationStats,
    *,
    keys: bool,
    chunk: int,
) -> None:
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.book_id == book.id))}
    bank = book_account(session, book, "BANK")
    income = book_account(session, book, "INC.RENT")
    rent = [_cents(c) for c in plan.rent_cents]
    minus_rent = [-r for r in rent]
    charge_legs: dict[int, tuple[Leg, Leg]] = {}
    arrears = [0] * len(plan.tenancies)
    payer_names = [name for name, _, _ in PAYERS]
    current = [-1] * profile.units  # unit -> index of the tenancy living there this month
    for index, tenancy in enumerate(plan.tenancies):
        if tenancy.first_month == 0:
            current[tenancy.unit] = index
    started = time.perf_counter()
    for m in range(profile.months):
        month_started = time.perf_counter()
        day1 = month_start(profile.start, m)
        label = f"{day1:%Y-%m}"
        rng = random.Random(seed * 1_000_003 + m)
        leaving: list[int] = []
        for unit, old, new in plan.moves.get(m, ()):
            current[unit] = new
            leaving.append(old)

        memo = f"Rent {label}"
        reference = f"RUN-{label}"
        charges = []
        for unit in range(profile.units):
            t = current[unit]
            arrears[t] += plan.rent_cents[unit]
            legs = charge_legs.get(t)
            if legs is None:  # the same legs every month of a tenancy: build them once
                debtor = accounts[plan.tenancies[t].account_id]
                legs = charge_legs[t] = (Leg(debtor, rent[unit]), Leg(income, minus_rent[unit]))
            charges.append(EntryDraft(day1, legs, memo, reference))
        payments: list[tuple[date, int, int]] = []  # (day, tenancy, cents)
        for unit in range(profile.units):
            t = current[unit]
            payer = payer_names[plan.tenancies[t].payer]
            cents = _payment(payer, plan.rent_cents[unit], arrears[t], rng)
            if cents > 0:
                first, last = (1, 10) if payer == "reliable" else (5, 28)
                day = day1.replace(day=rng.randint(first, last))
                payments.append((day, t, cents))
        for t in leaving:  # some households settle what they owe once they have moved out
            if arrears[t] > 0 and rng.random() < 0.3:
                payments.append((day1.replace(day=15), t, arrears[t]))
        payments.sort(key=lambda p: p[0])
        receipts = []
        for line, (day, t, cents) in enumerate(payments, start=1):
            arrears[t] -= cents
            amount = _cents(cents)
            receipts.append(
                EntryDraft(
                    day,
                    (Leg(bank, amount), Leg(accounts[plan.tenancies[t].account_id], -amount)),
                    "Bank transfer",
                    f"BANK-{label}-{line:06d}",
                )
            )
        drafts_done = time.perf_counter()
        stats.drafts_seconds += drafts_done - month_started

        charge_seconds, calls = _post(
            session, book, charges, f"bench-{profile.code}-rent-{label}" if keys else None, chunk
        )
        stats.charge_runs.append(round(charge_seconds, 4))
        payment_seconds, more_calls = _post(
            session, book, receipts, f"bench-{profile.code}-bank-{label}" if keys else None, chunk
        )
        stats.post_many_seconds += charge_seconds + payment_seconds
        stats.post_many_calls += calls + more_calls
        committing = time.perf_counter()
        session.commit()
        stats.commit_seconds += time.perf_counter() - committing

        stats.months = m + 1
        stats.entries += len(charges) + len(receipts)
        stats.postings += 2 * (len(charges) + len(receipts))
        elapsed = time.perf_counter() - started
        remaining = elapsed / (m + 1) * (profile.months - m - 1)
        _progress(
            f"[{profile.code}] month {m + 1}/{profile.months} {label}: "
            f"{stats.entries:,} entries, {stats.postings:,} postings; "
            f"charge run {charge_seconds:.2f}s, payments {payment_seconds:.2f}s; "
            f"{stats.post_many_rate:,.0f} postings/s in post_many, "
            f"{stats.postings / elapsed:,.0f} end to end; rss {_rss_mb():.0f} MB; "
            f"eta {remaining:.0f}s"
        )
    stats.ledger_seconds = time.perf_counter() - started


def generate(
    engine: Engine,
    profile: Profile,
    *,
    seed: int = 42,
    keys: bool = True,
    chunk: int = 0,
    tracked: bool = True,
) -> GenerationStats:
    """Fill an empty, migrated database with ``profile``'s data; returns the figures of the run.

    ``tracked=False`` opens the debtor accounts without open items, as before they existed: only
    to measure what tracking items costs the generation.
    """
    stats = GenerationStats(
        profile=profile.code, seed=seed, keys=keys, chunk=chunk, tracked=tracked
    )
    began = time.perf_counter()
    rng = random.Random(seed)
    plan = make_plan(profile, rng)
    with make_sessionmaker(engine)() as session:
        book, agency = build_registry(session, profile, plan, rng, stats)
        stats.registry_seconds = time.perf_counter() - began
        _progress(f"[{profile.code}] registry done in {stats.registry_seconds:.1f}s")
        timers = Timers()
        with timers.patched({"items": (posting, "_track")}):
            post_ledger(session, profile, plan, book, seed, stats, keys=keys, chunk=chunk)
        stats.items_seconds = round(timers.seconds["items"], 2)
        optimising = time.perf_counter()
        stats.optimise = optimise_after_load(engine)
        stats.optimise_seconds = time.perf_counter() - optimising
        stats.total_seconds = time.perf_counter() - began
        stats.peak_rss_mb = round(_peak_rss_mb(), 1)
        stats.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        audit(session, ACTOR, GENERATED, agency, after=stats.as_dict())
        session.commit()
    return stats
