"""Year-end adjustments (*conguaglio*) and one-off charges (extraordinary works).

Both charge units outside the monthly run and follow its rule: the amount goes to the household
occupying the unit on the date of the charge (the adjustment's date, the one-off charge's due
date); a unit nobody occupies then is listed as not charged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.charges import ChargeRunResult
from condo_admin.accounting.debtors import Debtors
from condo_admin.accounting.errors import InvalidBudget, InvalidCharge
from condo_admin.accounting.models import Budget as BudgetModel
from condo_admin.accounting.models import (
    BudgetActual,
    BudgetAllotment,
    BudgetStatus,
    CreditorBook,
    ShareTable,
)
from condo_admin.accounting.shares import split_by_table
from condo_admin.audit.operations import record as audit
from condo_admin.registry import validate as v
from condo_admin.registry.models import Unit
from ledger.errors import N_, Phrase
from ledger.models import Book
from ledger.money import from_cents, to_cents
from ledger.posting import EntryDraft, Leg, post_many


def _units(session: Session, unit_ids: set[int]) -> dict[int, Unit]:
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}


def year_end_key(budget: BudgetModel) -> str:
    """The operation key of a budget's year-end adjustment: one per book and year."""
    return f"year-end:{budget.book.code}:{budget.year}"


def close_year(
    session: Session,
    budget: BudgetModel,
    actuals: Mapping[str, Decimal | str],
    *,
    on: date,
    actor: str,
) -> ChargeRunResult:
    """Enter the final accounts and post each unit's adjustment: actual part minus budgeted part.

    Each category's actual total is split by the same share table as its budget, by the same
    largest-remainder method; a positive difference is charged, a negative one credited.
    """
    label = f"{budget.building.code} {budget.year}"
    if budget.status is not BudgetStatus.APPROVED:
        raise InvalidBudget(
            budget=label,
            problem=Phrase(N_("it is %(status)s, not approved"), status=budget.status.value),
        )
    on = v.day(on, "adjustment date")
    lines = {line.category: line for line in budget.lines}
    given = {str(c).upper(): amount for c, amount in actuals.items()}
    if set(given) != set(lines):
        missing = ", ".join(sorted(set(lines) - set(given))) or N_("none")
        extra = ", ".join(sorted(set(given) - set(lines))) or N_("none")
        raise InvalidBudget(
            budget=label,
            problem=Phrase(
                N_(
                    "final accounts must give every category "
                    "(missing: %(missing)s; unknown: %(extra)s)"
                ),
                missing=missing,
                extra=extra,
            ),
        )
    actual_cents = {}
    for category, amount in given.items():
        cents = to_cents(
            amount, field=Phrase(N_("final amount of %(category)s"), category=category)
        )
        if cents < 0:
            raise InvalidBudget(
                budget=label,
                problem=Phrase(N_("final amount of %(category)s is negative"), category=category),
            )
        actual_cents[category] = cents

    deltas: dict[int, dict[str, int]] = {}
    for category, line in lines.items():
        allotted = dict(
            (unit_id, cents)
            for unit_id, cents in session.execute(
                select(BudgetAllotment.unit_id, BudgetAllotment.amount_cents).where(
                    BudgetAllotment.line_id == line.id
                )
            )
        )
        actual = split_by_table(session, line.share_table, actual_cents[category])
        for unit_id in set(allotted) | set(actual):
            delta = actual.get(unit_id, 0) - allotted.get(unit_id, 0)
            if delta:
                deltas.setdefault(unit_id, {})[category] = delta

    debtors = Debtors(session, budget.book, actor)
    units = _units(session, set(deltas))
    occupants = debtors.occupants_on(list(units), on)
    drafts, not_charged, net = [], [], 0
    for unit_id in sorted(deltas, key=lambda i: units[i].code):
        unit, by_category = units[unit_id], deltas[unit_id]
        total = sum(by_category.values())
        occupant = occupants.get(unit_id)
        if occupant is None:
            not_charged.append(f"{unit.label}: vacant on {on} ({from_cents(total)})")
            continue
        legs = [Leg(debtors.account(occupant), from_cents(total))] if total else []
        legs += [
            Leg(debtors.income(category), from_cents(-cents))
            for category, cents in sorted(by_category.items())
        ]
        drafts.append(EntryDraft(on, legs, f"Conguaglio {budget.year} — {unit.label}"))
        net += total

    result = post_many(session, budget.book, drafts, actor=actor, key=year_end_key(budget))
    session.add_all(
        BudgetActual(line_id=lines[c].id, actual_cents=cents) for c, cents in actual_cents.items()
    )
    before = {"status": budget.status.value}
    budget.status = BudgetStatus.CLOSED
    session.flush()
    audit(session, actor, "budget.close", budget, before=before)
    return ChargeRunResult(
        budget.book.code,
        str(budget.year),
        len(result.entry_ids),
        from_cents(net),
        True,
        not_charged,
    )


def charge_one_off(
    session: Session,
    book: Book,
    *,
    category: str,
    name: str,
    due: date,
    key: str,
    actor: str,
    amount: Decimal | str | None = None,
    table: ShareTable | None = None,
    units: Mapping[Unit, Decimal | str] | None = None,
) -> ChargeRunResult:
    """An extraordinary charge split by a share table, or given unit by unit.

    ``key`` names the charge (e.g. the works order): charging it again posts nothing.
    """
    category = v.code(category, "expense category").upper()
    label = f"{book.code}/{category}"
    due = v.day(due, "due date")
    creditor = session.get(CreditorBook, book.id)
    if (table is None) == (units is None):
        raise InvalidCharge(
            charge=label, problem=N_("give either a share table or the units to charge")
        )
    if table is not None:
        if creditor is None or creditor.building_id != table.building_id:
            raise InvalidCharge(
                charge=label,
                problem=Phrase(
                    N_("share table %(table)s is not of this book's building"), table=table.code
                ),
            )
        if amount is None:
            raise InvalidCharge(charge=label, problem=N_("an amount is needed to split by a table"))
        total = to_cents(amount, field=Phrase(N_("charge %(charge)s amount"), charge=label))
        if total <= 0:
            raise InvalidCharge(charge=label, problem=N_("the amount must be positive"))
        parts = split_by_table(session, table, total)
    else:
        assert units is not None
        if not units:
            raise InvalidCharge(charge=label, problem=N_("no unit to charge"))
        parts = {}
        for unit, unit_amount in units.items():
            cents = to_cents(
                unit_amount,
                field=Phrase(N_("charge %(charge)s, unit %(unit)s"), charge=label, unit=unit.label),
            )
            if cents <= 0:
                raise InvalidCharge(
                    charge=label,
                    problem=Phrase(N_("the amount of %(unit)s must be positive"), unit=unit.label),
                )
            parts[unit.id] = cents
    debtors = Debtors(session, book, actor)
    income = debtors.income(category, open_as=(v.text(name, "charge name"), due))
    unit_rows = _units(session, set(parts))
    occupants = debtors.occupants_on(list(unit_rows), due)
    drafts, not_charged = [], []
    for unit_id in sorted(parts, key=lambda i: unit_rows[i].code):
        cents, unit = parts[unit_id], unit_rows[unit_id]
        if cents == 0:
            continue
        occupant = occupants.get(unit_id)
        if occupant is None:
            not_charged.append(f"{unit.label}: vacant on {due} ({from_cents(cents)})")
            continue
        legs = [Leg(debtors.account(occupant), from_cents(cents)), Leg(income, from_cents(-cents))]
        drafts.append(EntryDraft(due, legs, f"{name} — {unit.label}"))
    if not drafts:
        raise InvalidCharge(
            charge=label, problem=N_("every unit to charge is vacant on the due date")
        )
    result = post_many(session, book, drafts, actor=actor, key=f"one-off:{book.code}:{key}")
    charged = sum(parts[i] for i in parts if i in occupants)
    return ChargeRunResult(
        book.code, str(due), len(result.entry_ids), from_cents(charged), result.created, not_charged
    )
