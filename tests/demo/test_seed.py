"""The demo seed: the promised world, sound books, a spread of payers, the same data twice."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.it import codicefiscale

from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount
from condo_admin.demo import plan as demo_plan
from condo_admin.demo.seed import DemoSummary, seed_demo
from condo_admin.registry.models import (
    Agency,
    Building,
    Household,
    HouseholdMember,
    HousingBody,
    Occupancy,
    Person,
    Staircase,
    Unit,
    UnitKind,
    UnitStatus,
)
from ledger.models import Account, Book, JournalEntry, Posting
from ledger.queries import balances, book_total, trial_balance
from volunteering.models import Agreement, HourEntry

TODAY = date(2026, 11, 25)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def debtor_balances(session: Session, as_of: date) -> dict[int, Decimal]:
    """Each household's balance over all its debtor accounts, every book together."""
    links = session.execute(select(DebtorAccount.account_id, DebtorAccount.household_id)).all()
    found = balances(session, [a for a, _ in links], as_of=as_of)
    per_household: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, household_id in links:
        per_household[household_id] += found[account_id]
    return per_household


def test_the_registry_holds_the_promised_world(session: Session) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = seed_demo(session, today=TODAY, progress=lambda *a: calls.append(a))

    assert count(session, Agency) == 1
    assert summary.housing_bodies == count(session, HousingBody) == 2
    assert summary.buildings == count(session, Building) == 3
    assert summary.staircases == count(session, Staircase) == 6
    assert summary.units == count(session, Unit)
    assert 55 <= summary.units <= 65
    assert summary.people == count(session, Person)
    assert summary.households == count(session, Household)
    assert summary.occupancies == count(session, Occupancy)

    units = session.scalars(select(Unit)).all()
    kinds = {kind: sum(u.kind is kind for u in units) for kind in UnitKind}
    assert kinds[UnitKind.FLAT] > 45 and kinds[UnitKind.GARAGE] > 0 and kinds[UnitKind.SHOP] > 0
    statuses = {s: sum(u.status is s for u in units) for s in UnitStatus}
    assert statuses[UnitStatus.VACANT] >= 2
    assert statuses[UnitStatus.UNDER_RENOVATION] == 1
    assert all(u.owner_body_id is not None for u in units)

    buildings = session.scalars(select(Building)).all()
    assert {b.province for b in buildings} == {"MI"}
    assert all(len(b.postcode) == 5 and b.postcode.startswith("20") for b in buildings)

    # Every adult has a valid tax code that encodes their birth date; a few minors have none.
    people = session.scalars(select(Person)).all()
    for person in people:
        assert person.birth_date is not None
        if age(person.birth_date, TODAY) >= 18:
            assert person.tax_code is not None, person.full_name
        if person.tax_code is not None:
            assert codicefiscale.is_valid(person.tax_code), person.tax_code
            # Two digits of the year only: compare without the century, as the registry does.
            encoded = codicefiscale.get_birth_date(person.tax_code)
            born = person.birth_date
            assert (encoded.day, encoded.month, encoded.year % 100) == (
                born.day,
                born.month,
                born.year % 100,
            ), person.full_name
    without_code = [p for p in people if p.tax_code is None]
    assert 1 <= len(without_code) <= 5
    assert all(age(p.birth_date, TODAY) < 18 for p in without_code)
    born_abroad = [p for p in people if p.tax_code and p.tax_code[11] == "Z"]
    assert len(born_abroad) >= 10
    assert session.scalar(select(func.count()).where(Household.language == "en")) >= 1

    # Every household has exactly one holder, and the holder signed as an adult.
    holders = session.execute(
        select(HouseholdMember.household_id, Person.birth_date, HouseholdMember.start_date)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.role == "holder")
    ).all()
    assert len(holders) == summary.households
    assert all(age(born, since) >= 18 for _, born, since in holders)

    # Progress: every stage reported, never beyond its total, and finished.
    stages: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for stage, done, total in calls:
        assert 0 <= done <= total
        stages[stage].append((done, total))
    assert len(stages) >= 3
    for reports in stages.values():
        assert reports[-1][0] == reports[-1][1]
        assert [d for d, _ in reports] == sorted(d for d, _ in reports)


def test_occupancy_history_and_nothing_after_today(session: Session) -> None:
    seed_demo(session, today=TODAY)

    by_unit: dict[int, list[Occupancy]] = defaultdict(list)
    for occupancy in session.scalars(select(Occupancy).order_by(Occupancy.start_date)):
        by_unit[occupancy.unit_id].append(occupancy)
    successions = 0
    for occupancies in by_unit.values():
        for earlier, later in pairwise(occupancies):
            assert earlier.end_date is not None and earlier.end_date < later.start_date
            successions += 1
        assert sum(o.end_date is None for o in occupancies) <= 1
    assert successions >= 1

    # Units show their occupancy: occupied exactly when an occupancy is open.
    for unit in session.scalars(select(Unit)):
        is_open = any(o.end_date is None for o in by_unit.get(unit.id, []))
        assert (unit.status is UnitStatus.OCCUPIED) == is_open, unit.label

    latest = [
        session.scalar(select(func.max(Posting.entry_date))),
        session.scalar(select(func.max(JournalEntry.entry_date))),
        session.scalar(select(func.max(Occupancy.start_date))),
        session.scalar(select(func.max(Occupancy.end_date))),
        session.scalar(select(func.max(HouseholdMember.start_date))),
        session.scalar(select(func.max(Person.birth_date))),
        session.scalar(select(func.max(Account.opened_on))),
    ]
    assert all(day <= TODAY for day in latest if day is not None), latest


def test_books_balance_and_arrears_have_a_realistic_spread(session: Session) -> None:
    summary = seed_demo(session, today=TODAY)

    links = session.scalars(select(CreditorBook)).all()
    assert summary.books == len(links) == 5
    purposes = sorted(link.purpose for link in links)
    assert purposes.count(BookPurpose.RENT) == 2
    assert purposes.count(BookPurpose.SERVICE_CHARGES) == 3
    assert summary.entries == count(session, JournalEntry)
    for book in session.scalars(select(Book)):
        assert book_total(session, book) == Decimal("0.00")
        tb = trial_balance(session, book)
        assert tb.total_debits == tb.total_credits > 0
        codes = {row.code for row in tb.rows}
        assert {"BANK", "SUSPENSE", "COMMUNITY", "WRITEOFF", "OPENING"} <= codes
        assert any(code.startswith("INC.") for code in codes)

    # Rents are social-housing rents, charged by the monthly charge runs on the 1st (or on the
    # day an occupancy starts); installments come from approved budgets, quarterly.
    rents = session.execute(
        select(JournalEntry.entry_date, Posting.amount_cents)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .where(JournalEntry.memo.like("Canone %"), Account.code.like("DEB.%"))
    ).all()
    starts = set(session.scalars(select(Occupancy.start_date)))
    assert rents and all(day.day == 1 or day in starts for day, _ in rents)
    flats = [cents for _, cents in rents if 8000 <= cents <= 35000]
    assert len(flats) > 0.8 * len(rents)
    installments = session.scalars(
        select(JournalEntry.entry_date).where(JournalEntry.memo.like("Rata %/% preventivo %"))
    ).all()
    assert installments and {d.month for d in installments} <= {1, 4, 7, 10}

    per_household = debtor_balances(session, TODAY)
    owing = {h: b for h, b in per_household.items() if b > 0}
    up_to_date = [h for h, b in per_household.items() if b <= 0]
    assert summary.households_in_arrears == len(owing)
    assert summary.total_arrears == sum(owing.values())
    assert 0.10 <= len(owing) / summary.households <= 0.25
    assert len(up_to_date) > len(owing)
    # Arrears differ in size: a small late payment up to a large old debt.
    assert min(owing.values()) < Decimal("500") and max(owing.values()) > Decimal("3000")

    # A household that moved out keeps its debt.
    left = session.scalars(
        select(Occupancy.household_id).where(Occupancy.end_date.is_not(None))
    ).all()
    still_here = set(
        session.scalars(select(Occupancy.household_id).where(Occupancy.end_date.is_(None)))
    )
    gone = set(left) - still_here
    assert any(owing.get(h, 0) > 0 for h in gone)


def _fingerprint(session: Session) -> list[tuple[object, ...]]:
    """The seeded data without database ids: what must be equal between two runs."""
    ledger = session.execute(
        select(
            Book.code,
            JournalEntry.entry_date,
            JournalEntry.memo,
            JournalEntry.reference,
            Account.code,
            Posting.amount_cents,
        )
        .join(JournalEntry, JournalEntry.book_id == Book.id)
        .join(Posting, Posting.entry_id == JournalEntry.id)
        .join(Account, Account.id == Posting.account_id)
        .order_by(Book.code, JournalEntry.id, Posting.id)
    ).all()
    # A restitution credit's reference names its hour entry by id (HOURS-<id>), which a
    # PostgreSQL sequence does not hand out again after a rollback.
    ledger = [
        (*row[:3], re.sub(r"^HOURS-\d+$", "HOURS-<id>", row[3] or ""), *row[4:]) for row in ledger
    ]
    people = session.execute(
        select(Person.last_name, Person.first_name, Person.tax_code, Person.birth_date).order_by(
            Person.id
        )
    ).all()
    hours = session.execute(
        select(
            Agreement.code,
            Agreement.status,
            HourEntry.work_date,
            HourEntry.hours,
            HourEntry.status,
            HourEntry.creditable_cents,
            HourEntry.credited_cents,
        )
        .join(Agreement, Agreement.id == HourEntry.agreement_id)
        .order_by(HourEntry.id)
    ).all()
    return [tuple(row) for row in (*ledger, *people, *hours)]


def test_same_seed_same_data(session: Session) -> None:
    runs: list[tuple[DemoSummary, list[tuple[object, ...]]]] = []
    leap_day = date(2028, 2, 29)
    for _ in range(2):
        attempt = session.begin_nested()
        summary = seed_demo(session, today=leap_day, seed=7)
        runs.append((summary, _fingerprint(session)))
        attempt.rollback()
        # Rows loaded (not created) inside the savepoint stay in the identity map after its
        # rollback, and SQLite hands their ids out again on the second run.
        session.expunge_all()
    (first, first_data), (second, second_data) = runs
    assert first == second
    assert first_data == second_data
    assert max(row[1] for row in first_data if isinstance(row[1], date)) <= leap_day
    assert first.period_end == leap_day


def test_today_must_be_a_date(session: Session) -> None:
    with pytest.raises(TypeError, match="date"):
        seed_demo(session, today=datetime(2026, 11, 25))  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_any_plan_is_coherent(seed: int, today: date) -> None:
    """The plan alone (no database), for any seed and day: the invariants the seed relies on."""
    world = demo_plan.make_plan(random.Random(seed), today)
    assert world.start <= today
    by_unit: dict[tuple[str, str], list[demo_plan.OccupancyPlan]] = defaultdict(list)
    for occupancy in world.occupancies:
        assert occupancy.start <= today
        assert occupancy.end is None or occupancy.start <= occupancy.end <= today
        by_unit[occupancy.unit.key].append(occupancy)
    for occupancies in by_unit.values():
        occupancies.sort(key=lambda o: o.start)
        for earlier, later in pairwise(occupancies):
            assert earlier.end is not None and earlier.end < later.start
    codes = [m.tax_code for h in world.households for m in h.members if m.tax_code]
    assert len(codes) == len(set(codes))
    for household in world.households:
        assert demo_plan.age_on(household.holder.birth_date, household.since) >= 18
        for member in household.members:
            assert member.birth_date <= today and member.since <= today
            if demo_plan.age_on(member.birth_date, today) >= 18:
                assert member.tax_code is not None


def test_the_demo_books_come_from_budgets_charge_runs_and_allocated_payments(
    session: Session,
) -> None:
    """Item 10 of issue 3: every accounting report has something to show on the demo."""
    from condo_admin.accounting.aging import BUCKETS, aging_report
    from condo_admin.accounting.early_warning import Rule, early_warnings
    from condo_admin.accounting.models import Budget, BudgetStatus, Share, ShareTable, UnitRent
    from ledger import openitems
    from ledger.models import OperationKey

    seed_demo(session, today=TODAY)
    tables = session.scalars(select(ShareTable)).all()
    assert len(tables) >= 3
    for table in tables:
        total = session.scalar(
            select(func.sum(Share.thousandths)).where(Share.table_id == table.id)
        )
        assert total == Decimal(1000), table.code
    budgets = session.scalars(select(Budget)).all()
    assert {b.year for b in budgets} == {2025, 2026}  # the books open on 1 December 2024
    assert {b.status for b in budgets} == {BudgetStatus.APPROVED, BudgetStatus.CLOSED}
    assert count(session, UnitRent) >= count(session, Unit) - 5
    runs = session.scalars(select(OperationKey.key).where(OperationKey.key.like("charge-run:%")))
    # Rent books every month of the 24, service-charge books in the 8 months with an installment.
    assert len(set(runs)) == 2 * 24 + 3 * 8

    report = aging_report(session, TODAY)
    assert report.totals.total == sum(debtor_balances(session, TODAY).values())
    assert sum(1 for b in BUCKETS if report.totals.buckets[b.key]) >= 4
    assert report.totals.credit_cents < 0  # someone paid twice
    rules = {flag.rule for w in early_warnings(session, TODAY) for flag in w.flags}
    assert {Rule.OVER_TWO_MONTHS, Rule.GROWING} <= rules
    assert openitems.verify(session) == []


def test_the_demo_has_restitution_agreements_and_hours_in_every_state(session: Session) -> None:
    """Community-service restitution (PRODUCT.md 4.5): agreements in every state on households in
    arrears, supervised from outside the household, hours in every state, monthly credits on the
    ledger that never take a debt below zero."""
    from ledger import openitems
    from volunteering.agreements import is_member
    from volunteering.models import AgreementStatus, HourStatus

    summary = seed_demo(session, today=TODAY)

    made = session.scalars(select(Agreement).order_by(Agreement.code)).all()
    assert summary.agreements == len(made) and 5 <= len(made) <= 6
    statuses = [a.status for a in made]
    assert set(statuses) == set(AgreementStatus)
    assert statuses.count(AgreementStatus.DRAFT) == 1
    for agreement in made:
        household = agreement.household
        assert agreement.debtor_account.household_id == household.id
        assert agreement.start_date <= TODAY
        account_id = agreement.debtor_account.account_id
        assert balances(session, [account_id], as_of=agreement.start_date)[account_id] > 0
        assert agreement.signed_on is None or agreement.signed_on <= agreement.start_date
        assert (agreement.signed_on is None) == (agreement.status is AgreementStatus.DRAFT)
        supervisor = agreement.supervisor
        assert not is_member(session, supervisor, household, agreement.start_date, TODAY)
        assert session.scalar(
            select(func.count()).where(HouseholdMember.person_id == supervisor.id)
        ), "the supervisor belongs to another household"
        if agreement.status is AgreementStatus.ENDED:
            assert agreement.end_date < TODAY

    entries = session.scalars(select(HourEntry)).all()
    assert summary.hour_entries == len(entries)
    by_status = {s: [e for e in entries if e.status is s] for s in HourStatus}
    assert all(by_status.values()), {s.value: len(e) for s, e in by_status.items()}
    assert all(e.work_date <= TODAY for e in entries)
    assert all(e.reason for e in by_status[HourStatus.REJECTED])
    # Verified, not creditable: hours over a cap are kept, the cap named.
    over = [e for e in by_status[HourStatus.VERIFIED] if e.creditable_cents == 0]
    assert len(over) == 1 and over[0].cap_note and "cap" in over[0].cap_note
    assert {e.rate_cents for e in entries if e.rate_cents} <= {750, 800}

    # Credits are on the ledger: COMMUNITY debited by what the entries say, no debt below zero.
    credited = by_status[HourStatus.CREDITED]
    total = sum(e.credited_cents or 0 for e in credited)
    assert summary.restitution_credited == Decimal(total) / 100 > Decimal("500")
    community = session.scalars(select(Account).where(Account.code == "COMMUNITY")).all()
    assert sum(balances(session, [a.id for a in community]).values()) * 100 == total
    entry_dates = session.scalars(
        select(JournalEntry.entry_date).where(
            JournalEntry.id.in_([e.credit_entry_id for e in credited])
        )
    ).all()
    assert len(entry_dates) == len(credited) and max(entry_dates) <= TODAY
    debts = balances(session, [a.debtor_account.account_id for a in made], as_of=TODAY)
    assert all(debt >= 0 for debt in debts.values()), debts
    assert openitems.verify(session) == []
