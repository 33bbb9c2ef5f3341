"""``condo budget-of``, ``condo plans``, ``condo cases``, ``condo reminders``: the advice desk.

Thin, like the rest of the CLI: options are parsed here and the rules live in
:mod:`condo_admin.desk`. Each command is one transaction and prints its report only once it has
committed. Households are named by code within the agency (``--agency``), plans by code, cases by
the number printed when they were opened.

``condo_admin.cli`` imports this module at its very end and calls :func:`register`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin import cli_support as support
from condo_admin import formatting, lookups
from condo_admin.accounting.books import set_book_iban
from condo_admin.accounting.report_commands import output_options, write_report
from condo_admin.desk import cases as cases_service
from condo_admin.desk import household_budgets as budgets
from condo_admin.desk import plans as plans_service
from condo_admin.desk import reminders as reminders_service
from condo_admin.desk.errors import BudgetRefused, PlanRefused
from condo_admin.desk.models import (
    Case,
    CaseStatus,
    ContactKind,
    ExpenseCategory,
    IncomeSource,
    Means,
    Outcome,
    PlanStatus,
    RepaymentPlan,
    Stage,
)
from condo_admin.tabular import read_table
from ledger.errors import N_, Phrase
from ledger.money import from_cents
from volunteering import agreements as agreements_service

if TYPE_CHECKING:
    from condo_admin.cli import Context

DATE = click.DateTime(formats=["%Y-%m-%d"])
AMOUNT_EXAMPLE = "120.50 or 120,50"


def _cli():  # type: ignore[no-untyped-def]
    return support.cli()


_actor, _day, _echo = support.actor, support.day, support.echo


def _amount(text: str, option: str) -> Decimal:
    return support.amount(text, option, AMOUNT_EXAMPLE)


def _money(amount: Decimal) -> str:
    return formatting.money(amount)


def _agency_option(command):  # type: ignore[no-untyped-def]
    return click.option(
        "--agency", "agency_code", help="Agency code (default: the only agency there is)."
    )(command)


# --- household budget ----------------------------------------------------------------------


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, Decimal]]:
    out = []
    for value in values:
        category, sep, amount = value.partition("=")
        if not sep:
            raise BudgetRefused(
                household="?",
                problem=Phrase(
                    N_("%(option)s %(value)r: write CATEGORY=AMOUNT, e.g. wages=1200"),
                    option=option,
                    value=value,
                ),
            )
        out.append((category.strip().lower(), _amount(amount.strip(), option)))
    return out


@click.group("household-budget")
def household_budget() -> None:
    """A household's monthly income and essential expenses (financial education)."""


@household_budget.command("set")
@_agency_option
@click.argument("household_code")
@click.option("--from", "valid_from", type=DATE, help="First day it applies (default: today).")
@click.option(
    "--income",
    multiple=True,
    help=f"SOURCE=AMOUNT a month; sources: {', '.join(s.value for s in IncomeSource)}.",
)
@click.option(
    "--expense",
    multiple=True,
    help=f"CATEGORY=AMOUNT a month; categories: {', '.join(c.value for c in ExpenseCategory)}.",
)
@click.option("--note", help="Anything worth keeping with this version.")
@click.pass_obj
def budget_set(
    obj: Context,
    agency_code: str | None,
    household_code: str,
    valid_from: datetime | None,
    income: tuple[str, ...],
    expense: tuple[str, ...],
    note: str | None,
) -> None:
    """Save a new version of HOUSEHOLD_CODE's budget (older versions are kept)."""
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        household = lookups.household(session, agency, household_code)
        lines = [budgets.Line("income", c, a) for c, a in _pairs(income, "--income")]
        lines += [budgets.Line("expense", c, a) for c, a in _pairs(expense, "--expense")]
        saved = budgets.record_budget(
            session, household, lines, valid_from=_day(valid_from), actor=_actor(), note=note
        )
        figures = budgets.means(saved)
        report = [
            f"Budget of {household.code} from {saved.valid_from.isoformat()}: income "
            f"{_money(figures.income)}, expenses {_money(figures.expenses)}, disposable "
            f"{_money(figures.disposable)} a month."
        ]
    _echo(report)


@household_budget.command("show")
@_agency_option
@click.argument("household_code")
@click.pass_obj
def budget_show(obj: Context, agency_code: str | None, household_code: str) -> None:
    """Every version of HOUSEHOLD_CODE's budget, oldest first."""
    with obj.session() as session:
        household = lookups.household(
            session, lookups.agency_or_only(session, agency_code), household_code
        )
        versions = budgets.history(session, household.id)
        lines = [f"Household {household.code} {household.name}: {len(versions)} versions"]
        for version in versions:
            figures = budgets.means(version)
            lines.append(
                f"from {version.valid_from.isoformat()} (by {version.recorded_by}): income "
                f"{_money(figures.income)}, expenses {_money(figures.expenses)}, disposable "
                f"{_money(figures.disposable)}"
            )
            for (kind, category), amount in sorted(figures.by_category.items()):
                lines.append(f"    {kind:<8} {category:<12} {_money(amount):>14}")
    _echo(lines)


# --- plans ---------------------------------------------------------------------------------


@click.group("plans")
def plans() -> None:
    """Repayment plans: create, activate, renegotiate, cancel, show, check."""


def _schedule_file(path: Path) -> list[plans_service.InstallmentDraft]:
    """Installments from a .csv or .xlsx with columns due_date, amount and optional means."""
    drafts = []
    for row in read_table(path, ("due_date", "amount")):
        means = (row["means"] or "cash").lower()
        if means not in {m.value for m in Means}:
            raise row.bad("means", N_("cash or hours"))
        drafts.append(
            plans_service.InstallmentDraft(
                row.day("due_date"),
                row.decimal("amount", example=AMOUNT_EXAMPLE, places=2, positive=True),
                means,
            )
        )
    return drafts


def _installments(
    debt: Decimal,
    count: int | None,
    first: datetime | None,
    every: int,
    schedule: Path | None,
    hours_part: str | None,
) -> list[plans_service.InstallmentDraft]:
    if schedule is not None:
        return _schedule_file(schedule)
    if count is None or first is None:
        raise PlanRefused(
            plan=N_("(new)"),
            problem=N_("give --installments and --first, or a --schedule file"),
        )
    hours = _amount(hours_part, "--hours-part") if hours_part else Decimal("0.00")
    if hours >= debt:
        raise PlanRefused(plan=N_("(new)"), problem=N_("the hours part must be less than the debt"))
    cash = plans_service.equal_installments(debt - hours, count, first.date(), months_apart=every)
    if hours:
        # The hours part falls due with the last cash installment.
        last = cash[-1].due_date
        cash.append(
            plans_service.InstallmentDraft(plans_service.add_months(last, 1), hours, Means.HOURS)
        )
    return cash


def _plan(session: Session, agency_code: str | None, code: str) -> RepaymentPlan:
    return plans_service.find_plan(
        session, lookups.agency_or_only(session, agency_code), code.strip()
    )


def _standing_lines(session: Session, plan: RepaymentPlan, as_of: date) -> list[str]:
    as_of = plans_service.judged_on(plan, as_of)
    found = plans_service.standing(session, plan, as_of)
    lines = [
        f"Plan {plan.code} ({plan.status.value}) of household {plan.household.code} in book "
        f"{plan.book.code}: debt {_money(found.debt)} stated on {plan.as_of.isoformat()}",
        f"as of {as_of.isoformat()}: expected {_money(found.expected)}, repaid "
        f"{_money(found.repaid)} (cash {_money(found.repaid_in_cash)}, hours "
        f"{_money(found.repaid_by_hours)}), behind {_money(found.behind)}, left "
        f"{_money(found.remaining)}",
    ]
    if plan.agreement is not None:
        lines.append(f"mixed plan: hours credited under agreement {plan.agreement.code} count")
    if plan.supersedes is not None:
        lines.append(f"renegotiates plan {plan.supersedes.code}")
    lines.append(f"{'#':>3} {'due':<10} {'grace to':<10} {'amount':>12} {'means':<6} state")
    for line in found.lines:
        late = " (caught up since)" if line.state == "missed" and line.caught_up else ""
        lines.append(
            f"{line.seq:>3} {line.due_date.isoformat():<10} {line.deadline.isoformat():<10} "
            f"{_money(line.amount):>12} {line.means.value:<6} {line.state.value}{late}"
        )
    return lines


def _affordability_line(afford: plans_service.Affordability) -> str:
    text = (
        f"affordability: heaviest month of cash installments {_money(afford.monthly_installment)}"
    )
    if afford.disposable is not None:
        text += f", disposable income {_money(afford.disposable)}"
    if afford.share is not None:
        text += f", {afford.share:.0%} of it"
    if afford.warning:
        text += f" — WARNING: {afford.warning}"
    return text


@plans.command("create")
@_agency_option
@click.option("--household", "household_code", required=True, help="Household code.")
@click.option("--book", "book_code", required=True, help="Creditor book code.")
@click.option("--debt", required=True, help=f"The stated debt, e.g. {AMOUNT_EXAMPLE}.")
@click.option("--as-of", "as_of", required=True, type=DATE, help="The day the debt is stated.")
@click.option("--installments", "count", type=click.IntRange(1, 120), help="How many.")
@click.option("--first", type=DATE, help="Due date of the first installment.")
@click.option("--every", default=1, show_default=True, type=click.IntRange(1, 12), help="Months.")
@click.option(
    "--schedule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A .csv or .xlsx with due_date, amount and optional means (cash or hours).",
)
@click.option("--agreement", "agreement_code", help="Restitution agreement: a mixed plan.")
@click.option("--hours-part", help="Part of the debt to be met with credited hours.")
@click.option("--override-note", help="Why the debt may exceed the arrears on the ledger.")
@click.option("--grace-days", default=5, show_default=True, type=click.IntRange(0, 60))
@click.option("--break-after", default=2, show_default=True, type=click.IntRange(1, 12))
@click.option("--code", help="Plan code (default: PR<year>-<number>).")
@click.option("--note", help="Anything worth keeping with the plan.")
@click.option("--activate", is_flag=True, help="Activate it at once (the household has signed).")
@click.option(
    "--threshold",
    default="30",
    show_default=True,
    help="Affordability warning above this percent of disposable income.",
)
@click.pass_obj
def plan_create(
    obj: Context,
    agency_code: str | None,
    household_code: str,
    book_code: str,
    debt: str,
    as_of: datetime,
    count: int | None,
    first: datetime | None,
    every: int,
    schedule: Path | None,
    agreement_code: str | None,
    hours_part: str | None,
    override_note: str | None,
    grace_days: int,
    break_after: int,
    code: str | None,
    note: str | None,
    activate: bool,
    threshold: str,
) -> None:
    """A repayment plan (draft unless --activate), with its affordability."""
    settings = plans_service.Settings(
        grace_days=grace_days,
        break_after=break_after,
        affordability_threshold=_amount(threshold, "--threshold") / 100,
    )
    if hours_part and not agreement_code:
        raise PlanRefused(plan=code or N_("(new)"), problem=N_("--hours-part needs --agreement"))
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        household = lookups.household(session, agency, household_code)
        book = lookups.book(session, book_code)
        amount = _amount(debt, "--debt")
        agreement = (
            agreements_service.find(session, agency, agreement_code.strip())
            if agreement_code
            else None
        )
        plan = plans_service.create_plan(
            session,
            agency,
            household=household,
            book=book,
            debt=amount,
            as_of=as_of.date(),
            installments=_installments(amount, count, first, every, schedule, hours_part),
            actor=_actor(),
            code=code,
            agreement=agreement,
            override_note=override_note,
            note=note,
            settings=settings,
        )
        if activate:
            plans_service.activate_plan(session, plan, on=as_of.date(), actor=_actor())
        afford = plans_service.affordability(session, plan, on=as_of.date(), settings=settings)
        lines = [
            f"Plan {plan.code} {plan.status.value}: {_money(from_cents(plan.debt_cents))} in "
            f"{len(plan.installments)} installments, first due "
            f"{plan.installments[0].due_date.isoformat()}, last "
            f"{plan.installments[-1].due_date.isoformat()}.",
            _affordability_line(afford),
        ]
    _echo(lines)


def _plan_command(name: str, help_text: str):  # type: ignore[no-untyped-def]
    def decorate(function):  # type: ignore[no-untyped-def]
        function = click.pass_obj(function)
        function = click.argument("code")(function)
        function = _agency_option(function)
        return plans.command(name, help=help_text)(function)

    return decorate


@_plan_command("activate", "The household signed: CODE runs (and supersedes what it renegotiates).")
@click.option("--on", type=DATE, help="Day of signature (default: today).")
def plan_activate(obj: Context, agency_code: str | None, code: str, on: datetime | None) -> None:
    with obj.session() as session:
        plan = _plan(session, agency_code, code)
        plans_service.activate_plan(session, plan, on=_day(on), actor=_actor())
        lines = [f"Plan {plan.code} is active."]
        if plan.supersedes is not None:
            lines.append(f"Plan {plan.supersedes.code} is {plan.supersedes.status.value}.")
    _echo(lines)


@_plan_command("cancel", "Cancel plan CODE (draft or active), with a reason.")
@click.option("--reason", required=True)
@click.option("--on", type=DATE, help="Default: today.")
def plan_cancel(
    obj: Context, agency_code: str, code: str, reason: str, on: datetime | None
) -> None:
    with obj.session() as session:
        plan = _plan(session, agency_code, code)
        plans_service.cancel_plan(session, plan, on=_day(on), reason=reason, actor=_actor())
    _echo([f"Plan {code} is cancelled."])


@_plan_command("renegotiate", "A new plan for CODE's household; it supersedes CODE once activated.")
@click.option("--as-of", "as_of", required=True, type=DATE, help="The day the new debt is stated.")
@click.option("--debt", help="Default: the household's balance in the book on --as-of.")
@click.option("--installments", "count", type=click.IntRange(1, 120))
@click.option("--first", type=DATE)
@click.option("--every", default=1, show_default=True, type=click.IntRange(1, 12))
@click.option("--schedule", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--new-code", help="Code of the new plan.")
@click.option("--override-note")
def plan_renegotiate(
    obj: Context,
    agency_code: str | None,
    code: str,
    as_of: datetime,
    debt: str | None,
    count: int | None,
    first: datetime | None,
    every: int,
    schedule: Path | None,
    new_code: str | None,
    override_note: str | None,
) -> None:
    with obj.session() as session:
        plan = _plan(session, agency_code, code)
        amount = (
            _amount(debt, "--debt")
            if debt
            else from_cents(
                plans_service.arrears_cents(session, plan.household_id, plan.book_id, as_of.date())
            )
        )
        new = plans_service.renegotiate(
            session,
            plan,
            as_of=as_of.date(),
            debt=amount,
            installments=_installments(amount, count, first, every, schedule, None),
            actor=_actor(),
            code=new_code,
            override_note=override_note,
        )
        lines = [
            f"Plan {new.code} (draft) renegotiates {plan.code}: {_money(amount)} in "
            f"{len(new.installments)} installments; activate it once signed."
        ]
    _echo(lines)


@_plan_command("show", "Plan CODE: installments, expected against repaid, history.")
@click.option("--as-of", "as_of", type=DATE, help="Default: today.")
def plan_show(obj: Context, agency_code: str | None, code: str, as_of: datetime | None) -> None:
    day = _day(as_of)
    with obj.session() as session:
        plan = _plan(session, agency_code, code)
        lines = _standing_lines(session, plan, day)
        lines.append(_affordability_line(plans_service.affordability(session, plan, on=day)))
        lines.append("history:")
        for event in plans_service.events_of(session, plan):
            note = f" — {event.note}" if event.note else ""
            lines.append(
                f"  {event.at:%Y-%m-%d %H:%M} {event.action:<10} {event.to_status:<10} "
                f"{event.actor}{note}"
            )
    _echo(lines)


@plans.command("list")
@_agency_option
@click.option("--status", type=click.Choice([s.value for s in PlanStatus]))
@click.option("--as-of", "as_of", type=DATE, help="Default: today.")
@output_options
@click.pass_obj
def plan_list(
    obj: Context,
    agency_code: str | None,
    status: str | None,
    as_of: datetime | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Plans of the agency with expected against repaid (table, csv or xlsx with a chart)."""
    day = _day(as_of)
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        query = select(RepaymentPlan).where(RepaymentPlan.agency_id == agency.id)
        if status:
            query = query.where(RepaymentPlan.status == PlanStatus(status))
        found = list(session.scalars(query.order_by(RepaymentPlan.code)))
        table = plans_service.as_table(session, found, day)
    write_report(table, fmt, output)


@plans.command("check")
@click.option("--as-of", "as_of", required=True, type=DATE, help="The day to judge on.")
@click.option("--agency", "agency_code", help="Only this agency's plans.")
@click.pass_obj
def plan_check(obj: Context, as_of: datetime, agency_code: str | None) -> None:
    """The plans monitor: mark missed installments, break and complete plans, list them."""
    with obj.session() as session:
        agency = lookups.agency(session, agency_code) if agency_code else None
        results = plans_service.check_plans(session, as_of.date(), actor=_actor(), agency=agency)
        lines = []
        broken = completed = behind = 0
        for r in results:
            state = r.became.value if r.became else r.plan.status.value
            if r.became is PlanStatus.BROKEN:
                broken += 1
            elif r.became is PlanStatus.COMPLETED:
                completed += 1
            missed = [line for line in r.standing.missed if not line.caught_up]
            if not missed and r.became is None:
                continue
            behind += bool(missed) and r.became is None
            detail = ", ".join(
                f"#{line.seq} {_money(line.amount)} due {line.due_date.isoformat()}"
                for line in missed
            )
            lines.append(
                f"{r.plan.code:<14} {r.plan.household.code:<10} {state:<10} repaid "
                f"{_money(r.standing.repaid)} of {_money(r.standing.expected)} expected"
                + (f"; missed {detail}" if detail else "")
            )
        lines.append(
            f"{len(results)} active plans checked on {as_of.date().isoformat()}: "
            f"{broken} broken, {completed} completed, {behind} behind."
        )
    _echo(lines)


# --- cases ---------------------------------------------------------------------------------


@click.group("cases")
def cases() -> None:
    """The desk's cases: open from the early-warning list, work them, close them."""


def _case(session: Session, agency_code: str | None, case_id: int) -> Case:
    return cases_service.find_case(session, lookups.agency_or_only(session, agency_code), case_id)


def _case_line(case: Case) -> str:
    nxt = (
        f"next {case.next_action_on.isoformat()}: {case.next_action}"
        if case.next_action_on
        else "no next action"
    )
    hold = " [letters held]" if case.hold_letters else ""
    return (
        f"#{case.id:<5} {case.household.code:<10} {case.status.value:<14} "
        f"{case.assigned_to or '-':<14} opened {case.opened_on.isoformat()}  {nxt}{hold}"
    )


@cases.command("open")
@_agency_option
@click.option("--from-warnings", is_flag=True, help="One case per flagged household without one.")
@click.option("--household", "household_code", help="Open a case for this household by hand.")
@click.option("--as-of", "as_of", type=DATE, help="Default: today.")
@click.option("--assign", "operator", help="Operator to assign (for a case opened by hand).")
@click.option("--note", help="A first note (for a case opened by hand).")
@click.pass_obj
def case_open(
    obj: Context,
    agency_code: str | None,
    from_warnings: bool,
    household_code: str | None,
    as_of: datetime | None,
    operator: str | None,
    note: str | None,
) -> None:
    """Open cases from the early-warning list, or one by hand."""
    day = _day(as_of)
    if from_warnings == bool(household_code):
        raise _cli().Refused("give either --from-warnings or --household")
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        if from_warnings:
            done = cases_service.open_from_warnings(session, agency, day, actor=_actor())
            lines = [_case_line(c) for c in done.opened]
            lines.append(
                f"{len(done.opened)} cases opened on {day.isoformat()}; "
                f"{len(done.already_open)} flagged households already had one."
            )
        else:
            household = lookups.household(session, agency, household_code or "")
            case = cases_service.open_case(
                session, household, on=day, actor=_actor(), assigned_to=operator, note=note
            )
            lines = [f"Case #{case.id} opened for {household.code}."]
    _echo(lines)


@cases.command("list")
@_agency_option
@click.option("--all", "show_all", is_flag=True, help="Closed cases too.")
@click.option("--assigned-to", help="Only this operator's cases.")
@click.option("--due-by", type=DATE, help="Only cases whose next action is due by this day.")
@click.pass_obj
def case_list(
    obj: Context,
    agency_code: str | None,
    show_all: bool,
    assigned_to: str | None,
    due_by: datetime | None,
) -> None:
    """The worklist: next action first."""
    with obj.session() as session:
        found = cases_service.cases(
            session,
            lookups.agency_or_only(session, agency_code),
            open_only=not show_all,
            assigned_to=assigned_to,
            due_by=due_by.date() if due_by else None,
        )
        lines = [_case_line(c) for c in found] + [f"{len(found)} cases."]
    _echo(lines)


def _case_command(name: str, help_text: str):  # type: ignore[no-untyped-def]
    def decorate(function):  # type: ignore[no-untyped-def]
        function = click.pass_obj(function)
        function = click.argument("case_id", type=int)(function)
        function = _agency_option(function)
        return cases.command(name, help=help_text)(function)

    return decorate


@_case_command("show", "Case CASE_ID with its flags and diary.")
def case_show(obj: Context, agency_code: str | None, case_id: int) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        lines = [_case_line(case), f"household {case.household.name}"]
        if case.outcome:
            lines.append(f"closed on {case.closed_on.isoformat()}: {case.outcome.value}")
        lines += [f"flag: {flag['reason']}" for flag in case.flags]
        lines += [
            f"{e.day.isoformat()} {e.kind.value:<8} {e.author:<16} {e.text}" for e in case.diary
        ]
    _echo(lines)


@_case_command("note", "Write a contact or a note in CASE_ID's diary.")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in ContactKind if k is not ContactKind.CHANGE]),
    default="note",
    show_default=True,
)
@click.option("--text", required=True)
@click.option("--on", type=DATE, help="Default: today.")
def case_note(
    obj: Context, agency_code: str, case_id: int, kind: str, text: str, on: datetime | None
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.add_entry(session, case, on=_day(on), kind=kind, text=text, actor=_actor())
        status = case.status.value
    _echo([f"Case #{case_id}: {kind} written; status {status}."])


@_case_command("status", "Move CASE_ID to a working status.")
@click.option(
    "--to",
    "status",
    required=True,
    type=click.Choice([s.value for s in cases_service.OPEN_STATUSES]),
)
@click.option("--on", type=DATE)
def case_status(
    obj: Context, agency_code: str, case_id: int, status: str, on: datetime | None
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.set_status(session, case, CaseStatus(status), on=_day(on), actor=_actor())
    _echo([f"Case #{case_id} is {status}."])


@_case_command("assign", "Assign CASE_ID to an operator.")
@click.option("--to", "operator", required=True)
@click.option("--on", type=DATE)
def case_assign(
    obj: Context, agency_code: str, case_id: int, operator: str, on: datetime | None
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.assign(session, case, operator, on=_day(on), actor=_actor())
    _echo([f"Case #{case_id} assigned to {operator}."])


@_case_command("next", "Set CASE_ID's next action and its date.")
@click.option("--what", required=True)
@click.option("--when", required=True, type=DATE)
@click.option("--on", type=DATE, help="Today, for the diary (default: today).")
def case_next(
    obj: Context,
    agency_code: str | None,
    case_id: int,
    what: str,
    when: datetime,
    on: datetime | None,
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.plan_next_action(
            session, case, on=_day(on), what=what, when=when.date(), actor=_actor()
        )
    _echo([f"Case #{case_id}: next action on {when.date().isoformat()}."])


@_case_command("hold-letters", "Hold (or with --release, allow again) reminder letters.")
@click.option("--reason", required=True)
@click.option("--release", is_flag=True)
@click.option("--on", type=DATE)
def case_hold(
    obj: Context, agency_code: str, case_id: int, reason: str, release: bool, on: datetime | None
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.hold_letters(
            session, case, not release, on=_day(on), reason=reason, actor=_actor()
        )
    _echo([f"Case #{case_id}: letters {'allowed' if release else 'held'}."])


@_case_command("close", "Close CASE_ID with an outcome.")
@click.option("--outcome", required=True, type=click.Choice([o.value for o in Outcome]))
@click.option("--note", required=True)
@click.option("--on", type=DATE)
def case_close(
    obj: Context, agency_code: str, case_id: int, outcome: str, note: str, on: datetime | None
) -> None:
    with obj.session() as session:
        case = _case(session, agency_code, case_id)
        cases_service.close_case(
            session, case, on=_day(on), outcome=outcome, note=note, actor=_actor()
        )
        status = case.status.value
    _echo([f"Case #{case_id} closed: {status} ({outcome})."])


# --- reminders -----------------------------------------------------------------------------


@click.group("reminders")
def reminders() -> None:
    """Staged reminder letters as PDF, their settings and their log."""


@reminders.command("contact")
@_agency_option
@click.option("--name", required=True)
@click.option("--address", required=True)
@click.option("--phone", required=True)
@click.option("--email", required=True)
@click.option("--hours", required=True, help="Opening hours, as printed.")
@click.pass_obj
def reminders_contact(
    obj: Context, agency_code: str, name: str, address: str, phone: str, email: str, hours: str
) -> None:
    """The advice desk's contact, printed on every letter."""
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        agency_code = agency.code
        reminders_service.set_contact(
            session,
            agency,
            name=name,
            address=address,
            phone=phone,
            email=email,
            hours=hours,
            actor=_actor(),
        )
    _echo([f"Desk contact of {agency_code} saved."])


@reminders.command("iban")
@click.argument("book_code")
@click.argument("iban")
@click.pass_obj
def reminders_iban(obj: Context, book_code: str, iban: str) -> None:
    """The IBAN households pay BOOK_CODE into (printed with their RF reference)."""
    with obj.session() as session:
        link = set_book_iban(session, lookups.book(session, book_code), iban, actor=_actor())
        compact = link.iban
    _echo([f"Book {book_code}: IBAN {compact}."])


@reminders.command("stage")
@click.argument("book_code")
@click.argument("stage", type=click.Choice([s.value for s in Stage]))
@click.option("--on/--off", "enabled", default=None, help="Switch the stage on or off.")
@click.option("--days", type=click.IntRange(1, 3650), help="Days past due that reach it.")
@click.pass_obj
def reminders_stage(
    obj: Context, book_code: str, stage: str, enabled: bool | None, days: int | None
) -> None:
    """Switch a stage on or off for a book, or change its days."""
    with obj.session() as session:
        book = lookups.book(session, book_code)
        reminders_service.set_stage(
            session, book, stage, actor=_actor(), enabled=enabled, days=days
        )
        lines = [
            f"{s.value:<16} {d:>4} days  {'on' if on else 'off'}"
            for s, (d, on) in reminders_service.stages_of(session, book.id).items()
        ]
    _echo([f"Book {book_code}:", *lines])


@reminders.command("generate")
@_agency_option
@click.option("--as-of", "as_of", required=True, type=DATE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the PDFs and summary.csv.",
)
@click.option(
    "--templates",
    "template_folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own letter templates (<stage>.<language>.txt); default: the built-in ones.",
)
@click.pass_obj
def reminders_generate(
    obj: Context, agency_code: str, as_of: datetime, output: Path, template_folder: Path | None
) -> None:
    """Write the letters due on --as-of: one PDF each and a summary; logged, never repeated."""
    day = as_of.date()
    with obj.session() as session:
        agency = lookups.agency_or_only(session, agency_code)
        result = reminders_service.generate(
            session, agency, day, actor=_actor(), template_folder=template_folder
        )
        files = [(letter.filename, letter.pdf) for letter in result.letters]
        summary = [
            [
                letter.household.code,
                letter.household.name,
                letter.debtor_account.book.code,
                letter.stage.value,
                str(from_cents(letter.amount_cents)),
                letter.oldest_due.isoformat(),
                letter.language,
                letter.filename,
            ]
            for letter in result.letters
        ]
        skipped = result.skipped
    output.mkdir(parents=True, exist_ok=True)
    for name, pdf in files:
        (output / name).write_bytes(pdf)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["household", "name", "book", "stage", "amount", "oldest_due", "language", "file"]
    )
    writer.writerows(summary)
    (output / "summary.csv").write_text(buffer.getvalue(), encoding="utf-8")
    lines = [
        f"{row[0]:<10} {row[3]:<16} {_money(Decimal(row[4])):>14}  {row[7]}" for row in summary
    ]
    lines += [
        f"not written: {s.household:<10} {s.stage.value:<16} {_money(s.amount):>14}  {s.reason}"
        for s in skipped
    ]
    by_stage = ", ".join(
        f"{sum(1 for row in summary if row[3] == stage.value)} {stage.value}" for stage in Stage
    )
    lines.append(
        f"{len(summary)} letters written to {output} ({by_stage}); {len(skipped)} held back."
    )
    _echo(lines)


@reminders.command("log")
@_agency_option
@click.option("--since", type=DATE)
@click.pass_obj
def reminders_log(obj: Context, agency_code: str | None, since: datetime | None) -> None:
    """Every letter written: when, by whom, to whom, which stage, how much."""
    with obj.session() as session:
        rows = reminders_service.log(
            session,
            lookups.agency_or_only(session, agency_code),
            since=since.date() if since else None,
        )
        lines = [
            f"{letter.as_of.isoformat()} {run.run_by:<16} {letter.household.code:<10} "
            f"{letter.stage.value:<16} {_money(from_cents(letter.amount_cents)):>14} "
            f"{letter.filename}"
            for letter, run in rows
        ]
        lines.append(f"{len(rows)} letters.")
    _echo(lines)


def register(main: click.Group) -> None:
    for group in (household_budget, plans, cases, reminders):
        main.add_command(group)
