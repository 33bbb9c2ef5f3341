"""Turning verified hours into credit on the ledger, and undoing it.

Each credited hour entry is one ledger entry in the book of the debt the agreement targets: the
community-service credit account debited, the household's debtor account credited; the ledger
allocates the credit to the oldest unpaid charges like any other credit. A batch is one
``post_many`` under a key naming the agreement and the entries, so crediting the same entries
twice posts nothing. Credit never exceeds what the household owes on that account on the day of
crediting: an entry beyond the debt is credited in part, or stays verified, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account
from condo_admin.registry import validate as v
from ledger.errors import N_, Phrase
from ledger.models import JournalEntry, OperationKey, Posting
from ledger.money import format_amount, from_cents
from ledger.posting import EntryDraft, Leg, post_many, reverse
from ledger.queries import balance
from volunteering import events
from volunteering.errors import TransitionRefused
from volunteering.models import Agreement, AgreementStatus, HourEntry, HourEvent, HourStatus


@dataclass
class CreditResult:
    agreement: str
    credited: list[tuple[int, Decimal]] = field(default_factory=list)  # (hour entry, amount)
    #: Entries left verified, with why (no debt left, nothing creditable).
    skipped: list[tuple[int, str]] = field(default_factory=list)
    debt_before: Decimal = Decimal("0.00")
    debt_after: Decimal = Decimal("0.00")
    #: False when this exact batch had been credited before: nothing new was posted.
    created: bool = True

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.credited), Decimal("0.00"))


def _memo(entry: HourEntry) -> str:
    rate = format_amount(entry.rate_cents or 0)
    return (
        f"Restituzione {entry.agreement.code}: {entry.activity.name}, "
        f"{entry.work_date:%d/%m/%Y}, {entry.hours} h x €{rate}"
    )


def credit(
    session: Session,
    agreement: Agreement,
    *,
    on: date,
    actor: str,
    entries: Sequence[HourEntry] | None = None,
) -> CreditResult:
    """Credit the verified entries of ``agreement`` (all, or ``entries``) on date ``on``."""
    on = v.day(on, "crediting date")
    result = CreditResult(agreement.code)
    if agreement.status is AgreementStatus.DRAFT:
        raise TransitionRefused(
            what=Phrase(N_("Agreement %(code)s"), code=agreement.code),
            status="draft",
            action=N_("credited"),
            allowed=N_("it has been activated"),
        )
    candidates = list(entries) if entries is not None else _verified(session, agreement)
    for entry in candidates:
        if entry.agreement_id != agreement.id or entry.status is not HourStatus.VERIFIED:
            raise TransitionRefused(
                what=Phrase(N_("Hour entry #%(id)s"), id=entry.id),
                status=entry.status.value,
                action=N_("credited"),
                allowed=N_("verified, under this agreement"),
            )
    debtor = agreement.debtor_account
    account = debtor.account
    book = account.book
    debt = int(balance(session, account, as_of=on) * 100)
    result.debt_before = from_cents(max(debt, 0))
    # Uncredited entries may be credited again on the same day: the key counts the undoings.
    undone = session.scalar(
        select(func.count()).where(
            HourEvent.hour_entry_id.in_([e.id for e in candidates] or [0]),
            HourEvent.action == "uncredit",
        )
    )
    ids = ",".join(str(e.id) for e in candidates)
    key = f"restitution:{agreement.code}:{on}:{ids}:{undone}"
    if session.scalar(select(OperationKey.id).where(OperationKey.key == key)) is not None:
        result.created = False
        result.debt_after = result.debt_before
        return result
    # A credit dated ``on`` lowers every later balance too, and a later posting (a payment, a
    # credit dated after ``on``) may already have used the debt: never more than the lowest.
    left = max(min(debt, _lowest_from(session, account.id, on, debt)), 0)
    community = book_account(session, book, "COMMUNITY")
    drafts: list[EntryDraft] = []
    chosen: list[tuple[HourEntry, int]] = []
    for entry in sorted(candidates, key=lambda e: (e.work_date, e.id)):
        creditable = entry.creditable_cents or 0
        if creditable == 0:
            result.skipped.append((entry.id, entry.cap_note or "nothing creditable"))
            continue
        if left == 0:
            result.skipped.append((entry.id, f"no debt left on {account.code} on {on}"))
            continue
        cents = min(creditable, left)
        left -= cents
        memo = _memo(entry)
        if cents < creditable:
            memo += f" (limited to the debt: {format_amount(cents)} of {format_amount(creditable)})"
        drafts.append(
            EntryDraft(
                on,
                [Leg(community, from_cents(cents)), Leg(account, from_cents(-cents))],
                memo[:500],
                reference=f"HOURS-{entry.id}",
            )
        )
        chosen.append((entry, cents))
    if drafts:
        posted = post_many(session, book, drafts, actor=actor, key=key)
        for (entry, cents), entry_id in zip(chosen, posted.entry_ids, strict=True):
            before = entry.status
            entry.status = HourStatus.CREDITED
            entry.credit_entry_id = entry_id
            entry.credited_cents = cents
            events.record(
                session,
                agreement_id=agreement.id,
                hour_entry_id=entry.id,
                action="credit",
                from_status=before.value,
                to_status=entry.status.value,
                actor=actor,
                note=f"entry #{entry_id}, {format_amount(cents)}",
            )
            result.credited.append((entry.id, from_cents(cents)))
        session.flush()
    result.debt_after = from_cents(max(debt, 0) - sum(cents for _, cents in chosen))
    return result


def _lowest_from(session: Session, account_id: int, on: date, balance_on: int) -> int:
    """The lowest balance, in cents, of the account on ``on`` or any later day with postings."""
    lowest = running = balance_on
    for cents in session.scalars(
        select(func.sum(Posting.amount_cents))
        .where(Posting.account_id == account_id, Posting.entry_date > on)
        .group_by(Posting.entry_date)
        .order_by(Posting.entry_date)
    ):
        running += cents
        lowest = min(lowest, running)
    return lowest


def _verified(session: Session, agreement: Agreement) -> list[HourEntry]:
    return list(
        session.scalars(
            select(HourEntry)
            .where(HourEntry.agreement_id == agreement.id, HourEntry.status == HourStatus.VERIFIED)
            .order_by(HourEntry.work_date, HourEntry.id)
        )
    )


def uncredit(
    session: Session, entry: HourEntry, *, reason: str, actor: str, on: date | None = None
) -> JournalEntry:
    """Undo a credit with a reversal; the entry is verified again and can be credited anew."""
    why = v.text(reason, "reason", 400)
    if entry.status is not HourStatus.CREDITED or entry.credit_entry_id is None:
        raise TransitionRefused(
            what=Phrase(N_("Hour entry #%(id)s"), id=entry.id),
            status=entry.status.value,
            action=N_("uncredited"),
            allowed=HourStatus.CREDITED.value,
        )
    original = session.get(JournalEntry, entry.credit_entry_id)
    assert original is not None
    reversal = reverse(session, original, reason=why, actor=actor, on=on)
    entry.status = HourStatus.VERIFIED
    entry.credit_entry_id = None
    entry.credited_cents = None
    session.flush()
    events.record(
        session,
        agreement_id=entry.agreement_id,
        hour_entry_id=entry.id,
        action="uncredit",
        from_status=HourStatus.CREDITED.value,
        to_status=entry.status.value,
        actor=actor,
        note=f"reversal #{reversal.id} of #{original.id}: {why}",
    )
    return reversal


__all__ = ["CreditResult", "credit", "uncredit"]
