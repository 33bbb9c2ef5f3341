"""Fill an empty database with a small, realistic social-housing agency and two years of books.

The demo is what a new developer, a tester and a prospective agency see first, and what later
features (arrears aging, early warning, reminders, reconciliation) are tried on. So it must look
like the real thing: real-looking addresses, valid tax codes, households moving out and in, and a
believable spread of payers, from the punctual majority to the household that stopped paying a
year ago.

Rules kept here:
- everything goes through the public operations (registry operations, creditor books, debtor
  accounts, ``post_many``), exactly as an import would, so the demo exercises their checks;
- the session is flushed, never committed: the caller commits once;
- the same ``seed`` and ``today`` give the same data, whatever ids the database hands out;
- nothing is dated after ``today``.

Charges follow the occupancy that covers their date ("by installment"): the rent of a month goes
to whoever lives in the unit on the 5th, an installment to whoever lives there on its due date.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin import formatting
from condo_admin.accounting.adjustments import close_year
from condo_admin.accounting.books import book_account, open_creditor_book
from condo_admin.accounting.budgets import LineSpec, approve_budget, create_budget
from condo_admin.accounting.charges import Period, run_charges, set_rent
from condo_admin.accounting.errors import NothingToCharge
from condo_admin.accounting.models import BookPurpose, Budget, DebtorAccount, ShareTable
from condo_admin.accounting.shares import define_share_table
from condo_admin.demo import plan as p
from condo_admin.demo.desk import seed_desk
from condo_admin.demo.restitution import seed_restitution
from condo_admin.demo.users import DEMO_PASSWORD, Login, seed_users
from condo_admin.registry import operations as registry
from condo_admin.registry.models import (
    Agency,
    Building,
    Household,
    HousingBody,
    Occupancy,
    Staircase,
    Unit,
    UnitKind,
    UnitStatus,
)
from ledger.models import Account, Book, JournalEntry, Posting
from ledger.money import from_cents, split_largest_remainder
from ledger.posting import EntryDraft, Leg, post_many
from ledger.queries import balances

ACTOR = "demo"
AGENCY_CODE = "ASA-NORDMI"
AGENCY_NAME = "Agenzia Sociale per l'Abitare – Nord Milano"

Progress = Callable[[str, int, int], None]

PAYMENT_MEMO = {
    "sdd": "Addebito diretto SEPA",
    "bonifico": "Pagamento bonifico",
    "pagopa": "Pagamento avviso pagoPA",
    "contanti": "Versamento contanti allo sportello",
}


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`seed_demo` created, for the command line and for tests."""

    housing_bodies: int
    buildings: int
    staircases: int
    units: int
    people: int
    households: int
    occupancies: int
    books: int
    entries: int
    #: Households whose debtor accounts, all books together, show a debt on ``period_end``.
    households_in_arrears: int
    total_arrears: Decimal
    period_start: date
    period_end: date
    #: Community-service restitution (:mod:`condo_admin.demo.restitution`).
    agreements: int = 0
    hour_entries: int = 0
    restitution_credited: Decimal = Decimal("0.00")
    plans: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    letters: int = 0
    logins: list[Login] = field(default_factory=list)

    def lines(self, locale: str | None = None) -> list[str]:
        """A short human summary; money and dates in ``locale`` (default: CONDO_LOCALE)."""
        share = self.households_in_arrears / self.households if self.households else 0
        return [
            f"{AGENCY_NAME} ({AGENCY_CODE})",
            f"{self.housing_bodies} housing bodies, {self.buildings} buildings, "
            f"{self.staircases} staircases, {self.units} units",
            f"{self.people} people in {self.households} households, "
            f"{self.occupancies} occupancies (current and past)",
            f"{self.books} books, {formatting.number(self.entries, locale)} journal entries "
            f"from {formatting.day(self.period_start, locale)} "
            f"to {formatting.day(self.period_end, locale)}",
            f"{self.households_in_arrears} households in arrears ({share:.0%}), "
            f"{formatting.money(self.total_arrears, locale)} owed in total",
            f"{self.agreements} restitution agreements, {self.hour_entries} hour entries, "
            f"{formatting.money(self.restitution_credited, locale)} credited for community "
            "service",
            f"{sum(self.plans.values())} repayment plans ("
            + ", ".join(f"{n} {status}" for status, n in sorted(self.plans.items()))
            + f"), {self.cases} cases, {self.letters} reminder letters",
            *(
                [f"logins, all with the password {DEMO_PASSWORD}:"]
                + [f"  {x.username:<12} {x.role.value:<13} {x.who}" for x in self.logins]
                if self.logins
                else []
            ),
        ]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def seed_demo(
    session: Session,
    *,
    today: date,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo agency with its registry and two years of ledger history up to ``today``.

    Expects a database without the demo agency (agency and book codes are fixed). Flushes but
    does not commit. ``progress(stage, done, total)`` is called as work advances.
    """
    if type(today) is not date:
        raise TypeError(f"today must be a date, not {type(today).__name__}")
    report = progress or _no_progress
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    world = p.make_plan(rng, today)

    writer = _RegistryWriter(session, world, report)
    writer.write()
    books, entries = _write_ledger(session, world, writer, seed, report)
    assert writer.agency is not None
    restitution = seed_restitution(
        session, writer.agency, start=world.start, today=today, seed=seed, progress=report
    )
    desk = seed_desk(session, writer.agency, today=today, progress=report)
    logins = seed_users(session, writer.agency)
    session.flush()

    in_arrears, total = _arrears(session, books, today)
    return DemoSummary(
        housing_bodies=len(writer.bodies),
        buildings=len(writer.buildings),
        staircases=sum(len(b.staircases) for b in writer.buildings.values()),
        units=len(writer.units),
        people=sum(len(h.members) for h in world.households),
        households=len(world.households),
        occupancies=len(world.occupancies),
        books=len(books),
        entries=entries + restitution.ledger_entries + desk.ledger_entries,
        households_in_arrears=in_arrears,
        total_arrears=total,
        period_start=world.start,
        period_end=today,
        agreements=restitution.agreements,
        hour_entries=restitution.hour_entries,
        restitution_credited=restitution.credited,
        plans=desk.plans,
        cases=desk.cases,
        letters=desk.letters,
        logins=logins,
    )


# --------------------------------------------------------------------------------------------
# Registry.


class _RegistryWriter:
    """Writes the planned registry with the registry operations and remembers what it made."""

    STAGE_REGISTRY = "Buildings and units"
    STAGE_PEOPLE = "Households and people"
    STAGE_OCCUPANCIES = "Occupancies"

    def __init__(self, session: Session, world: p.Plan, report: Progress) -> None:
        self.session = session
        self.world = world
        self.report = report
        self.agency: Agency | None = None
        self.bodies: dict[str, HousingBody] = {}
        self.buildings: dict[str, Building] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.households: dict[str, Household] = {}
        self.occupancies: list[tuple[p.OccupancyPlan, Occupancy]] = []

    def write(self) -> None:
        self._structure()
        self._households()
        self._occupancies()

    def _structure(self) -> None:
        session = self.session
        total = len(p.BODIES) + len(p.BUILDINGS) + len(self.world.units)
        done = 0
        self.report(self.STAGE_REGISTRY, done, total)
        self.agency = registry.create_agency(session, AGENCY_CODE, AGENCY_NAME, actor=ACTOR)
        for body in p.BODIES:
            self.bodies[body.code] = registry.create_housing_body(
                session, self.agency, body.code, body.name, body.kind, actor=ACTOR
            )
            done += 1
            self.report(self.STAGE_REGISTRY, done, total)
        for spec in p.BUILDINGS:
            self.buildings[spec.code] = registry.create_building(
                session,
                self.agency,
                spec.code,
                spec.name,
                address=spec.address,
                postcode=spec.postcode,
                city=spec.city,
                province="MI",
                staircases=tuple(code for code, _ in spec.staircases),
                actor=ACTOR,
            )
            done += 1
            self.report(self.STAGE_REGISTRY, done, total)
        staircases: dict[tuple[str, str], Staircase] = {
            (code, s.code): s for code, b in self.buildings.items() for s in b.staircases
        }
        for unit in self.world.units:
            building = self.buildings[unit.building.code]
            self.units[unit.key] = registry.create_unit(
                session,
                building,
                unit.code,
                unit.kind,
                actor=ACTOR,
                owner_body=self.bodies[unit.building.owner],
                staircase=staircases[(unit.building.code, unit.staircase)]
                if unit.staircase
                else None,
                floor=unit.floor,
                area_sqm=unit.area,
            )
            done += 1
            self.report(self.STAGE_REGISTRY, done, total)

    def _households(self) -> None:
        session, today = self.session, self.world.today
        assert self.agency is not None
        total = len(self.world.households)
        self.report(self.STAGE_PEOPLE, 0, total)
        for done, plan in enumerate(self.world.households, start=1):
            people = [
                registry.create_person(
                    session,
                    self.agency,
                    member.first_name,
                    member.last_name,
                    actor=ACTOR,
                    tax_code=member.tax_code,
                    birth_date=member.birth_date,
                    email=member.email,
                    phone=member.phone,
                    language=member.language,
                    today=today,
                )
                for member in plan.members
            ]
            household = registry.create_household(
                session,
                self.agency,
                plan.code,
                people[0],
                since=plan.holder.since,
                language=plan.language,
                actor=ACTOR,
            )
            for member, person in zip(plan.members[1:], people[1:], strict=True):
                registry.add_member(
                    session, household, person, since=member.since, role=member.role, actor=ACTOR
                )
            self.households[plan.code] = household
            self.report(self.STAGE_PEOPLE, done, total)

    def _occupancies(self) -> None:
        session = self.session
        total = len(self.world.occupancies)
        self.report(self.STAGE_OCCUPANCIES, 0, total)
        # A unit's occupancies are written in date order, so a later one never predates an end.
        for done, plan in enumerate(self.world.occupancies, start=1):
            unit = self.units[plan.unit.key]
            occupancy = registry.start_occupancy(
                session,
                self.households[plan.household.code],
                unit,
                start=plan.start,
                actor=ACTOR,
            )
            if plan.end is not None:
                registry.end_occupancy(session, occupancy, plan.end, actor=ACTOR)
            self.occupancies.append((plan, occupancy))
            self.report(self.STAGE_OCCUPANCIES, done, total)
        for unit_plan in self.world.units:
            if unit_plan.status is UnitStatus.UNDER_RENOVATION:
                registry.set_unit_status(
                    session, self.units[unit_plan.key], UnitStatus.UNDER_RENOVATION, actor=ACTOR
                )


# --------------------------------------------------------------------------------------------
# Ledger.


@dataclass(frozen=True)
class _Charge:
    """A charge to a debtor, positive, or a credit note, negative, split by income category."""

    day: date
    memo: str
    reference: str
    parts: dict[str, Decimal]

    @property
    def amount(self) -> Decimal:
        return sum(self.parts.values(), Decimal("0.00"))


@dataclass(frozen=True)
class _Payment:
    day: date
    amount: Decimal
    memo: str


@dataclass
class _BookJob:
    """One creditor book and the occupancies it charges."""

    code: str
    name: str
    purpose: BookPurpose
    creditor: Building | HousingBody
    categories: dict[str, str]
    occupancies: list[tuple[p.OccupancyPlan, Occupancy]]


def _book_jobs(writer: _RegistryWriter) -> list[_BookJob]:
    """One rent book per housing body (its units' rents), one service book per building."""
    jobs = []
    for spec in p.BODIES:
        jobs.append(
            _BookJob(
                code=f"CAN-{spec.code}",
                name=f"Canoni di locazione — {spec.name}",
                purpose=BookPurpose.RENT,
                creditor=writer.bodies[spec.code],
                categories={"RENT": "Canoni di locazione"},
                occupancies=[
                    o for o in writer.occupancies if o[0].unit.building.owner == spec.code
                ],
            )
        )
    for spec in p.BUILDINGS:
        jobs.append(
            _BookJob(
                code=f"SPE-{spec.code}",
                name=f"Spese condominiali — {spec.name}",
                purpose=BookPurpose.SERVICE_CHARGES,
                creditor=writer.buildings[spec.code],
                categories={c: p.SERVICE_CATEGORIES[c] for c in spec.rates},
                occupancies=[o for o in writer.occupancies if o[0].unit.building is spec],
            )
        )
    return jobs


STAGE_LEDGER = "Charges and payments"
STAGE_BUDGETS = "Share tables, budgets and rents"
STAGE_RUNS = "Monthly charge runs"
STAGE_PAYMENTS = "Payments"

_TABLE_KIND = {"HEATING": "heating", "LIFT": "lift", "CLEANING": "general", "GREEN": "general"}


def _write_ledger(
    session: Session, world: p.Plan, writer: _RegistryWriter, seed: int, report: Progress
) -> tuple[list[Book], int]:
    """Open the books, set up share tables, budgets and rents, run every month's charges, close
    the years, then post each household's payments; returns the books and the entries posted.

    Charges go through the same services an administrator uses (budgets, charge runs, year-end
    adjustments), so the demo shows what they produce; payments go in one ``post_many`` per
    book, as a bank-statement import would post them, and are allocated by the ledger.
    """
    jobs = _book_jobs(writer)
    books: dict[str, Book] = {}
    for job in jobs:
        books[job.code] = open_creditor_book(
            session,
            job.code,
            job.name,
            creditor=job.creditor,
            purpose=job.purpose,
            opened_on=world.start,
            income_categories=job.categories,
            actor=ACTOR,
        )
    report(STAGE_BUDGETS, 0, len(p.BUILDINGS) + 1)
    budgets: dict[int, list[Budget]] = defaultdict(list)
    for done, spec in enumerate(p.BUILDINGS, start=1):
        for budget in _budgets(session, world, writer, spec, books[f"SPE-{spec.code}"]):
            budgets[budget.year].append(budget)
        report(STAGE_BUDGETS, done, len(p.BUILDINGS) + 1)
    _rents(session, world, writer)
    report(STAGE_BUDGETS, len(p.BUILDINGS) + 1, len(p.BUILDINGS) + 1)

    months = _months(world.start, world.today)
    for done, month in enumerate(months, start=1):
        for job in jobs:
            if _due_after_today(job, month, world.today):
                continue
            try:
                run_charges(session, books[job.code], month, actor=ACTOR)
            except NothingToCharge:
                continue
        for budget in budgets.get(month.year - 1, []):
            adjusted_on = p.adjustment_date(budget.year)
            if month.first <= adjusted_on <= min(month.last, world.today):
                factors = world.adjustments.get((budget.building.code, budget.year), {})
                actuals = {
                    line.category: from_cents(line.amount_cents)
                    * (1 + factors.get(line.category, Decimal(0)))
                    for line in budget.lines
                }
                actuals = {c: p.money(a) for c, a in actuals.items()}
                close_year(session, budget, actuals, on=adjusted_on, actor=ACTOR)
        report(STAGE_RUNS, done, len(months))

    report(STAGE_PAYMENTS, 0, len(jobs))
    for done, job in enumerate(jobs, start=1):
        _post_payments(session, world, job, books[job.code], seed)
        report(STAGE_PAYMENTS, done, len(jobs))
    entries = session.scalar(
        select(func.count())
        .select_from(JournalEntry)
        .where(JournalEntry.book_id.in_([b.id for b in books.values()]))
    )
    return list(books.values()), entries or 0


def _months(start: date, today: date) -> list[Period]:
    months = []
    day = start.replace(day=1)
    while day <= today:
        months.append(Period(day.year, day.month))
        day = p.add_months(day, 1)
    return months


def _due_after_today(job: _BookJob, month: Period, today: date) -> bool:
    """Whether the run of ``month`` would date a charge after ``today`` (only the last month)."""
    if month.last <= today:
        return False
    if job.purpose is BookPurpose.RENT:
        return False  # rent is dated the 1st, or the day an occupancy starts (never in the future)
    return month.month in (1, 4, 7, 10) and today.day < p.INSTALLMENT_DAY


def _thousandths(weights: list[int]) -> list[Decimal]:
    """Shares in thousandths with three decimals, summing to exactly 1000."""
    parts = split_largest_remainder(1_000_000, weights)
    return [Decimal(part) / 1000 for part in parts]


def _budgets(
    session: Session, world: p.Plan, writer: _RegistryWriter, spec: p.BuildingSpec, book: Book
) -> list[Budget]:
    """One share table per expense category (units weighted by what the category costs them,
    i.e. by area where they take part) and one approved budget per year of the history."""
    building = writer.buildings[spec.code]
    units = sorted((u for u in world.units if u.building is spec), key=lambda u: u.code)
    tables: dict[str, ShareTable] = {}
    quarterly: dict[str, Decimal] = {}
    for category in spec.rates:
        taking_part = [u for u in units if u.service.get(category)]
        shares = _thousandths([int(u.service[category] * 100) for u in taking_part])
        tables[category] = define_share_table(
            session,
            building,
            category,
            p.SERVICE_CATEGORIES[category],
            _TABLE_KIND.get(category, "other"),
            {writer.units[u.key]: share for u, share in zip(taking_part, shares, strict=True)},
            actor=ACTOR,
        )
        quarterly[category] = sum((u.service[category] for u in taking_part), Decimal("0.00"))
    made = []
    for year in range(world.start.year, world.today.year + 1):
        due = [
            date(year, 3 * (n - 1) + 1, p.INSTALLMENT_DAY)
            for n in range(1, 5)
            if date(year, 3 * (n - 1) + 1, p.INSTALLMENT_DAY) >= world.start
        ]
        if not due:
            continue
        budget = create_budget(
            session,
            building,
            year,
            book=book,
            lines=[
                LineSpec(c, p.SERVICE_CATEGORIES[c], quarterly[c] * len(due), tables[c])
                for c in spec.rates
            ],
            due_dates=due,
            actor=ACTOR,
        )
        made.append(approve_budget(session, budget, actor=ACTOR))
    return made


def _rents(session: Session, world: p.Plan, writer: _RegistryWriter) -> None:
    """Each occupancy's rent, in force from the month it starts (or from the books' opening)."""
    seen: set[tuple[tuple[str, str], date]] = set()
    for plan, _occupancy in writer.occupancies:
        valid_from = max(world.start, plan.start).replace(day=1)
        if (plan.unit.key, valid_from) in seen:
            continue
        seen.add((plan.unit.key, valid_from))
        set_rent(
            session, writer.units[plan.unit.key], plan.rent, valid_from=valid_from, actor=ACTOR
        )


def _post_payments(session: Session, world: p.Plan, job: _BookJob, book: Book, seed: int) -> None:
    """Opening balances and each household's payments against what the charge runs charged."""
    accounts = {a.code: a for a in _accounts(session, book, job.categories)}
    debtors = {
        d.occupancy_id: d.account
        for d in session.scalars(select(DebtorAccount).where(DebtorAccount.book_id == book.id))
    }
    charged: dict[int, list[_Charge]] = defaultdict(list)
    rows = session.execute(
        select(Posting.account_id, Posting.entry_date, Posting.amount_cents, JournalEntry.memo)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.book_id == book.id, Posting.account_id.in_([a.id for a in debtors.values()]))
        .order_by(Posting.entry_date, Posting.id)
    )
    for account_id, day, cents, memo in rows:
        charged[account_id].append(_Charge(day, memo, "", {"X": from_cents(cents)}))
    drafts: list[EntryDraft] = []
    for plan, occupancy in job.occupancies:
        debtor = debtors.get(occupancy.id)
        if debtor is None:
            continue
        # One generator per debtor account: its history does not shift when another changes.
        rng = random.Random(f"{seed}:{job.code}:{debtor.code}")  # noqa: S311 - as above
        drafts += _payment_drafts(rng, world, job, plan, debtor, accounts, charged[debtor.id])
    drafts.sort(key=lambda d: d.entry_date)
    post_many(session, book, drafts, actor=ACTOR, key=f"demo-payments:{job.code}")


def _accounts(session: Session, book: Book, categories: dict[str, str]) -> list[Account]:
    """The accounts the demo posts to besides the debtors: bank, opening balances, income."""
    codes = ["BANK", "OPENING", *(f"INC.{c}" for c in categories)]
    return [book_account(session, book, code) for code in codes]


def _payment_drafts(
    rng: random.Random,
    world: p.Plan,
    job: _BookJob,
    plan: p.OccupancyPlan,
    debtor: Account,
    accounts: dict[str, Account],
    charges: list[_Charge],
) -> list[EntryDraft]:
    """Opening balance and payments of one debtor account, in no particular order."""
    behaviour = plan.household.behaviour
    drafts: list[EntryDraft] = []
    old_lease = job.purpose is BookPurpose.RENT and plan.unit.kind is UnitKind.FLAT
    if behaviour.kind == "old_debt" and old_lease:
        # Debt from before the books opened enters as an opening balance, as an import would.
        opening = behaviour.opening or Decimal("0.00")
        drafts.append(
            EntryDraft(
                world.start,
                [Leg(debtor, opening), Leg(accounts["OPENING"], -opening)],
                memo=f"Morosità pregressa al {world.start - timedelta(days=1):%d/%m/%Y}",
                reference=f"APE-{debtor.code}",
            )
        )
    if behaviour.kind == "disputes" and job.purpose is BookPurpose.SERVICE_CHARGES:
        behaviour = p.Behaviour("stopped", behaviour.method, stop=behaviour.stop)
    elif behaviour.kind == "disputes":
        behaviour = p.Behaviour("punctual", behaviour.method)
    earliest = max(world.start, plan.start)
    for payment in _payments(rng, behaviour, charges, earliest=earliest, today=world.today):
        drafts.append(
            EntryDraft(
                payment.day,
                [Leg(accounts["BANK"], payment.amount), Leg(debtor, -payment.amount)],
                memo=payment.memo,
                reference=_payment_reference(rng, behaviour.method, payment.day),
            )
        )
    return drafts


def _payment_reference(rng: random.Random, method: str, day: date) -> str | None:
    if method == "bonifico":
        return f"TRN {day:%Y%m%d}{rng.randint(0, 99999999):08d}"
    if method == "pagopa":
        return f"IUV {rng.randint(0, 10**15 - 1):015d}"
    return None


# --------------------------------------------------------------------------------------------
# Payment behaviour.


def _payments(
    rng: random.Random,
    behaviour: p.Behaviour,
    charges: list[_Charge],
    *,
    earliest: date,
    today: date,
) -> list[_Payment]:
    """The payments a household with ``behaviour`` makes against ``charges``, none after today."""
    memo = PAYMENT_MEMO[behaviour.method]
    payments: list[_Payment] = []

    def pay(day: date, amount: Decimal, text: str = memo, *, clamp: bool = True) -> None:
        if amount <= 0:
            return
        if day > today:
            if not clamp:
                return
            day = today
        payments.append(_Payment(max(day, earliest), amount, text))

    def delay(low: int = -3, high: int = 9) -> timedelta:
        return timedelta(days=0 if behaviour.method == "sdd" else rng.randint(low, high))

    kind = behaviour.kind
    credit = Decimal("0.00")  # credit notes reduce the next payment
    carry = Decimal("0.00")  # amounts left for later by an irregular payer
    arrears = Decimal("0.00")  # amounts the household did not pay (recovered: paid later)
    positive = [c for c in charges if c.amount > 0]
    last_two = {id(c) for c in positive[-2:]}
    for charge in charges:
        amount = charge.amount
        if amount <= 0:
            credit -= amount
            continue
        due = amount - credit
        credit = max(Decimal("0.00"), -due)
        due = max(Decimal("0.00"), due)
        if kind in ("punctual", "prepay"):
            pay(charge.day + delay(), due)
        elif kind == "irregular":
            if id(charge) not in last_two and rng.random() < 0.2:
                carry += due
                continue
            pay(charge.day + delay(0, 20), due + carry)
            carry = Decimal("0.00")
        elif kind == "late":
            pay(charge.day + timedelta(days=rng.randint(28, 70)), due, clamp=False)
        elif kind == "partial":
            if rng.random() < 0.8:
                fraction = behaviour.fraction or Decimal("1")
                part = (due * fraction).quantize(Decimal("1"), rounding=ROUND_DOWN)
                pay(charge.day + timedelta(days=rng.randint(0, 25)), part)
        elif kind == "stopped":
            assert behaviour.stop is not None
            if charge.day < behaviour.stop:
                pay(charge.day + delay(), due, clamp=False)
        elif kind == "recovered":
            assert behaviour.gap is not None
            gap_start, gap_end = behaviour.gap
            if gap_start <= charge.day < gap_end:
                arrears += due
                continue
            pay(charge.day + delay(), due)
        elif kind == "old_debt":
            if rng.random() < 0.65:
                pay(charge.day + timedelta(days=rng.randint(0, 30)), due)
        else:
            raise ValueError(f"unknown payment behaviour {kind!r}")

    if kind == "stopped" and behaviour.stop is not None and rng.random() < 0.5:
        on_account = Decimal(rng.choice((50, 80, 100)))
        later = behaviour.stop + timedelta(days=rng.randint(20, 60))
        pay(later, on_account, "Acconto", clamp=False)
    if kind == "recovered" and behaviour.gap is not None:
        pay(behaviour.gap[1] + timedelta(days=rng.randint(5, 25)), arrears, "Saldo arretrati")
    if kind == "prepay" and positive:
        twice = positive[max(0, len(positive) - rng.randint(3, 6))]
        pay(twice.day + timedelta(days=2), twice.amount, f"{memo} (versato due volte)")
    return payments


# --------------------------------------------------------------------------------------------
# Summary.


def _arrears(session: Session, books: Iterable[Book], today: date) -> tuple[int, Decimal]:
    """Households owing money on ``today`` (all their debtor accounts together) and the total."""
    links = session.execute(
        select(DebtorAccount.account_id, DebtorAccount.household_id).where(
            DebtorAccount.book_id.in_([b.id for b in books])
        )
    ).all()
    found = balances(session, [account_id for account_id, _ in links], as_of=today)
    per_household: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for account_id, household_id in links:
        per_household[household_id] += found[account_id]
    owing = [amount for amount in per_household.values() if amount > 0]
    return len(owing), sum(owing, Decimal("0.00"))
