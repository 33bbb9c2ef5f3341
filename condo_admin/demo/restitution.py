"""Community-service restitution in the demo: rates, agreements, months of hours, monthly credits.

Runs after the ledger history (:mod:`condo_admin.demo.seed`), on the households it left in
arrears, and only through the restitution services (``volunteering``), so the demo exercises their
rules: the rate of the day, the caps, reviewers from outside the household, credit never beyond
the debt. It shows every state an agreement and an hour entry can be in:

- one agreement per role below, each on the largest debt of a household still living in its unit
  that stayed above €200 over the agreement's months (the largest debts go to the roles first);
- ``ended``: six months from the third month of the history, then ended;
- ``capped``: active for six months, with an hour cap that the last verified entry finds used up,
  so it stays *verified, not creditable*, naming the cap;
- ``suspended``: started five months ago, suspended six weeks ago;
- ``disputes``: active for four months; a rejection contested and accepted by a second reviewer,
  a verification contested and confirmed, one dispute still open;
- ``active``: active for three months;
- ``draft``: drawn up today, not yet signed.

Hours of the last ten days are still submitted, a few others are rejected with a reason; the rest
are verified by the supervisor, a holder of another household. Each month's verified hours are
credited on the month's last day (not yet for the current month, whose hours stay verified).

Dates: every hour entry, crediting and signature is on or before ``today``; the term of a running
agreement (``end_date``) naturally runs past it. The services stamp decisions and the trail with
the clock (``decided_at``, events), which the demo cannot date: a contested decision is contested
on the day it was stamped, within its dispute period.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.models import DebtorAccount
from condo_admin.demo.plan import add_months
from condo_admin.registry.models import (
    Agency,
    Household,
    HouseholdMember,
    MemberRole,
    Occupancy,
    Person,
)
from ledger.models import Posting
from volunteering import agreements, crediting, hours
from volunteering.agreements import Caps
from volunteering.catalogue import activity, set_rate
from volunteering.models import Activity, ActivityRate, Agreement, HourEntry, SubmitterRole

ACTOR = "demo"
STAGE = "Community-service restitution"

#: Hourly rates from the start of the history; GREEN goes up to €8.00 on 1 January of the year of
#: ``today`` (when that is after the start), so some hours earn the old rate and some the new.
RATES = {
    "PAINTING": "8.00",
    "GREEN": "7.50",
    "MAIL": "7.50",
    "CONCIERGE": "7.50",
    "CUSTODY": "7.50",
    "MAINTENANCE": "8.00",
}
RAISED = ("GREEN", "8.00")

#: A debt must stay at least this large over an agreement's months to be chosen for it.
MIN_DEBT_CENTS = 20000
#: Hours of the last days before ``today`` are not yet reviewed.
REVIEW_DELAY = timedelta(days=10)
REJECT_REASONS = (
    "Ore non confermate dal supervisore",
    "Attività non svolta nel giorno indicato",
    "Ore già registrate su un'altra scheda",
)
TASKS = {
    "PAINTING": ("Tinteggiatura vano scala", "Verniciatura ringhiere", "Tinteggiatura cantine"),
    "GREEN": ("Taglio erba cortile", "Pulizia aiuole", "Irrigazione giardino"),
    "MAIL": ("Smistamento posta nelle cassette", "Distribuzione avvisi condominiali"),
    "CONCIERGE": ("Presidio ingresso", "Ritiro pacchi e segnalazione guasti"),
    "CUSTODY": ("Sorveglianza spazi comuni", "Visita a vicini anziani"),
    "MAINTENANCE": ("Sostituzione lampadine scale", "Regolazione chiudiporta"),
}


@dataclass(frozen=True)
class Role:
    """What one demo agreement shows: how long it has run, what became of it."""

    name: str
    #: Months between the start of the history and the agreement's start (``None``: counted
    #: back from ``today`` by ``months``).
    after_start: int | None
    months: int
    status: str


#: In the order the debts are handed out, the largest first.
ROLES = (
    Role("ended", after_start=2, months=6, status="ended"),
    Role("capped", after_start=None, months=6, status="active"),
    Role("suspended", after_start=None, months=5, status="suspended"),
    Role("disputes", after_start=None, months=4, status="active"),
    Role("active", after_start=None, months=3, status="active"),
    Role("draft", after_start=None, months=0, status="draft"),
)


@dataclass
class _Work:
    """One planned hour entry and what becomes of it: ``verify``, ``reject`` or ``submit``."""

    day: date
    activity: str
    hours: Decimal
    fate: str
    #: For the disputes agreement: ``accept`` (a rejection overturned), ``confirm`` (a
    #: verification upheld) or ``open`` (still disputed).
    dispute: str | None = None


@dataclass
class RestitutionSummary:
    agreements: int = 0
    hour_entries: int = 0
    #: Ledger entries posted (one per credited hour entry) and what they credited.
    ledger_entries: int = 0
    credited: Decimal = Decimal("0.00")
    by_role: dict[str, str] = field(default_factory=dict)


def seed_restitution(
    session: Session,
    agency: Agency,
    *,
    start: date,
    today: date,
    seed: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> RestitutionSummary:
    """Rates, agreements and hours for the demo agency's households in arrears (see above)."""
    report = progress or (lambda _stage, _done, _total: None)
    rng = random.Random(f"{seed}:restitution")  # noqa: S311 - reproducible demo data
    report(STAGE, 0, len(ROLES))
    acts = {code: activity(session, code) for code in RATES}
    _rates(session, acts, start, today)
    debts = _debts(session, agency, today)
    outsiders = _holders(session, agency, exclude={d.household_id for d in debts})
    summary = RestitutionSummary()
    used: set[int] = set()
    for done, role in enumerate(ROLES, start=1):
        begin, end = _term(role, start, today)
        debtor = next(
            (
                d
                for d in debts
                if d.household_id not in used
                and (role.status == "draft" or _lowest(session, d, begin, today) >= MIN_DEBT_CENTS)
            ),
            None,
        )
        if debtor is None or len(outsiders) < 2:
            report(STAGE, done, len(ROLES))
            continue
        used.add(debtor.household_id)
        supervisor, reviewer = rng.sample(outsiders, 2)
        agreement = _Agreement(session, rng, role, agency, debtor, acts, today)
        agreement.run(begin, end, summary.agreements + 1, supervisor, reviewer)
        summary.agreements += 1
        summary.hour_entries += agreement.entries
        summary.ledger_entries += agreement.ledger_entries
        summary.credited += agreement.credited
        summary.by_role[role.name] = agreement.code
        report(STAGE, done, len(ROLES))
    return summary


def _rates(session: Session, acts: dict[str, Activity], start: date, today: date) -> None:
    """The rates of the six activities, unless the database already has them from those days."""
    wanted = [(acts[code], hourly, start) for code, hourly in RATES.items()]
    raised_on = date(today.year, 1, 1)
    if raised_on > start:
        wanted.append((acts[RAISED[0]], RAISED[1], raised_on))
    for act, hourly, valid_from in wanted:
        exists = session.scalar(
            select(ActivityRate.id).where(
                ActivityRate.activity_id == act.id, ActivityRate.valid_from == valid_from
            )
        )
        if exists is None:
            set_rate(session, act, hourly, valid_from=valid_from, actor=ACTOR)


def _debts(session: Session, agency: Agency, today: date) -> list[DebtorAccount]:
    """Each current household's largest debt on ``today``, the largest first."""
    rows = session.execute(
        select(DebtorAccount, func.coalesce(func.sum(Posting.amount_cents), 0))
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Household, Household.id == DebtorAccount.household_id)
        .join(Posting, Posting.account_id == DebtorAccount.account_id)
        .where(
            Household.agency_id == agency.id,
            Occupancy.end_date.is_(None),
            Posting.entry_date <= today,
        )
        .group_by(DebtorAccount.id)
    ).all()
    largest: dict[int, tuple[int, DebtorAccount]] = {}
    for debtor, cents in sorted(rows, key=lambda r: (-r[1], r[0].account.code)):
        if cents >= MIN_DEBT_CENTS and debtor.household_id not in largest:
            largest[debtor.household_id] = (cents, debtor)
    return [debtor for _, debtor in sorted(largest.values(), key=lambda r: -r[0])]


def _lowest(session: Session, debtor: DebtorAccount, begin: date, today: date) -> int:
    """The lowest balance of the debtor account, in cents, from ``begin`` to ``today``."""
    account_id = debtor.account_id
    running = session.scalar(
        select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
            Posting.account_id == account_id, Posting.entry_date <= begin
        )
    )
    lowest = running
    for cents in session.scalars(
        select(func.sum(Posting.amount_cents))
        .where(
            Posting.account_id == account_id,
            Posting.entry_date > begin,
            Posting.entry_date <= today,
        )
        .group_by(Posting.entry_date)
        .order_by(Posting.entry_date)
    ):
        running += cents
        lowest = min(lowest, running)
    return lowest


def _holders(session: Session, agency: Agency, *, exclude: set[int]) -> list[Person]:
    """Holders of current households without a debt: the supervisors and second reviewers."""
    return list(
        session.scalars(
            select(Person)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Occupancy, Occupancy.household_id == Household.id)
            .where(
                Household.agency_id == agency.id,
                HouseholdMember.role == MemberRole.HOLDER,
                HouseholdMember.end_date.is_(None),
                Occupancy.end_date.is_(None),
                Household.id.not_in(exclude or {0}),
            )
            .distinct()
            .order_by(Person.tax_code, Person.last_name, Person.first_name)
        )
    )


def _term(role: Role, start: date, today: date) -> tuple[date, date]:
    """First and last day of the agreement of ``role``."""
    if role.status == "draft":
        return today, add_months(today, 12) - timedelta(days=1)
    if role.after_start is not None:
        begin = add_months(start.replace(day=1), role.after_start)
        return begin, add_months(begin, role.months) - timedelta(days=1)
    begin = add_months(today.replace(day=1), -role.months)
    return begin, add_months(begin, 12) - timedelta(days=1)


def _month_ends(begin: date, last: date) -> list[date]:
    ends = []
    month = begin.replace(day=1)
    while month <= last:
        ends.append(add_months(month, 1) - timedelta(days=1))
        month = add_months(month, 1)
    return ends


class _Agreement:
    """Writes one agreement and its history through the services."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        role: Role,
        agency: Agency,
        debtor: DebtorAccount,
        acts: dict[str, Activity],
        today: date,
    ) -> None:
        self.session, self.rng, self.role = session, rng, role
        self.agency, self.debtor = agency, debtor
        self.today = today
        self.allowed = sorted(rng.sample(sorted(acts), rng.randint(1, 3)))
        self.acts = acts
        self.code = ""
        self.entries = 0
        self.ledger_entries = 0
        self.credited = Decimal("0.00")

    def run(
        self, begin: date, end: date, number: int, supervisor: Person, reviewer: Person
    ) -> None:
        """Create the agreement ``RES-<year>-<number>`` and write its history."""
        role, rng = self.role, self.rng
        self.supervisor, self.reviewer = supervisor, reviewer
        self.code = f"RES-{begin.year}-{number:02d}"
        # Hours stop at the end of the term, today, or six weeks before today when suspended.
        last = min(end, self.today)
        if role.status == "suspended":
            last = self.today - timedelta(weeks=6)
        plan = self._plan(begin, last) if role.status != "draft" else []
        verified = [w for w in plan if w.fate == "verify"]
        caps = Caps(euros=self._euro_cap(plan), hours_per_year="300")
        if role.name == "capped" and len(verified) >= 2:
            # Enough for every verified entry but the last, which stays verified, not creditable.
            allowed = sum((w.hours for w in verified[:-1]), Decimal(0))
            caps = Caps(euros=caps.euros, hours=str(allowed))
        agreement = agreements.create_agreement(
            self.session,
            self.agency,
            self.code,
            household=self.debtor.household,
            debtor=self.debtor,
            supervisor=self.supervisor,
            activities=[self.acts[code] for code in self.allowed],
            start=begin,
            end=end,
            insurance_ref=f"Polizza RCT {begin.year}/{rng.randint(100, 9999):04d}",
            caps=caps,
            signed_on=None
            if role.status == "draft"
            else begin - timedelta(days=rng.randint(3, 12)),
            actor=ACTOR,
        )
        if role.status == "draft":
            return
        agreements.activate(self.session, agreement, actor=ACTOR)
        self._history(agreement, plan, last)
        if role.status == "suspended":
            agreements.suspend(
                self.session, agreement, reason="Sospeso: certificato medico", actor=ACTOR
            )
        elif role.status == "ended":
            agreements.end(
                self.session, agreement, reason="Accordo concluso alla scadenza", actor=ACTOR
            )

    def _plan(self, begin: date, last: date) -> list[_Work]:
        """Up to two sessions a week, one on average, Monday to Saturday, ``begin`` to ``last``."""
        rng, plan = self.rng, []
        monday = begin - timedelta(days=begin.weekday())
        while monday <= last:
            days = sorted(rng.sample(range(6), rng.choice((0, 1, 1, 2))))
            for offset in days:
                day = monday + timedelta(days=offset)
                if not begin <= day <= last:
                    continue
                code = rng.choice(self.allowed)
                amount = Decimal(rng.choice(("1.5", "2", "2", "2.5", "3", "3", "3.5", "4")))
                if day > self.today - REVIEW_DELAY:
                    fate = "submit"
                else:
                    fate = "reject" if rng.random() < 0.07 else "verify"
                plan.append(_Work(day, code, amount, fate))
            monday += timedelta(days=7)
        if self.role.name == "disputes":
            self._disputes(plan)
        return plan

    def _disputes(self, plan: list[_Work]) -> None:
        """Mark the contested entries: early ones settled, the last reviewed one still open."""
        reviewed = [w for w in plan if w.fate != "submit"]
        if len(reviewed) < 4:
            return
        reviewed[1].fate, reviewed[1].dispute = "reject", "accept"
        reviewed[2].fate, reviewed[2].dispute = "verify", "confirm"
        reviewed[-1].fate, reviewed[-1].dispute = "verify", "open"

    def _euro_cap(self, plan: list[_Work]) -> str:
        """A round cap above what the planned hours could earn at the highest rate."""
        most = sum((w.hours for w in plan), Decimal(0)) * 8
        return str((int(most) // 100 + 2) * 100)

    def _history(self, agreement: Agreement, plan: list[_Work], last: date) -> None:
        """Month by month: hours submitted and reviewed, then credited on the month's last day."""
        session = self.session
        for month_end in _month_ends(agreement.start_date, last):
            month = [w for w in plan if w.day.replace(day=1) == month_end.replace(day=1)]
            for work in month:
                entry = hours.submit(
                    session,
                    agreement,
                    work_date=work.day,
                    activity=self.acts[work.activity],
                    hours=work.hours,
                    description=self.rng.choice(TASKS[work.activity]),
                    role=SubmitterRole.SUPERVISOR
                    if self.rng.random() < 0.5
                    else SubmitterRole.RESIDENT,
                    actor=ACTOR,
                    today=self.today,
                )
                self.entries += 1
                self._review(entry, work)
            if month_end <= self.today:
                result = crediting.credit(session, agreement, on=month_end, actor=ACTOR)
                self.ledger_entries += len(result.credited)
                self.credited += result.total

    def _review(self, entry: HourEntry, work: _Work) -> None:
        session, supervisor = self.session, self.supervisor
        if work.fate == "verify":
            hours.verify(session, entry, reviewer=supervisor, actor=ACTOR)
        elif work.fate == "reject":
            hours.reject(
                session,
                entry,
                reviewer=supervisor,
                reason=self.rng.choice(REJECT_REASONS),
                actor=ACTOR,
            )
        if work.dispute is None:
            return
        assert entry.decided_at is not None
        hours.dispute(
            session,
            entry,
            reason="Le ore sono state svolte come concordato"
            if work.fate == "reject"
            else "Le ore riconosciute sono meno di quelle svolte",
            actor="resident",
            today=entry.decided_at.date(),
        )
        if work.dispute != "open":
            hours.resolve(
                session,
                entry,
                reviewer=self.reviewer,
                accept=True,
                reason="Confermato dal referente di scala"
                if work.dispute == "accept"
                else "Ore verificate con il supervisore: confermate",
                actor=ACTOR,
            )
