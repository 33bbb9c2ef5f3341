"""A restitution programme to test against: a household in debt, two outside reviewers, rates.

``Programme(session)`` builds, through the public operations only:

- an :class:`~tests.condo_admin.accounting.estate.Estate` (one building, a service-charge book with
  income ``FEES``, two households with debtor accounts) whose first household owes ``months``
  monthly charges of ``monthly`` euros, dated the 1st of each month from January 2024 (by default
  6 x €100.00 = €600.00);
- a supervisor and a second reviewer, people of the agency outside that household, with valid
  tax codes;
- the rates of PAINTING and GREEN: €7.50 an hour from 1 January 2024, €8.00 from 1 January 2025.

:meth:`Programme.agreement` then makes an agreement (active by default) on that debt, and the
other methods drive its hour entries through the services with sensible defaults, so that a test
reads as the story it tells::

    p = Programme(session)
    p.agreement(caps=Caps(euros="100.00"))
    entry = p.verify(p.submit(date(2024, 3, 4), "3.5"))  # 3.5 h x €7.50 = €26.25
    p.credit(date(2024, 3, 31))
    assert p.debt() == Decimal("573.75")

Methods taking an ``agreement`` use the last one :meth:`Programme.agreement` made when it is
omitted. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.demo.taxcodes import Sex, tax_code
from condo_admin.registry import operations as registry
from condo_admin.registry.models import Household, Person
from ledger.models import Account, JournalEntry
from ledger.queries import balance
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from volunteering import agreements, crediting, hours
from volunteering.agreements import Caps
from volunteering.catalogue import activity, set_rate
from volunteering.crediting import CreditResult
from volunteering.models import Activity, ActivityRate, Agreement, HourEntry, HourStatus

#: The day the programme's operations consider "today" unless told otherwise.
TODAY = date(2025, 12, 31)
#: Agreements run over two calendar years by default, so yearly caps can be tried.
START, END = date(2024, 1, 1), date(2025, 12, 31)
#: The rates set for PAINTING and GREEN: (valid from, euros an hour).
RATES = ((date(2024, 1, 1), "7.50"), (date(2025, 1, 1), "8.00"))
ACTIVITIES = ("PAINTING", "GREEN")


class Programme:
    """One household in debt on its service charges, two outside reviewers, rates set."""

    def __init__(
        self,
        session: Session,
        *,
        monthly: str = "100.00",
        months: int = 6,
        today: date = TODAY,
    ) -> None:
        self.session = session
        self.today = today
        self.estate = Estate(session)
        self.debtor: DebtorAccount = self.estate.rossi
        self.household: Household = self.debtor.household
        #: What the household was charged, in total (the debt before any restitution).
        self.charged = Decimal("0.00")
        for month in range(months):
            day = date(2024 + month // 12, month % 12 + 1, 1)
            self.estate.charge(self.debtor, day, monthly)
            self.charged += Decimal(monthly)
        self.supervisor = self.person("Ferrari", "Luca", date(1961, 4, 12), "M")
        self.reviewer = self.person("Neri", "Anna", date(1975, 9, 3), "F")
        #: A member of the household: never allowed to verify or judge its hours.
        self.member: Person = self.household.members[0].person
        self.activities: dict[str, Activity] = {
            code: activity(session, code) for code in ACTIVITIES
        }
        self.painting, self.green = self.activities["PAINTING"], self.activities["GREEN"]
        for act in self.activities.values():
            for valid_from, hourly in RATES:
                self._rate(act, hourly, valid_from)
        self.current: Agreement | None = None
        self._codes = 0

    # Set-up --------------------------------------------------------------------------------

    def person(self, surname: str, first: str, born: date, sex: Sex) -> Person:
        """A person of the estate's agency with a valid tax code (born in Milan)."""
        return registry.create_person(
            self.session,
            self.estate.agency,
            first,
            surname,
            tax_code=tax_code(surname, first, born, sex, "F205"),
            birth_date=born,
            actor=ACTOR,
        )

    def _rate(self, act: Activity, hourly: str, valid_from: date) -> None:
        """Set a rate unless one from that day exists (rates are global, not per agency)."""
        exists = self.session.scalar(
            select(ActivityRate.id).where(
                ActivityRate.activity_id == act.id, ActivityRate.valid_from == valid_from
            )
        )
        if exists is None:
            set_rate(self.session, act, hourly, valid_from=valid_from, actor=ACTOR)

    def agreement(
        self,
        caps: Caps | None = None,
        *,
        code: str | None = None,
        active: bool = True,
        activities: Sequence[str] = ACTIVITIES,
        start: date = START,
        end: date = END,
        dispute_days: int = 14,
        supervisor: Person | None = None,
    ) -> Agreement:
        """An agreement on the household's debt, activated unless ``active=False``.

        It becomes :attr:`current`, the one the other methods use by default.
        """
        self._codes += 1
        made = agreements.create_agreement(
            self.session,
            self.estate.agency,
            code or f"RA-{self._codes}",
            household=self.household,
            debtor=self.debtor,
            supervisor=supervisor or self.supervisor,
            activities=[self._activity(code) for code in activities],
            start=start,
            end=end,
            insurance_ref="INAIL 123/2024",
            caps=caps,
            dispute_days=dispute_days,
            signed_on=start,
            actor=ACTOR,
        )
        if active:
            agreements.activate(self.session, made, actor=ACTOR)
        self.current = made
        return made

    def _agreement(self, agreement: Agreement | None) -> Agreement:
        chosen = agreement or self.current
        if chosen is None:
            raise AssertionError("call Programme.agreement() first")
        return chosen

    # Hours ---------------------------------------------------------------------------------

    def submit(
        self,
        day: date,
        amount: Decimal | str,
        activity: str | Activity = "PAINTING",
        *,
        agreement: Agreement | None = None,
        role: str = "resident",
        today: date | None = None,
    ) -> HourEntry:
        """Log ``amount`` hours of ``activity`` worked on ``day``, as the resident."""
        act = activity if isinstance(activity, Activity) else self._activity(activity)
        return hours.submit(
            self.session,
            self._agreement(agreement),
            work_date=day,
            activity=act,
            hours=amount,
            description=f"{act.name}, scala A",
            role=role,
            actor=role,
            today=today or self.today,
        )

    def _activity(self, code: str) -> Activity:
        return self.activities.get(code) or activity(self.session, code)

    def verify(self, entry: HourEntry, reviewer: Person | None = None) -> HourEntry:
        """Verified by the supervisor unless another reviewer is named."""
        return hours.verify(
            self.session, entry, reviewer=reviewer or self.supervisor, actor="supervisor"
        )

    def reject(
        self, entry: HourEntry, reason: str = "Non svolte", reviewer: Person | None = None
    ) -> HourEntry:
        return hours.reject(
            self.session,
            entry,
            reviewer=reviewer or self.supervisor,
            reason=reason,
            actor="supervisor",
        )

    def dispute(
        self, entry: HourEntry, reason: str = "Le ore sono state svolte", today: date | None = None
    ) -> HourEntry:
        """Contested by the resident; ``today`` defaults to the day of the decision."""
        if today is None:
            assert entry.decided_at is not None
            today = entry.decided_at.date()
        return hours.dispute(self.session, entry, reason=reason, actor="resident", today=today)

    def resolve(
        self,
        entry: HourEntry,
        accept: bool = True,
        reviewer: Person | None = None,
        reason: str = "Verificato con il supervisore",
    ) -> HourEntry:
        """Decided by ``reviewer``, by default whichever of the two did not decide before."""
        if reviewer is None:
            reviewer = (
                self.reviewer if entry.decided_by_id == self.supervisor.id else self.supervisor
            )
        return hours.resolve(
            self.session, entry, reviewer=reviewer, accept=accept, reason=reason, actor="reviewer"
        )

    def credit(
        self,
        on: date,
        entries: Sequence[HourEntry] | None = None,
        *,
        agreement: Agreement | None = None,
    ) -> CreditResult:
        """Credit the verified entries (all, or ``entries``) on ``on``."""
        return crediting.credit(
            self.session, self._agreement(agreement), on=on, actor="operator", entries=entries
        )

    def uncredit(
        self, entry: HourEntry, reason: str = "Errore di accredito", on: date | None = None
    ) -> JournalEntry:
        return crediting.uncredit(self.session, entry, reason=reason, actor="operator", on=on)

    # Reading -------------------------------------------------------------------------------

    def entries(self, agreement: Agreement | None = None) -> list[HourEntry]:
        """The hour entries of the agreement, oldest first."""
        return list(
            self.session.scalars(
                select(HourEntry)
                .where(HourEntry.agreement_id == self._agreement(agreement).id)
                .order_by(HourEntry.id)
            )
        )

    def by_status(self, status: HourStatus, agreement: Agreement | None = None) -> list[HourEntry]:
        return [e for e in self.entries(agreement) if e.status is status]

    def debt(self, as_of: date | None = None) -> Decimal:
        """The household's balance on the debtor account (positive: what it owes)."""
        return balance(self.session, self.debtor.account, as_of=as_of)

    @property
    def community(self) -> Account:
        """The book's community-service credit account, debited by every credit."""
        return book_account(self.session, self.estate.book, "COMMUNITY")

    def credited(self) -> Decimal:
        """What restitution credited so far, read from the ledger (the COMMUNITY balance)."""
        return balance(self.session, self.community)


__all__ = ["ACTIVITIES", "END", "RATES", "START", "TODAY", "Caps", "Programme"]
