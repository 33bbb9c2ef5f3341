"""Payments of debtors: recorded at the desk, from a bank statement or from Odoo.

A payment is one entry, bank debited and the debtor account credited. The ledger's open items
settle it: first the charge the payer designated (art. 1193 c.c.), then the oldest due; what is
left stays as credit for the next charges. Reversing the payment (a bounced cheque, a line matched
to the wrong household) re-opens exactly the charges it had paid. This module speaks the
household's language (entries, charges, references) and checks everything before the ledger
writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account
from condo_admin.accounting.errors import (
    DebtorAccountClosed,
    DesignatedChargeElsewhere,
    DesignatedChargeNotOpen,
    InvalidPayment,
    NotAPayment,
    UnknownDebtor,
)
from condo_admin.accounting.models import DebtorAccount
from condo_admin.accounting.references import find_by_reference
from ledger import openitems
from ledger.errors import N_, NotFound, Phrase
from ledger.models import (
    Account,
    Allocation,
    Book,
    JournalEntry,
    OpenItem,
    OperationKey,
    Posting,
)
from ledger.money import from_cents, to_cents
from ledger.posting import Leg, post, reverse

#: The account a payment is received on, by method.
RECEIVED_ON = {"bank": "BANK", "cash": "BANK", "odoo": "BANK"}


@dataclass(frozen=True)
class Settled:
    """One charge (or part of it) a payment paid."""

    entry_id: int
    due_date: date
    memo: str
    amount: Decimal


@dataclass(frozen=True)
class PaymentResult:
    entry_id: int
    account: str
    amount: Decimal
    settled: list[Settled]
    #: Credit left on the account after the payment (0.00 when it all went to charges).
    credit_left: Decimal
    #: False when the same payment (same key) had been recorded before: nothing new was posted.
    created: bool


@dataclass(frozen=True)
class OpenCharge:
    entry_id: int
    posting_id: int
    due_date: date
    memo: str
    amount: Decimal
    open: Decimal


def find_debtor(session: Session, ref: str) -> DebtorAccount:
    """The debtor account named by its RF reference or by ``BOOK:ACCOUNT`` code."""
    text = str(ref).strip()
    found = find_by_reference(session, text)
    if found is None and ":" in text:
        book_code, code = text.split(":", 1)
        found = session.scalar(
            select(DebtorAccount)
            .join(Account, Account.id == DebtorAccount.account_id)
            .join(Book, Book.id == Account.book_id)
            .where(Book.code == book_code, Account.code == code)
        )
    if found is None:
        raise UnknownDebtor(ref=text)
    return found


def _charge_posting(session: Session, debtor: DebtorAccount, entry_id: int) -> int:
    """The posting of charge entry ``entry_id`` on ``debtor``'s account, or a clear refusal."""
    account = debtor.account
    rows = session.execute(
        select(Posting.id, Posting.account_id, Posting.amount_cents).where(
            Posting.entry_id == entry_id
        )
    ).all()
    mine = [row for row in rows if row.account_id == account.id and row.amount_cents > 0]
    if not mine:
        owner = ""
        other = session.scalar(
            select(DebtorAccount).where(
                DebtorAccount.account_id.in_([row.account_id for row in rows])
            )
        )
        if other is not None:
            owner = Phrase(N_(" (it is charged to %(household)s)"), household=other.household.name)
        elif not rows:
            owner = N_(" (there is no such entry)")
        raise DesignatedChargeElsewhere(
            entry=entry_id, household=debtor.household.name, account=account.code, owner=owner
        )
    posting_id = mine[0].id
    open_cents = session.scalar(
        select(OpenItem.open_cents).where(OpenItem.posting_id == posting_id)
    )
    if not open_cents:
        raise DesignatedChargeNotOpen(
            entry=entry_id, account=account.code, state=N_("already paid")
        )
    return posting_id


def record_payment(
    session: Session,
    debtor: DebtorAccount,
    amount: Decimal | str,
    on: date,
    *,
    actor: str,
    designated: Sequence[int] = (),
    method: str = "bank",
    reference: str | None = None,
    memo: str | None = None,
    key: str | None = None,
) -> PaymentResult:
    """Record a payment of ``amount`` by ``debtor`` on ``on``.

    ``designated`` lists the charge entries the payer named, in order; the rest of the payment
    goes oldest due first. ``key`` makes the operation repeatable (a bank line id, an Odoo id).
    """
    account = debtor.account
    cents = to_cents(amount, field=Phrase(N_("payment to %(account)s"), account=account.code))
    if cents <= 0:
        raise InvalidPayment(
            account=account.code,
            problem=Phrase(
                N_("the amount must be positive, %(amount)s was given"), amount=from_cents(cents)
            ),
        )
    if method not in RECEIVED_ON:
        raise InvalidPayment(
            account=account.code,
            problem=Phrase(
                N_("unknown method %(method)r (expected one of %(methods)s)"),
                method=method,
                methods=", ".join(RECEIVED_ON),
            ),
        )
    if account.closed_on is not None and on > account.closed_on:
        raise DebtorAccountClosed(
            account=account.code,
            household=debtor.household.name,
            closed=account.closed_on,
            date=on,
        )
    targets = tuple(_charge_posting(session, debtor, entry_id) for entry_id in designated)
    book = account.book
    received = book_account(session, book, RECEIVED_ON[method])
    repeated = key is not None and (
        session.scalar(select(OperationKey.id).where(OperationKey.key == key)) is not None
    )
    text = memo or f"Pagamento {debtor.household.name}"
    entry = post(
        session,
        book,
        on,
        [Leg(received, from_cents(cents)), Leg(account, from_cents(-cents), settles=targets)],
        memo=text,
        reference=reference,
        actor=actor,
        key=key,
    )
    return _result(session, entry, account, created=not repeated)


def _result(
    session: Session, entry: JournalEntry, account: Account, *, created: bool
) -> PaymentResult:
    credit = next(p for p in entry.postings if p.account_id == account.id)
    rows = session.execute(
        select(Allocation.amount_cents, Posting.entry_id, Posting.entry_date, JournalEntry.memo)
        .join(Posting, Posting.id == Allocation.debit_posting_id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Allocation.credit_posting_id == credit.id,
            Allocation.entry_id == entry.id,
            Allocation.amount_cents > 0,
        )
        .order_by(Allocation.id)
    )
    settled = [Settled(eid, day, memo, from_cents(cents)) for cents, eid, day, memo in rows]
    left = session.scalar(select(OpenItem.open_cents).where(OpenItem.posting_id == credit.id))
    return PaymentResult(
        entry.id,
        account.code,
        from_cents(-credit.amount_cents),
        settled,
        from_cents(-(left or 0)),
        created,
    )


def reverse_payment(
    session: Session, entry_id: int, *, reason: str, actor: str, on: date | None = None
) -> JournalEntry:
    """Cancel a payment; the charges it had paid are open again from ``on``."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None:
        raise NotFound(what="Entry", ref=f"#{entry_id}")
    debtor_credit = session.scalar(
        select(Posting.id)
        .join(DebtorAccount, DebtorAccount.account_id == Posting.account_id)
        .where(Posting.entry_id == entry_id, Posting.amount_cents < 0)
    )
    if debtor_credit is None or entry.reverses_id is not None:
        raise NotAPayment(entry=entry_id)
    return reverse(session, entry, reason=reason, actor=actor, on=on)


def open_charges(session: Session, debtor: DebtorAccount, as_of: date) -> list[OpenCharge]:
    """The charges of ``debtor`` not yet paid on ``as_of``, oldest first."""
    positions = [
        p
        for p in openitems.positions(session, as_of, account_ids=[debtor.account_id])
        if p.open_cents > 0
    ]
    if not positions:
        return []
    info = {
        pid: (eid, memo)
        for pid, eid, memo in session.execute(
            select(Posting.id, Posting.entry_id, JournalEntry.memo)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(Posting.id.in_([p.posting_id for p in positions]))
        )
    }
    return [
        OpenCharge(
            info[p.posting_id][0],
            p.posting_id,
            p.item_date,
            info[p.posting_id][1],
            from_cents(p.amount_cents),
            from_cents(p.open_cents),
        )
        for p in positions
    ]


@dataclass(frozen=True)
class TrailLine:
    """One allocation touching an entry: what settled what, from when, why, and who did it."""

    effective_date: date
    kind: str
    #: Positive when the entry's item was settled by (or settled) the other; negative: released.
    amount: Decimal
    other_entry_id: int
    other_memo: str
    caused_by_entry_id: int
    created_by: str


def allocation_trail(session: Session, entry_id: int) -> list[TrailLine]:
    """Every allocation of an entry's open items, oldest first: the audit trail of a charge
    (which payments paid it and when) or of a payment (which charges it paid, what was undone)."""
    items = list(
        session.scalars(
            select(Posting.id)
            .join(OpenItem, OpenItem.posting_id == Posting.id)
            .where(Posting.entry_id == entry_id)
        )
    )
    if not items:
        if session.get(JournalEntry, entry_id) is None:
            raise NotFound(what="Entry", ref=f"#{entry_id}")
        return []
    found = [
        (allocation, allocation.credit_posting_id
         if allocation.debit_posting_id == posting_id else allocation.debit_posting_id)
        for posting_id in items
        for allocation in openitems.allocations_of(session, posting_id)
    ]  # fmt: skip
    # The other side of every allocation, with its entry's memo, in one query.
    others = {
        pid: (eid, memo)
        for pid, eid, memo in session.execute(
            select(Posting.id, Posting.entry_id, JournalEntry.memo)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(Posting.id.in_({other for _, other in found}))
        )
    }
    return [
        TrailLine(
            allocation.effective_date,
            allocation.kind.value,
            from_cents(allocation.amount_cents),
            others[other][0],
            others[other][1],
            allocation.entry_id,
            allocation.created_by,
        )
        for allocation, other in found
    ]


__all__ = [
    "OpenCharge",
    "PaymentResult",
    "Settled",
    "TrailLine",
    "allocation_trail",
    "find_debtor",
    "open_charges",
    "record_payment",
    "reverse_payment",
]
