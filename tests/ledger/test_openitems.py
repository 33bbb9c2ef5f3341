"""Open items: credits settle charges as art. 1193 c.c. says, and reversals undo exactly that.

Each test posts to a debtor account that tracks items and then reads what is left of each charge
and credit, today and as of earlier dates. After every operation :func:`openitems.verify`
recomputes every item from its allocations and finds nothing wrong.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger import openitems, queries
from ledger.errors import (
    DesignatedItemElsewhere,
    DesignatedItemSameSide,
    DesignatedItemSettled,
    NotAnOpenItemAccount,
)
from ledger.models import Account, AccountKind, Allocation, AllocationKind, Book, JournalEntry
from ledger.posting import EntryDraft, Leg, open_account, post, post_many, reverse
from tests import factories


class Debtor:
    """A book with a bank, an income account and one or two tracked debtor accounts."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.book, accounts = factories.book(session, "BANK", "INC.FEES")
        self.bank, self.income = accounts["BANK"], accounts["INC.FEES"]
        self.account = self.tracked("DEB.A")
        self.other = self.tracked("DEB.B")

    def tracked(self, code: str) -> Account:
        return open_account(
            self.session,
            self.book,
            code,
            code,
            AccountKind.ASSET,
            opened_on=date(2020, 1, 1),
            tracks_items=True,
        )

    def charge(self, day: date, amount: str, account: Account | None = None) -> int:
        entry = post(
            self.session,
            self.book,
            day,
            [Leg(account or self.account, amount), Leg(self.income, f"-{amount}")],
            memo=f"Charge {day}",
            actor="test",
        )
        return entry.postings[0].id

    def pay(
        self, day: date, amount: str, *, designate: tuple[int, ...] = (), account=None
    ) -> JournalEntry:
        return post(
            self.session,
            self.book,
            day,
            [
                Leg(self.bank, amount),
                Leg(account or self.account, f"-{amount}", settles=designate),
            ],
            memo=f"Payment {day}",
            actor="test",
        )

    def open(self, as_of: date = date(2030, 1, 1), account: Account | None = None) -> dict:
        """posting id -> open cents, for the unsettled items as of a date."""
        ids = [(account or self.account).id]
        return {
            p.posting_id: p.open_cents
            for p in openitems.positions(self.session, as_of, account_ids=ids)
        }

    #: Age bands of two days: charged on the day or the day before, two to three days ago, older.
    def _cuts(self, as_of: date) -> list[date]:
        return [as_of - timedelta(days=1), as_of - timedelta(days=3)]

    def bands(self, as_of: date) -> tuple[dict[int, int], int, date | None]:
        """The database's sums by age band: (band -> open charges, credit, oldest charge)."""
        found = openitems.age_bands(
            self.session, as_of, self._cuts(as_of), accounts=[self.account.id]
        ).get(self.account.id)
        if found is None:
            return {}, 0, None
        return found.bands, found.credit_cents, found.oldest

    def bands_by_hand(self, as_of: date) -> tuple[dict[int, int], int, date | None]:
        """The same sums, item by item from :func:`openitems.positions`."""
        bands: dict[int, int] = {}
        credit, oldest = 0, None
        cuts = self._cuts(as_of)
        for p in openitems.positions(self.session, as_of, account_ids=[self.account.id]):
            if p.is_charge and p.open_cents > 0:
                band = next((i for i, cut in enumerate(cuts) if p.item_date >= cut), len(cuts))
                bands[band] = bands.get(band, 0) + p.open_cents
                oldest = p.item_date if oldest is None else min(oldest, p.item_date)
            else:
                credit += p.open_cents
        return bands, credit, oldest

    def check(self) -> None:
        assert openitems.verify(self.session) == []


@pytest.fixture
def debtor(session: Session) -> Debtor:
    return Debtor(session)


def credit_of(entry: JournalEntry) -> int:
    return next(p.id for p in entry.postings if p.amount_cents < 0)


def test_a_payment_settles_the_oldest_charge_first(debtor: Debtor) -> None:
    january = debtor.charge(date(2024, 1, 10), "100.00")
    february = debtor.charge(date(2024, 2, 10), "100.00")
    debtor.pay(date(2024, 3, 1), "150.00")
    assert debtor.open() == {february: 5000}
    debtor.check()
    settled = openitems.allocations_of(debtor.session, january)
    assert [(a.amount_cents, a.kind) for a in settled] == [(10000, AllocationKind.OLDEST_FIRST)]
    assert settled[0].effective_date == date(2024, 3, 1)


def test_a_designated_charge_is_paid_first_and_the_rest_goes_oldest_first(
    debtor: Debtor,
) -> None:
    january = debtor.charge(date(2024, 1, 10), "100.00")
    february = debtor.charge(date(2024, 2, 10), "100.00")
    march = debtor.charge(date(2024, 3, 10), "100.00")
    debtor.pay(date(2024, 3, 20), "150.00", designate=(march,))
    assert debtor.open() == {january: 5000, february: 10000}
    kinds = {a.kind for a in openitems.allocations_of(debtor.session, march)}
    assert kinds == {AllocationKind.DESIGNATED}
    debtor.check()


def test_an_overpayment_stays_as_credit_and_the_next_charge_consumes_it(
    debtor: Debtor,
) -> None:
    debtor.charge(date(2024, 1, 10), "100.00")
    payment = debtor.pay(date(2024, 1, 15), "250.00")
    assert debtor.open() == {credit_of(payment): -15000}
    debtor.charge(date(2024, 2, 10), "100.00")
    march = debtor.charge(date(2024, 3, 10), "100.00")
    assert debtor.open() == {march: 5000}
    debtor.check()


def test_credit_is_consumed_by_charges_posted_in_bulk(debtor: Debtor) -> None:
    payment = debtor.pay(date(2024, 1, 5), "80.00")
    drafts = [
        EntryDraft(
            date(2024, 1, 10),
            [Leg(account, "50.00"), Leg(debtor.income, "-50.00")],
            f"Run {account.code}",
        )
        for account in (debtor.account, debtor.other)
    ]
    post_many(debtor.session, debtor.book, drafts, actor="test")
    assert debtor.open() == {credit_of(payment): -3000}
    assert sum(debtor.open(account=debtor.other).values()) == 5000
    debtor.check()


def test_reversing_a_payment_reopens_exactly_what_it_had_paid(debtor: Debtor) -> None:
    january = debtor.charge(date(2024, 1, 10), "100.00")
    february = debtor.charge(date(2024, 2, 10), "100.00")
    payment = debtor.pay(date(2024, 2, 20), "150.00")
    reverse(debtor.session, payment, reason="Cheque bounced", actor="test", on=date(2024, 3, 1))
    assert debtor.open() == {january: 10000, february: 10000}
    # Before the reversal the payment still counts: history is not rewritten.
    assert debtor.open(date(2024, 2, 25)) == {february: 5000}
    kinds = [a.kind for a in openitems.allocations_of(debtor.session, credit_of(payment))]
    assert kinds.count(AllocationKind.RELEASE) == 2
    assert kinds.count(AllocationKind.REVERSAL) == 1
    debtor.check()


def test_reversing_a_paid_charge_turns_its_payment_into_credit_for_the_next(
    debtor: Debtor,
) -> None:
    january = debtor.charge(date(2024, 1, 10), "100.00")
    payment = debtor.pay(date(2024, 1, 20), "100.00")
    february = debtor.charge(date(2024, 2, 10), "60.00")
    entry = debtor.session.scalars(
        select(JournalEntry).where(JournalEntry.id == _entry_of(debtor.session, january))
    ).one()
    reverse(debtor.session, entry, reason="Charged twice", actor="test", on=date(2024, 2, 15))
    assert february not in debtor.open()
    assert debtor.open() == {credit_of(payment): -4000}
    # The freed credit settles February only from the day of the reversal on.
    assert debtor.open(date(2024, 2, 12)) == {february: 6000}
    debtor.check()


def test_a_designation_on_another_account_is_refused_and_nothing_is_written(
    debtor: Debtor,
) -> None:
    theirs = debtor.charge(date(2024, 1, 10), "100.00", account=debtor.other)
    before = debtor.session.scalar(select(func.count()).select_from(JournalEntry))
    with pytest.raises(DesignatedItemElsewhere, match=f"#{theirs} is not an item of account"):
        debtor.pay(date(2024, 1, 20), "100.00", designate=(theirs,))
    assert debtor.session.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_a_designation_of_a_settled_charge_or_of_a_credit_is_refused(debtor: Debtor) -> None:
    january = debtor.charge(date(2024, 1, 10), "100.00")
    payment = debtor.pay(date(2024, 1, 20), "130.00")
    with pytest.raises(DesignatedItemSettled):
        debtor.pay(date(2024, 1, 25), "10.00", designate=(january,))
    with pytest.raises(DesignatedItemSameSide, match="credit"):
        debtor.pay(date(2024, 1, 25), "10.00", designate=(credit_of(payment),))


def test_a_designation_on_an_account_without_items_is_refused(debtor: Debtor) -> None:
    with pytest.raises(NotAnOpenItemAccount, match="BANK"):
        post(
            debtor.session,
            debtor.book,
            date(2024, 1, 5),
            [Leg(debtor.bank, "10.00", settles=(1,)), Leg(debtor.income, "-10.00")],
            memo="x",
            actor="test",
        )


def test_a_payment_dated_before_a_charge_settles_it_from_the_charge_date(
    debtor: Debtor,
) -> None:
    payment = debtor.pay(date(2024, 1, 1), "100.00")
    charge = debtor.charge(date(2024, 1, 10), "100.00")
    assert debtor.open(date(2024, 1, 5)) == {credit_of(payment): -10000}
    assert debtor.open(date(2024, 1, 10)) == {}
    assert openitems.allocations_of(debtor.session, charge)[0].effective_date == date(2024, 1, 10)


def test_allocations_are_append_only_in_the_database(debtor: Debtor) -> None:
    debtor.charge(date(2024, 1, 10), "100.00")
    debtor.pay(date(2024, 1, 20), "100.00")
    debtor.session.flush()
    with pytest.raises(DBAPIError, match="append-only"), debtor.session.begin_nested():
        debtor.session.execute(update(Allocation).values(amount_cents=1))


def _entry_of(session: Session, posting_id: int) -> int:
    from ledger.models import Posting

    return session.scalar(select(Posting.entry_id).where(Posting.id == posting_id))


# Any sequence of charges, payments and reversals keeps the books and the items in agreement.

_steps = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), st.integers(1, 30_000)),
        st.tuples(st.just("pay"), st.integers(1, 40_000)),
        st.tuples(st.just("reverse"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=12,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=_steps)
def test_items_always_sum_to_the_balance_and_never_disagree(
    session: Session, steps: list[tuple[str, int]]
) -> None:
    with session.begin_nested() as savepoint:
        debtor = Debtor(session)
        posted: list[JournalEntry] = []
        for day, (action, value) in enumerate(steps, start=1):
            on = date(2024, 1, day)
            if action == "charge":
                debtor.charge(on, f"{value // 100}.{value % 100:02d}")
                posted.append(_last_entry(session, debtor.book))
            elif action == "pay":
                posted.append(debtor.pay(on, f"{value // 100}.{value % 100:02d}"))
            elif posted:
                target = posted.pop(value % len(posted))
                reverse(session, target, reason="test", actor="test", on=on)
            for as_of in (on, date(2024, 1, max(1, day - 3))):
                total = sum(debtor.open(as_of).values())
                assert total == queries.balance(session, debtor.account, as_of=as_of) * 100
                assert debtor.bands(as_of) == debtor.bands_by_hand(as_of)
        debtor.check()
        savepoint.rollback()


def _last_entry(session: Session, book: Book) -> JournalEntry:
    return session.scalars(
        select(JournalEntry).where(JournalEntry.book_id == book.id).order_by(JournalEntry.id.desc())
    ).first()
