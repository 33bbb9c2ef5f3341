"""The advice desk in the demo: budgets, plans in every state, cases and a run of letters.

Runs last, after the ledger history and restitution, through the desk's services only. Each plan
is given to a different household that owed its book enough on the plan's day, and the household
then pays as the plan's story says: a payment on each installment's due date that brings the fall
of its balance up to what the plan expects (so new charges are paid as well), or nothing when the
story has it miss. The plans monitor then judges every plan on ``today``:

- ``completed``: three installments, all paid in time;
- ``good``: ten installments, those due so far paid; the household has a budget and a case
  *in plan*;
- ``behind``: its latest installment missed (the early-warning list flags it), still active;
- ``broken``: two installments missed, broken by the monitor;
- ``superseded``: renegotiated after two installments (before it broke), the new plan kept since;
- ``mixed``: on the household of the active restitution agreement, the last installment to be met
  with credited hours;
- ``cancelled`` and ``draft``.

Cases are then opened from the early-warning list and worked (contacts, an operator, next
actions, letters held for one, one closed), and reminder letters are generated on ``today``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban

from condo_admin.accounting.books import set_book_iban
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.accounting.payments import record_payment
from condo_admin.demo.plan import add_months
from condo_admin.desk import cases, plans, reminders
from condo_admin.desk.household_budgets import Line, record_budget
from condo_admin.desk.models import CaseStatus, ContactKind, Means, Outcome, RepaymentPlan
from condo_admin.registry.models import Agency, Household, Occupancy
from ledger.models import Book, JournalEntry
from ledger.money import from_cents
from volunteering.models import Agreement, AgreementStatus

ACTOR = "demo"
STAGE = "Advice desk"
OPERATORS = ("operatore.rossi", "operatore.colombo")


@dataclass(frozen=True)
class DeskSummary:
    plans: dict[str, int]
    cases: int
    letters: int
    ledger_entries: int  # the payments the plans' stories made


@dataclass(frozen=True)
class _Story:
    name: str
    months_ago: int  # the plan states its debt this many months before today
    count: int
    paid: Callable[[int], bool]  # which installments (1-based) the household meets
    activate: bool = True


STORIES = (
    _Story("superseded", 7, 12, lambda i: i <= 2),
    _Story("completed", 6, 3, lambda i: True),
    _Story("good", 5, 10, lambda i: True),
    _Story("behind", 4, 8, lambda i: i < 4),  # the 4th fell due about ten days ago
    _Story("broken", 8, 10, lambda i: i == 1),
    _Story("cancelled", 2, 6, lambda i: False),
    _Story("draft", 0, 6, lambda i: False, activate=False),
)


def _iban(n: int) -> str:
    """A valid Italian IBAN for the demo's n-th book (check digits computed)."""
    bban = f"X0306909606{n:012d}"
    return f"IT{stdnum_iban.calc_check_digits('IT00' + bban)}{bban}"


def seed_desk(
    session: Session,
    agency: Agency,
    *,
    today: date,
    progress: Callable[[str, int, int], None],
) -> DeskSummary:
    books = list(
        session.scalars(
            select(Book)
            .join(CreditorBook, CreditorBook.book_id == Book.id)
            .where(CreditorBook.agency_id == agency.id)
            .order_by(Book.code)
        )
    )
    for n, book in enumerate(books, start=1):
        set_book_iban(session, book, _iban(n), actor=ACTOR)
    reminders.set_contact(
        session,
        agency,
        name="Sportello di consulenza abitativa – Nord Milano",
        address="Via Padova 36, 20127 Milano",
        phone="02 8846 1200",
        email="sportello@asa-nordmilano.example",
        hours="lun-mer 9-13, gio 14-18",
        actor=ACTOR,
    )
    total = len(STORIES) + 3
    entries_before = session.scalar(select(func.count()).select_from(JournalEntry))
    made: dict[str, RepaymentPlan] = {}
    used: set[int] = set()
    mixed = _mixed_plan(session, agency, today, used)
    if mixed is not None:
        made["mixed"] = mixed
    for done, story in enumerate(STORIES, start=1):
        plan = _story_plan(session, agency, story, today, used)
        if plan is not None:
            made[story.name] = plan
        progress(STAGE, done, total)
    _renegotiate(session, made, today)
    plans.check_plans(session, today, actor=ACTOR, agency=agency)
    progress(STAGE, len(STORIES) + 1, total)

    opened = _cases(session, agency, made, today)
    progress(STAGE, len(STORIES) + 2, total)
    run = reminders.generate(session, agency, today, actor=ACTOR)
    progress(STAGE, total, total)
    counts: dict[str, int] = {}
    for plan in session.scalars(select(RepaymentPlan).where(RepaymentPlan.agency_id == agency.id)):
        counts[plan.status.value] = counts.get(plan.status.value, 0) + 1
    entries = session.scalar(select(func.count()).select_from(JournalEntry)) - entries_before
    return DeskSummary(plans=counts, cases=opened, letters=len(run.letters), ledger_entries=entries)


def _candidates(session: Session, agency: Agency, as_of: date) -> list[tuple[int, DebtorAccount]]:
    """(owed on ``as_of`` in cents, debtor) of households still in their unit, largest first."""
    found = []
    debtors = session.scalars(
        select(DebtorAccount)
        .join(Occupancy, Occupancy.id == DebtorAccount.occupancy_id)
        .join(Household, Household.id == DebtorAccount.household_id)
        .where(Household.agency_id == agency.id, Occupancy.end_date.is_(None))
        .order_by(DebtorAccount.id)
    ).all()
    for debtor in debtors:
        owed = plans.arrears_cents(session, debtor.household_id, debtor.book_id, as_of)
        if owed >= 20000:
            found.append((owed, debtor))
    found.sort(key=lambda pair: (-pair[0], pair[1].id))
    return found


def _story_plan(
    session: Session, agency: Agency, story: _Story, today: date, used: set[int]
) -> RepaymentPlan | None:
    as_of = add_months(today, -story.months_ago) if story.months_ago else today
    candidates = _candidates(session, agency, as_of)
    if story.name == "completed":  # a small debt, repaid in three months
        candidates.reverse()
    for owed, debtor in candidates:
        if debtor.household_id in used:
            continue
        used.add(debtor.household_id)
        debt = from_cents(owed - owed % 1000)  # whole tens of euros: what the desk would state
        # A large debt gets more installments: no more than about €150 a month.
        count = story.count if story.name == "completed" else max(story.count, -(-owed // 15000))
        plan = plans.create_plan(
            session,
            agency,
            household=debtor.household,
            book=debtor.book,
            debt=debt,
            as_of=as_of,
            installments=plans.equal_installments(debt, count, as_of + timedelta(days=20)),
            actor=ACTOR,
            note=f"demo: {story.name}",
        )
        if story.activate:
            plans.activate_plan(session, plan, on=as_of + timedelta(days=3), actor=ACTOR)
            _pay(session, plan, debtor, story.paid, today)
        if story.name == "cancelled":
            plans.cancel_plan(
                session,
                plan,
                on=as_of + timedelta(days=10),
                reason="the household chose to pay the whole debt with a family loan",
                actor=ACTOR,
            )
        if story.name == "good":
            record_budget(
                session,
                debtor.household,
                [
                    Line("income", "wages", "1150.00"),
                    Line("income", "benefits", "240.00"),
                    Line("expense", "housing", "420.00"),
                    Line("expense", "utilities", "160.00"),
                    Line("expense", "food", "380.00"),
                    Line("expense", "transport", "60.00"),
                ],
                valid_from=as_of,
                actor=ACTOR,
                note="first meeting at the desk",
            )
        return plan
    return None


def _pay(
    session: Session,
    plan: RepaymentPlan,
    debtor: DebtorAccount,
    meets: Callable[[int], bool],
    today: date,
) -> None:
    """On each met installment's due date, pay what brings the repayment up to the plan."""
    expected = 0
    for row in plan.installments:
        expected += row.amount_cents
        if row.due_date > today or row.means is Means.HOURS or not meets(row.seq):
            continue
        # Enough that the installment is still met when its grace period ends, whatever new
        # charges fall due meanwhile.
        # (The fall of the balance is read raw: new charges may have pushed it below zero.)
        deadline = min(row.due_date + timedelta(days=plan.grace_days), today)
        moves = plans.movements(session, plan, deadline).moves
        short = from_cents(expected + sum(change for _, change, _ in moves))
        if short > 0:
            record_payment(
                session,
                debtor,
                short,
                row.due_date,
                actor=ACTOR,
                memo=f"Rata piano {plan.code} n. {row.seq}",
                key=f"demo-plan:{plan.code}:{row.seq}",
            )


def _mixed_plan(
    session: Session, agency: Agency, today: date, used: set[int]
) -> RepaymentPlan | None:
    agreement = session.scalar(
        select(Agreement)
        .where(Agreement.agency_id == agency.id, Agreement.status == AgreementStatus.ACTIVE)
        .order_by(Agreement.start_date.desc(), Agreement.id)
    )
    if agreement is None or agreement.household_id in used:
        return None
    debtor = agreement.debtor_account
    as_of = agreement.start_date - timedelta(days=1)
    owed = plans.arrears_cents(session, debtor.household_id, debtor.book_id, as_of)
    if owed < 20000:
        return None
    used.add(debtor.household_id)
    debt_cents = owed - owed % 1000
    hours_cents = min(debt_cents // 4, 15000)
    cash = plans.equal_installments(from_cents(debt_cents - hours_cents), 6, as_of + timedelta(20))
    hours = plans.InstallmentDraft(
        add_months(cash[-1].due_date, 1), from_cents(hours_cents), Means.HOURS
    )
    plan = plans.create_plan(
        session,
        agency,
        household=debtor.household,
        book=debtor.book,
        debt=from_cents(debt_cents),
        as_of=as_of,
        installments=[*cash, hours],
        agreement=agreement,
        actor=ACTOR,
        note="demo: mixed, the last part in community hours",
    )
    plans.activate_plan(session, plan, on=agreement.start_date, actor=ACTOR)
    _pay(session, plan, debtor, lambda i: True, today)
    return plan


def _renegotiate(session: Session, made: dict[str, RepaymentPlan], today: date) -> None:
    """The superseded story: renegotiated after two installments, the new plan kept since."""
    old = made.get("superseded")
    if old is None or old.status.value != "active":
        return
    as_of = add_months(old.as_of, 2) + timedelta(days=10)
    debt = from_cents(plans.arrears_cents(session, old.household_id, old.book_id, as_of))
    debt = debt - debt % 10
    if debt <= 0:
        return
    new = plans.renegotiate(
        session,
        old,
        as_of=as_of,
        debt=debt,
        installments=plans.equal_installments(
            debt, max(12, -(-int(debt * 100) // 15000)), as_of + timedelta(days=15)
        ),
        actor=ACTOR,
        override_note=None,
    )
    plans.activate_plan(session, new, on=as_of + timedelta(days=2), actor=ACTOR)
    debtor = session.scalar(
        select(DebtorAccount).where(
            DebtorAccount.household_id == new.household_id, DebtorAccount.book_id == new.book_id
        )
    )
    assert debtor is not None
    _pay(session, new, debtor, lambda i: True, today)
    made["renegotiated"] = new


def _cases(session: Session, agency: Agency, made: dict[str, RepaymentPlan], today: date) -> int:
    """Cases opened from the list a month ago and today, then worked like a desk would."""
    opened = cases.open_from_warnings(session, agency, add_months(today, -1), actor=ACTOR).opened
    opened += cases.open_from_warnings(session, agency, today, actor=ACTOR).opened
    for n, case in enumerate(opened):
        operator = OPERATORS[n % len(OPERATORS)]
        cases.assign(session, case, operator, on=case.opened_on, actor=ACTOR)
        if n % 3 == 2:
            continue  # not yet reached
        cases.add_entry(
            session,
            case,
            on=case.opened_on + timedelta(days=2),
            kind=ContactKind.CALL,
            text="Phoned the holder; an appointment at the desk is fixed.",
            actor=operator,
        )
        cases.plan_next_action(
            session,
            case,
            on=case.opened_on + timedelta(days=2),
            what="meeting at the desk: household budget and a repayment proposal",
            when=today + timedelta(days=7 + n),
            actor=operator,
        )
    if opened:
        cases.hold_letters(
            session,
            opened[0],
            True,
            on=opened[0].opened_on + timedelta(days=3),
            reason="the holder is in hospital; the social worker follows the family",
            actor=OPERATORS[0],
        )
    good = made.get("good")
    if good is not None:
        case = cases.open_case_of(session, good.household_id) or cases.open_case(
            session, good.household, on=good.as_of, actor=ACTOR, assigned_to=OPERATORS[1]
        )
        if case.status is not CaseStatus.IN_PLAN:
            on = max(good.as_of, case.opened_on)
            cases.set_status(session, case, CaseStatus.IN_PLAN, on=on, actor=ACTOR)
        opened.append(case)
    done = made.get("completed")
    if done is not None:
        case = cases.open_case_of(session, done.household_id) or cases.open_case(
            session, done.household, on=done.as_of, actor=ACTOR, assigned_to=OPERATORS[0]
        )
        cases.close_case(
            session,
            case,
            on=max(done.closed_on or today, case.opened_on),
            outcome=Outcome.PLAN_COMPLETED,
            note=f"plan {done.code} repaid in full",
            actor=OPERATORS[0],
        )
        opened.append(case)
    return len({case.id for case in opened})


__all__ = ["DeskSummary", "seed_desk"]
