"""Staged reminder letters (*solleciti* and *diffida*, PRODUCT.md 4.3), logged and never repeated.

On a day D, each debtor account whose oldest unpaid charge is past due reaches the highest stage
switched on in its book whose number of days it has passed (by default: reminder at 30 days,
second reminder at 60, formal notice at 90). A letter is **not** written when:

- the household has an active repayment plan in that book in good standing;
- the household's open case holds letters;
- a letter of that stage or a later one was already written while the oldest charge now unpaid
  was already due: that debt has had its letter. Once everything such a letter covered is paid,
  new arrears start again from the first stage.

Everything a run needs (templates, the book's IBAN, the desk's contact) is checked before the
first letter is drawn; a run either writes all its letters and their log or nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload

from condo_admin import formatting
from condo_admin.accounting.models import CreditorBook, DebtorAccount
from condo_admin.audit.operations import record as audit
from condo_admin.desk import letter_pdf, templates
from condo_admin.desk.errors import LettersRefused
from condo_admin.desk.models import (
    Case,
    DeskContact,
    Letter,
    LetterRun,
    PlanStatus,
    ReminderStage,
    RepaymentPlan,
    Stage,
)
from condo_admin.desk.plans import standing, standings
from condo_admin.registry.models import Agency, Household, Occupancy, Unit
from ledger import openitems
from ledger.errors import N_, Phrase
from ledger.models import Book, JournalEntry, Posting
from ledger.money import from_cents

DEFAULT_DAYS = {Stage.REMINDER: 30, Stage.SECOND_REMINDER: 60, Stage.FORMAL_NOTICE: 90}
RANK = {stage: rank for rank, stage in enumerate(Stage)}


# --- settings ------------------------------------------------------------------------------


def stages_of(session: Session, book_id: int) -> dict[Stage, tuple[int, bool]]:
    """Each stage's (days past due, switched on) for a book, defaults where unset."""
    found = {
        row.stage: (row.days, row.enabled)
        for row in session.scalars(select(ReminderStage).where(ReminderStage.book_id == book_id))
    }
    return {stage: found.get(stage, (DEFAULT_DAYS[stage], True)) for stage in Stage}


def _together(problems: list[str]) -> str:
    """Several problems as one, each translated by the face."""
    if len(problems) == 1:
        return problems[0]
    return Phrase(N_("%(first)s; %(rest)s"), first=problems[0], rest=_together(problems[1:]))


def _listing(days: list[int]) -> str:
    return ", ".join(f"{stage.value} {d}" for stage, d in zip(Stage, days, strict=True))


def set_stage(
    session: Session,
    book: Book,
    stage: Stage | str,
    *,
    actor: str,
    enabled: bool | None = None,
    days: int | None = None,
) -> ReminderStage:
    """Switch a stage on or off for a book, or move its number of days; stages stay in order."""
    stage = Stage(stage)
    current = stages_of(session, book.id)
    new_days = current[stage][0] if days is None else days
    new_enabled = current[stage][1] if enabled is None else enabled
    proposed = {**current, stage: (new_days, new_enabled)}
    ordered = [proposed[s][0] for s in Stage]
    if new_days < 1 or ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
        raise LettersRefused(
            problem=Phrase(
                N_(
                    "book %(book)s: stage days must be positive and increase from reminder "
                    "to formal notice (proposed: %(proposed)s)"
                ),
                book=book.code,
                proposed=_listing(ordered),
            )
        )
    row = session.get(ReminderStage, (book.id, stage))
    if row is None:
        row = ReminderStage(book_id=book.id, stage=stage, days=new_days, enabled=new_enabled)
        session.add(row)
    else:
        row.days, row.enabled = new_days, new_enabled
    session.flush()
    audit(session, actor, "reminders.stage", row)
    return row


def set_contact(
    session: Session,
    agency: Agency,
    *,
    name: str,
    address: str,
    phone: str,
    email: str,
    hours: str,
    actor: str,
) -> DeskContact:
    values = {"name": name, "address": address, "phone": phone, "email": email, "hours": hours}
    empty = [key for key, value in values.items() if not value.strip()]
    if empty:
        raise LettersRefused(
            problem=Phrase(N_("the desk's contact needs %(fields)s"), fields=", ".join(empty))
        )
    contact = session.get(DeskContact, agency.id)
    if contact is None:
        contact = DeskContact(agency_id=agency.id, **values)
        session.add(contact)
    else:
        for key, value in values.items():
            setattr(contact, key, value.strip())
    session.flush()
    audit(session, actor, "desk.contact", contact)
    return contact


# --- choosing the letters ------------------------------------------------------------------


@dataclass
class Due:
    """A debtor account's past-due charges on a day."""

    debtor: DebtorAccount
    items: list[tuple[date, int, int]] = field(default_factory=list)  # (due, posting, open cents)

    @property
    def oldest(self) -> date:
        return min(due for due, _, _ in self.items)

    @property
    def cents(self) -> int:
        return sum(c for _, _, c in self.items)


@dataclass(frozen=True)
class Planned:
    due: Due
    stage: Stage
    days: int
    plan: RepaymentPlan | None  # an active plan not in good standing, mentioned in the letter


@dataclass(frozen=True)
class Skipped:
    household: str
    book: str
    stage: Stage
    amount: Decimal
    reason: str


def _agency_books(session: Session, agency: Agency) -> list[int]:
    return list(
        session.scalars(select(CreditorBook.book_id).where(CreditorBook.agency_id == agency.id))
    )


def _past_due(session: Session, books: list[int], as_of: date) -> list[Due]:
    if not books:
        return []
    dues: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for item in openitems.positions(session, as_of, book_ids=books):
        if item.is_charge and item.open_cents > 0 and item.item_date < as_of:
            dues[item.account_id].append((item.item_date, item.posting_id, item.open_cents))
    if not dues:
        return []
    debtors = session.scalars(
        select(DebtorAccount)
        .where(DebtorAccount.account_id.in_(list(dues)))
        .options(selectinload(DebtorAccount.household), selectinload(DebtorAccount.book))
    )
    found = [Due(debtor, dues[debtor.account_id]) for debtor in debtors]
    return sorted(found, key=lambda d: d.debtor.id)


def _stage_reached(stages: dict[Stage, tuple[int, bool]], days: int) -> Stage | None:
    reached = [s for s in Stage if stages[s][1] and days >= stages[s][0]]
    return reached[-1] if reached else None


@dataclass
class _Context:
    """What decides whether a letter goes, read for the whole agency in a few queries."""

    plans: dict[tuple[int, int], RepaymentPlan]  # active plans by (household, book)
    good: set[int]  # ids of those plans in good standing
    held: dict[int, int]  # household -> its open case holding letters
    letters: dict[int, list[tuple[Stage, date]]]  # debtor account -> letters written, newest first


def _context(session: Session, books: list[int], as_of: date) -> _Context:
    plans = {
        (plan.household_id, plan.book_id): plan
        for plan in session.scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.book_id.in_(books), RepaymentPlan.status == PlanStatus.ACTIVE)
            .options(selectinload(RepaymentPlan.installments))
        )
    }
    held = {
        household_id: case_id
        for case_id, household_id in session.execute(
            select(Case.id, Case.household_id).where(
                Case.closed_on.is_(None), Case.hold_letters.is_(True)
            )
        )
    }
    letters: dict[int, list[tuple[Stage, date]]] = defaultdict(list)
    for debtor_id, stage, on in session.execute(
        select(Letter.debtor_account_id, Letter.stage, Letter.as_of)
        .join(DebtorAccount, DebtorAccount.id == Letter.debtor_account_id)
        .where(DebtorAccount.book_id.in_(books), Letter.as_of <= as_of)
        .order_by(Letter.as_of.desc(), Letter.id.desc())
    ):
        letters[debtor_id].append((stage, on))
    judged = standings(session, list(plans.values()), as_of)
    good = {plan_id for plan_id, found in judged.items() if found.caught_up}
    return _Context(plans, good, held, letters)


def _held_back(
    session: Session, ctx: _Context, due: Due, stage: Stage, as_of: date
) -> tuple[str | None, RepaymentPlan | None]:
    """Why no letter of ``stage`` goes to this debtor account (None: it goes), and its plan."""
    debtor = due.debtor
    plan = ctx.plans.get((debtor.household_id, debtor.book_id))
    if plan is not None and plan.id in ctx.good:
        return f"repayment plan {plan.code} is in good standing", plan
    case_id = ctx.held.get(debtor.household_id)
    if case_id is not None:
        return f"case #{case_id} holds letters", plan
    sent = [
        (s, on)
        for s, on in ctx.letters.get(debtor.id, [])
        if on >= due.oldest and RANK[s] >= RANK[stage]
    ]
    if sent:
        return f"{sent[0][0].value} already written on {sent[0][1].isoformat()} for this debt", plan
    return None, plan


def choose(session: Session, agency: Agency, as_of: date) -> tuple[list[Planned], list[Skipped]]:
    """The letters a run on ``as_of`` would write, and those it holds back with the reason."""
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    books = _agency_books(session, agency)
    dues = _past_due(session, books, as_of)
    if not dues:
        return planned, skipped
    ctx = _context(session, books, as_of)
    stage_cache: dict[int, dict[Stage, tuple[int, bool]]] = {}
    for due in dues:
        debtor = due.debtor
        stages = stage_cache.setdefault(debtor.book_id, stages_of(session, debtor.book_id))
        days = (as_of - due.oldest).days
        stage = _stage_reached(stages, days)
        if stage is None:
            continue
        reason, plan = _held_back(session, ctx, due, stage, as_of)
        if reason is not None:
            skipped.append(
                Skipped(
                    debtor.household.code, debtor.book.code, stage, from_cents(due.cents), reason
                )
            )
            continue
        planned.append(Planned(due, stage, days, plan))
    return planned, skipped


# --- writing them --------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    run: LetterRun | None
    letters: list[Letter]
    skipped: list[Skipped]


def _address(session: Session, debtor: DebtorAccount) -> tuple[list[str], str]:
    occupancy = session.get(Occupancy, debtor.occupancy_id)
    unit: Unit = occupancy.unit
    building = unit.building
    lines = [
        f"{building.address}",
        f"{building.postcode} {building.city} ({building.province})",
    ]
    return lines, unit.code


def _descriptions(session: Session, posting_ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(Posting.id, func.coalesce(Posting.memo, JournalEntry.memo))
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(Posting.id.in_(posting_ids))
    )
    return {posting_id: memo for posting_id, memo in rows}


def _filename(as_of: date, debtor: DebtorAccount, stage: Stage) -> str:
    """Unique in a run: a household may owe one book on two accounts (it moved in the building)."""
    raw = f"{as_of.isoformat()}_{debtor.book.code}_{debtor.account.code}_{stage.value}.pdf"
    return re.sub(r"[^A-Za-z0-9._-]", "-", raw)


def generate(
    session: Session,
    agency: Agency,
    as_of: date,
    *,
    actor: str,
    template_folder: Path | None = None,
) -> RunResult:
    """Write and log every letter due on ``as_of``; refuse the whole run if one cannot be."""
    planned, skipped = choose(session, agency, as_of)
    if not planned:
        return RunResult(None, [], skipped)
    contact = session.get(DeskContact, agency.id)
    problems: list[str] = []
    if contact is None:
        problems.append(
            Phrase(
                N_(
                    "agency %(agency)s has no advice-desk contact to print "
                    "(condo reminders contact ...)"
                ),
                agency=agency.code,
            )
        )
    no_iban = sorted(
        {
            p.due.debtor.book.code
            for p in planned
            if not (session.get(CreditorBook, p.due.debtor.book_id).iban)
        }
    )
    problems += [
        Phrase(
            N_("book %(book)s has no IBAN to print (condo reminders iban %(book)s IBAN)"), book=code
        )
        for code in no_iban
    ]
    needed = {(p.stage.value, _language(p.due.debtor.household)) for p in planned}
    problems += templates.missing(template_folder, needed)
    if problems:
        raise LettersRefused(problem=_together(problems))
    assert contact is not None

    descriptions = _descriptions(
        session, [posting for p in planned for _, posting, _ in p.due.items]
    )
    # Every letter's wording is rendered before the run is recorded: a template that cannot be
    # used stops the run with nothing written.
    contents = [
        _content(session, p, contact, descriptions, template_folder, as_of) for p in planned
    ]
    run = LetterRun(agency_id=agency.id, as_of=as_of, run_by=actor, run_at=datetime.now(UTC))
    session.add(run)
    session.flush()
    letters = [
        _letter(run, p, content, as_of) for p, content in zip(planned, contents, strict=True)
    ]
    session.add_all(letters)
    session.flush()
    audit(
        session,
        actor,
        "reminders.run",
        run,
        after={
            "as_of": as_of.isoformat(),
            "letters": [
                [letter.household_id, letter.stage.value, letter.amount_cents] for letter in letters
            ],
        },
    )
    return RunResult(run, letters, skipped)


def _language(household: Household) -> str:
    return household.language if household.language in letter_pdf.LABELS else "it"


def _content(
    session: Session,
    p: Planned,
    contact: DeskContact,
    descriptions: dict[int, str],
    folder: Path | None,
    as_of: date,
) -> letter_pdf.LetterContent:
    debtor = p.due.debtor
    household, book = debtor.household, debtor.book
    language = _language(household)
    locale = letter_pdf.locale_of(language)
    total = from_cents(p.due.cents)
    values: dict[str, object] = {
        "addressee": household.name,
        "household": household.code,
        "creditor": book.name,
        "as_of": formatting.day(as_of, locale, "long"),
        "total": formatting.money(total, locale),
        "oldest_due": formatting.day(p.due.oldest, locale, "long"),
        "days": p.days,
        "reference": debtor.rf_reference,
        "desk": contact.name,
        "plan": None,
        "plan_repaid": None,
        "plan_expected": None,
    }
    if p.plan is not None:
        found = standing(session, p.plan, as_of)
        values |= {
            "plan": p.plan.code,
            "plan_repaid": formatting.money(found.repaid, locale),
            "plan_expected": formatting.money(found.expected, locale),
        }
    words = templates.wording(folder, p.stage.value, language, values)
    address, unit_code = _address(session, debtor)
    labels = letter_pdf.LABELS[language]
    lines = [
        letter_pdf.DueLine(due, descriptions.get(posting, ""), from_cents(cents))
        for due, posting, cents in sorted(p.due.items)
    ]
    iban = session.get(CreditorBook, book.id).iban or ""
    content = letter_pdf.LetterContent(
        language=language,
        subject=words.subject,
        opening=words.opening,
        closing=words.closing,
        sender=contact.name,
        sender_lines=[contact.address, f"{contact.phone} · {contact.email}"],
        addressee=[household.name, f"{labels['unit']} {unit_code}", *address],
        place_and_date=formatting.day(as_of, locale, "long"),
        lines=lines,
        total=total,
        beneficiary=book.name,
        iban=iban,
        reference=debtor.rf_reference,
        contact=[
            f"{labels['desk']}: {contact.name}",
            contact.address,
            f"{contact.phone} · {contact.email}",
            f"{labels['hours']}: {contact.hours}",
        ],
        title=f"{words.subject} – {household.code}",
    )
    return content


def _letter(run: LetterRun, p: Planned, content: letter_pdf.LetterContent, as_of: date) -> Letter:
    pdf = letter_pdf.render(content)
    debtor = p.due.debtor
    return Letter(
        run_id=run.id,
        household_id=debtor.household_id,
        debtor_account_id=debtor.id,
        stage=p.stage,
        as_of=as_of,
        amount_cents=p.due.cents,
        oldest_due=p.due.oldest,
        language=content.language,
        filename=_filename(as_of, debtor, p.stage),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def preview(
    session: Session,
    planned: Planned,
    contact: DeskContact,
    as_of: date,
    *,
    template_folder: Path | None = None,
) -> bytes:
    """The PDF a run would write for ``planned``, without logging it (for a preview)."""
    descriptions = _descriptions(session, [posting for _, posting, _ in planned.due.items])
    content = _content(session, planned, contact, descriptions, template_folder, as_of)
    return letter_pdf.render(content)


def letters_of(session: Session, household_id: int) -> list[Letter]:
    return list(
        session.scalars(
            select(Letter)
            .where(Letter.household_id == household_id)
            .order_by(Letter.as_of.desc(), Letter.id.desc())
        )
    )


def log(
    session: Session, agency: Agency, *, since: date | None = None
) -> list[tuple[Letter, LetterRun]]:
    """The letter log: who ran it, when, which stage, how much, newest first."""
    query = (
        select(Letter, LetterRun)
        .join(LetterRun, LetterRun.id == Letter.run_id)
        .where(LetterRun.agency_id == agency.id)
        .options(selectinload(Letter.household), defer(Letter.pdf))  # the PDFs stay in the db
        .order_by(Letter.as_of.desc(), Letter.id)
    )
    if since is not None:
        query = query.where(Letter.as_of >= since)
    return [(letter, run) for letter, run in session.execute(query)]


def counts_by_stage(letters: list[Letter]) -> dict[Stage, int]:
    counts: dict[Stage, int] = defaultdict(int)
    for letter in letters:
        counts[letter.stage] += 1
    return dict(counts)
