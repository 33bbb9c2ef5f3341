"""An advice desk to test against: a household in arrears and the operations the desk uses on it.

``Office(session)`` builds, through the public operations only, an
:class:`~tests.condo_admin.accounting.estate.Estate` (one building, a service-charge book with
income ``FEES``, households ``rossi`` and ``bianchi`` with debtor accounts) whose first household
owes ``months`` monthly charges of ``monthly`` euros, dated the 1st of each month from January 2024
(by default 6 x €100.00 = €600.00, all of it owed on :data:`AS_OF`, 30 June 2024).

Pass ``estate=`` (for instance a :class:`~tests.volunteering.programme.Programme`'s) to work on a
ledger built elsewhere: nothing is charged then. The helpers read as the story a test tells::

    o = Office(session)
    plan = o.plan(count=3)  # €600.00 in 3 x €200.00, due 31 July, 31 August, 30 September
    o.pay(date(2024, 8, 5), "200.00")  # on time: 5 days of grace
    assert o.check(date(2024, 8, 6)) == []  # nothing newly missed

Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account, debtor_account, open_creditor_book
from condo_admin.accounting.models import BookPurpose, DebtorAccount
from condo_admin.accounting.payments import PaymentResult, record_payment, reverse_payment
from condo_admin.audit.models import AuditEvent
from condo_admin.desk import plans
from condo_admin.desk.models import PlanEvent, PlanInstallment, RepaymentPlan
from condo_admin.desk.plans import InstallmentDraft, Settings
from condo_admin.registry.models import Household
from ledger.models import Book, JournalEntry
from ledger.posting import Leg, post
from ledger.queries import balance
from tests import factories
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from volunteering.models import Agreement

#: The day the debt is stated unless a test says otherwise: every default charge is owed by then.
AS_OF = date(2024, 6, 30)
#: The first installment of a default plan: a month after ``AS_OF`` (the end of the month).
FIRST_DUE = date(2024, 7, 31)


class Office:
    """One household (``rossi``) owing monthly service charges, and a second one (``bianchi``)."""

    def __init__(
        self,
        session: Session,
        *,
        months: int = 6,
        monthly: str = "100.00",
        estate: Estate | None = None,
    ) -> None:
        self.session = session
        self.estate = estate or Estate(session)
        self.agency = self.estate.agency
        self.book = self.estate.book
        self.debtor: DebtorAccount = self.estate.rossi
        self.household: Household = self.debtor.household
        self.other: DebtorAccount = self.estate.bianchi
        if estate is None:
            for month in range(months):
                self.charge(date(2024 + month // 12, month % 12 + 1, 1), monthly)

    # The ledger ----------------------------------------------------------------------------

    def charge(self, day: date, amount: str, debtor: DebtorAccount | None = None) -> int:
        """A service charge on ``day``; the entry id."""
        return self.estate.charge(debtor or self.debtor, day, amount)

    def pay(self, day: date, amount: str, debtor: DebtorAccount | None = None) -> PaymentResult:
        """A payment by the household (oldest charge first), recorded at the desk."""
        return record_payment(self.session, debtor or self.debtor, amount, day, actor=ACTOR)

    def bounce(self, payment: PaymentResult, on: date) -> JournalEntry:
        """The payment is reversed on ``on`` (a bounced cheque)."""
        return reverse_payment(
            self.session, payment.entry_id, reason="Assegno insoluto", actor=ACTOR, on=on
        )

    def rent_book(self) -> tuple[Book, DebtorAccount]:
        """A second book (the housing body's rent) where the household has a debtor account too."""
        book = open_creditor_book(
            self.session,
            factories.unique("CAN"),
            "Canoni",
            creditor=self.estate.body,
            purpose=BookPurpose.RENT,
            opened_on=date(2024, 1, 1),
            income_categories={"RENT": "Canone"},
            actor=ACTOR,
        )
        self.rent = book
        self.rent_debtor = debtor_account(self.session, book, self.debtor.occupancy, actor=ACTOR)
        return book, self.rent_debtor

    def charge_rent(self, day: date, amount: str) -> int:
        """A rent charge in the book :meth:`rent_book` opened."""
        return post(
            self.session,
            self.rent,
            day,
            [
                Leg(self.rent_debtor.account, amount),
                Leg(book_account(self.session, self.rent, "INC.RENT"), f"-{amount}"),
            ],
            memo=f"Canone {day:%m/%Y}",
            actor=ACTOR,
        ).id

    def balance(self, on: date) -> Decimal:
        """What the household owes the book on ``on`` (positive: a debt)."""
        return balance(self.session, self.debtor.account, as_of=on)

    # Plans ---------------------------------------------------------------------------------

    def draft(
        self,
        installments: Sequence[InstallmentDraft] | None = None,
        *,
        debt: Decimal | str | None = None,
        as_of: date = AS_OF,
        count: int = 3,
        first_due: date = FIRST_DUE,
        household: Household | None = None,
        book: Book | None = None,
        agreement: Agreement | None = None,
        override_note: str | None = None,
        settings: Settings | None = None,
        code: str | None = None,
    ) -> RepaymentPlan:
        """A draft plan; the debt defaults to the balance on ``as_of``, the schedule to ``count``
        equal monthly installments from ``first_due``."""
        if debt is None:
            debt = self.balance(as_of)
        if installments is None:
            installments = plans.equal_installments(debt, count, first_due)
        return plans.create_plan(
            self.session,
            self.agency,
            household=household or self.household,
            book=book or self.book,
            debt=debt,
            as_of=as_of,
            installments=installments,
            actor=ACTOR,
            code=code,
            agreement=agreement,
            override_note=override_note,
            settings=settings,
        )

    def plan(self, *args, on: date | None = None, **kwargs) -> RepaymentPlan:  # type: ignore[no-untyped-def]
        """A plan as :meth:`draft` makes it, activated on ``on`` (by default its ``as_of``)."""
        made = self.draft(*args, **kwargs)
        return plans.activate_plan(self.session, made, on=on or made.as_of, actor=ACTOR)

    def check(self, day: date) -> list[plans.CheckResult]:
        """The plans monitor on ``day``, for this office's agency."""
        return plans.check_plans(self.session, day, actor=ACTOR, agency=self.agency)

    def standing(self, plan: RepaymentPlan, day: date) -> plans.Standing:
        return plans.standing(self.session, plan, day)

    def actions(self, plan: RepaymentPlan) -> list[str]:
        """The plan's events, oldest first, by action."""
        return [e.action for e in plans.events_of(self.session, plan)]

    # Counting what was written -------------------------------------------------------------

    def written(self) -> dict[str, int]:
        """How many plans, installments, plan events and audit events exist: compare before and
        after a refusal to see that nothing was written."""
        return {
            model.__name__: self.session.scalar(select(func.count()).select_from(model))
            for model in (RepaymentPlan, PlanInstallment, PlanEvent, AuditEvent)
        }


__all__ = ["AS_OF", "FIRST_DUE", "Office"]
