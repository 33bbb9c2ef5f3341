"""``condo volunteering``: the activity catalogue, agreements and hour entries from the terminal.

Thin, like the rest of :mod:`condo_admin.cli`: options are parsed here, the rules live in
:mod:`volunteering.catalogue`, :mod:`.agreements`, :mod:`.hours` and :mod:`.crediting`, and each
command is one transaction (``Context.session``), its report printed only once it has committed.
People are named by tax code and households by code, both within the agency (``--agency``);
hour entries by the number printed when they were submitted.

``condo_admin.cli`` imports this module at its very end and calls :func:`register`, so the CLI
is imported here only inside functions (:func:`_cli`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin import cli_support as support
from condo_admin import formatting, lookups
from condo_admin.accounting.payments import find_debtor
from condo_admin.accounting.references import printable
from condo_admin.registry.errors import InvalidField
from condo_admin.registry.models import Agency, Household, Person
from condo_admin.tabular import NotANumber, parse_number
from ledger.errors import N_, NotFound, Phrase
from ledger.models import JournalEntry
from ledger.money import from_cents
from volunteering import agreements as agreements_service
from volunteering import catalogue, crediting
from volunteering import hours as hours_service
from volunteering.figures import AgreementFigures, CapLeft, agreement_figures
from volunteering.models import (
    Activity,
    ActivityRate,
    Agreement,
    HourEntry,
    HourEvent,
    HourStatus,
    SubmitterRole,
)

if TYPE_CHECKING:
    from condo_admin.cli import Context

#: The same as ``condo_admin.cli.DATE`` (not imported: see the module docstring).
DATE = click.DateTime(formats=["%Y-%m-%d"])
AMOUNT_EXAMPLE = "7.50 or 7,50"
HOURS_EXAMPLE = "2.5 or 2,5"


# --- shared helpers ----------------------------------------------------------------------------


def _cli():  # type: ignore[no-untyped-def]
    return support.cli()


_actor, _day, _echo = support.actor, support.day, support.echo


def _amount(text: str, option: str) -> Decimal:
    return support.amount(text, option, AMOUNT_EXAMPLE)


def _hours(text: str, option: str) -> Decimal:
    """Hours typed on the command line; whether they are whole quarter hours the services say."""
    try:
        return parse_number(text, example=HOURS_EXAMPLE, places=2, positive=True)
    except NotANumber as exc:
        raise InvalidField(field=option, value=text, expected=exc.expected) from None


def _money_cents(cents: int | None) -> str:
    return "-" if cents is None else formatting.money(from_cents(cents))


def _h(hours: Decimal | None) -> str:
    return "-" if hours is None else f"{formatting.number(hours)} h"


def _agency(session: Session, code: str) -> Agency:
    return lookups.agency(session, code)


def _person(session: Session, agency: Agency, tax_code: str) -> Person:
    code = "".join(str(tax_code).split()).upper()
    found = session.scalar(
        select(Person).where(Person.agency_id == agency.id, Person.tax_code == code)
    )
    if found is None:
        raise NotFound(
            what=N_("Person with tax code"),
            ref=Phrase(N_("%(code)s in agency %(agency)s"), code=code, agency=agency.code),
        )
    return found


def _household(session: Session, agency: Agency, code: str) -> Household:
    return lookups.household(session, agency, code)


def _agreement(session: Session, agency_code: str, code: str) -> Agreement:
    agency = _agency(session, agency_code)
    try:
        return agreements_service.find(session, agency, code.strip())
    except NotFound:
        raise NotFound(
            what="Agreement",
            ref=Phrase(N_("%(code)s in agency %(agency)s"), code=code, agency=agency.code),
        ) from None


def _entry(session: Session, entry_id: int) -> HourEntry:
    found = session.get(HourEntry, entry_id)
    if found is None:
        raise NotFound(what=N_("Hour entry"), ref=f"#{entry_id}")
    return found


def _reviewer(session: Session, entry: HourEntry, tax_code: str) -> Person:
    """The reviewer, looked up in the agency of the entry's agreement."""
    return _person(session, entry.agreement.agency, tax_code)


def _activities(session: Session, text: str) -> list[Activity]:
    codes: list[str] = []
    for part in text.split(","):
        code = part.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return [catalogue.activity(session, code) for code in codes]


def _debt_ref(agreement: Agreement) -> str:
    account = agreement.debtor_account.account
    return f"{account.book.code}:{account.code}"


def _person_name(person: Person) -> str:
    return f"{person.full_name} ({person.tax_code})" if person.tax_code else person.full_name


def _decision(entry: HourEntry) -> str:
    """What verification fixed on an entry: the rate and what the caps let it earn."""
    line = (
        f"rate {_money_cents(entry.rate_cents)}/h, creditable {_h(entry.creditable_hours)} "
        f"= {_money_cents(entry.creditable_cents)}"
    )
    if entry.cap_note:
        line += f" ({entry.cap_note})"
    return line


# --- condo volunteering ------------------------------------------------------------------------


@click.group("volunteering")
def volunteering() -> None:
    """Community-service restitution: activities, rates, agreements and hours."""


@volunteering.command("activities")
@click.option("--on", type=DATE, help="Show the rates in force on this day (default: today).")
@click.pass_obj
def activities_command(obj: Context, on: datetime | None) -> None:
    """The activity catalogue, each with its rate in force and its restrictions."""
    day = _day(on)
    with obj.session() as session:
        report = [f"Activities and their rates in force on {formatting.day(day)}:"]
        for act in session.scalars(select(Activity).order_by(Activity.code)):
            rate = session.scalar(
                select(ActivityRate)
                .where(ActivityRate.activity_id == act.id, ActivityRate.valid_from <= day)
                .order_by(ActivityRate.valid_from.desc())
                .limit(1)
            )
            if rate is None:
                shown = "no rate in force"
            else:
                shown = (
                    f"{_money_cents(rate.hourly_cents)} an hour "
                    f"since {formatting.day(rate.valid_from)}"
                )
            later = [r for r in act.rates if r.valid_from > day]
            if later:
                shown += (
                    f"; {_money_cents(later[0].hourly_cents)} "
                    f"from {formatting.day(later[0].valid_from)}"
                )
            inactive = "" if act.active else " (inactive)"
            report += [
                f"{act.code:<12} {act.name}{inactive}: {shown}",
                f"{'':<12} {act.description}",
                f"{'':<12} Restrictions: {act.restrictions}",
            ]
    _echo(report)


@volunteering.command("rate")
@click.option("--activity", "activity_code", required=True, help="Activity code, e.g. PAINTING.")
@click.option("--amount", required=True, help=f"Euros an hour, e.g. {AMOUNT_EXAMPLE}.")
@click.option("--from", "valid_from", required=True, type=DATE, help="First day it applies.")
@click.pass_obj
def rate_command(obj: Context, activity_code: str, amount: str, valid_from: datetime) -> None:
    """Set an activity's hourly rate from a date; work done before keeps the earlier rate."""
    hourly = _amount(amount, "--amount")
    with obj.session() as session:
        act = catalogue.activity(session, activity_code)
        rate = catalogue.set_rate(
            session, act, hourly, valid_from=valid_from.date(), actor=_actor()
        )
        report = [
            f"Rate of {act.code} ({act.name}): {_money_cents(rate.hourly_cents)} an hour "
            f"from {formatting.day(rate.valid_from)}."
        ]
    _echo(report)


# --- condo volunteering agreement --------------------------------------------------------------


@volunteering.group("agreement")
def agreement() -> None:
    """Restitution agreements: create, activate, suspend, end, show."""


def _agreement_options(command):  # type: ignore[no-untyped-def]
    command = click.option("--agency", "agency_code", required=True, help="Agency code.")(command)
    return click.argument("code")(command)


@agreement.command("create")
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.option("--code", required=True, help="Code of the new agreement, unique in the agency.")
@click.option("--household", "household_code", required=True, help="Household code.")
@click.option("--debt", required=True, help="The debt it repays: RF reference or BOOK:ACCOUNT.")
@click.option("--supervisor", required=True, help="Tax code of the supervisor.")
@click.option("--activities", required=True, help="Allowed activity codes, e.g. PAINTING,GREEN.")
@click.option("--from", "start", required=True, type=DATE, help="First day of the agreement.")
@click.option("--to", "end", required=True, type=DATE, help="Last day of the agreement.")
@click.option("--insurance", required=True, help="Insurance policy reference.")
@click.option("--cap-euros", help="Most euros credited under the whole agreement.")
@click.option("--cap-hours", help="Most hours credited under the whole agreement.")
@click.option("--cap-euros-year", help="Most euros credited per calendar year.")
@click.option("--cap-hours-year", help="Most hours credited per calendar year.")
@click.option("--daily-max", default="4", show_default=True, help="Most hours a day.")
@click.option(
    "--dispute-days", default=14, show_default=True, type=int, help="Days to contest a decision."
)
@click.option("--signed-on", type=DATE, help="Day it was signed.")
@click.pass_obj
def create_command(
    obj: Context,
    agency_code: str,
    code: str,
    household_code: str,
    debt: str,
    supervisor: str,
    activities: str,
    start: datetime,
    end: datetime,
    insurance: str,
    cap_euros: str | None,
    cap_hours: str | None,
    cap_euros_year: str | None,
    cap_hours_year: str | None,
    daily_max: str,
    dispute_days: int,
    signed_on: datetime | None,
) -> None:
    """Draft an agreement; activate it once it is signed."""
    caps = agreements_service.Caps(
        euros=None if cap_euros is None else _amount(cap_euros, "--cap-euros"),
        hours=None if cap_hours is None else _hours(cap_hours, "--cap-hours"),
        euros_per_year=(
            None if cap_euros_year is None else _amount(cap_euros_year, "--cap-euros-year")
        ),
        hours_per_year=(
            None if cap_hours_year is None else _hours(cap_hours_year, "--cap-hours-year")
        ),
        daily_max_hours=_hours(daily_max, "--daily-max"),
    )
    with obj.session() as session:
        agency = _agency(session, agency_code)
        household = _household(session, agency, household_code)
        debtor = find_debtor(session, debt)
        made = agreements_service.create_agreement(
            session,
            agency,
            code,
            household=household,
            debtor=debtor,
            supervisor=_person(session, agency, supervisor),
            activities=_activities(session, activities),
            start=start.date(),
            end=end.date(),
            insurance_ref=insurance,
            caps=caps,
            dispute_days=dispute_days,
            signed_on=signed_on.date() if signed_on else None,
            actor=_actor(),
        )
        report = [
            f"Agreement {made.code} created as a draft for household {household.code} "
            f"({household.name}): debt {_debt_ref(made)}, "
            f"activities {', '.join(sorted(a.code for a in made.activities))}, "
            f"{formatting.day(made.start_date)} to {formatting.day(made.end_date)}.",
            f"Activate it once signed: condo volunteering agreement activate {made.code} "
            f"--agency {agency.code}",
        ]
    _echo(report)


@agreement.command("activate")
@_agreement_options
@click.pass_obj
def activate_command(obj: Context, code: str, agency_code: str) -> None:
    """Activate a signed agreement (or one back from a suspension): hours can be logged."""
    with obj.session() as session:
        found = agreements_service.activate(
            session, _agreement(session, agency_code, code), actor=_actor()
        )
        report = [f"Agreement {found.code} is {found.status.value}."]
    _echo(report)


@agreement.command("suspend")
@_agreement_options
@click.option("--reason", required=True, help="Why (kept in the agreement's history).")
@click.pass_obj
def suspend_command(obj: Context, code: str, agency_code: str, reason: str) -> None:
    """Suspend an active agreement: hours are refused until it is activated again."""
    with obj.session() as session:
        found = agreements_service.suspend(
            session, _agreement(session, agency_code, code), reason=reason, actor=_actor()
        )
        report = [f"Agreement {found.code} is {found.status.value}: {reason}"]
    _echo(report)


@agreement.command("end")
@_agreement_options
@click.option("--reason", required=True, help="Why (kept in the agreement's history).")
@click.pass_obj
def end_command(obj: Context, code: str, agency_code: str, reason: str) -> None:
    """End an agreement for good; hours already verified can still be credited."""
    with obj.session() as session:
        found = agreements_service.end(
            session, _agreement(session, agency_code, code), reason=reason, actor=_actor()
        )
        report = [f"Agreement {found.code} is {found.status.value}: {reason}"]
    _echo(report)


def _standing(found: Agreement, figures: AgreementFigures) -> list[str]:
    """Where the agreement stands (:func:`volunteering.figures.agreement_figures`)."""
    by_state = ", ".join(f"{state} {_h(h)}" for state, h in figures.hours.items())
    lines = [
        f"As of {formatting.day(figures.as_of)}:",
        f"  {'debt':<22} {formatting.money(figures.debt_after)} "
        f"({formatting.money(figures.debt_before)} before {formatting.money(figures.credited)} "
        "credited for hours)",
        f"  {'hours':<22} {by_state}",
        f"  {'daily maximum':<22} {_h(found.daily_max_hours)}",
    ]

    def shown(cap: CapLeft, value: Decimal) -> str:
        return _h(value) if cap.unit == "h" else formatting.money(value)

    lines += [
        f"  {cap.name:<22} {shown(cap, cap.limit)}: {shown(cap, cap.used)} used, "
        f"{shown(cap, cap.left)} left"
        for cap in figures.caps
    ]
    if not figures.caps:
        lines.append(f"  {'caps':<22} none in euros or hours")
    return lines


@agreement.command("show")
@_agreement_options
@click.option("--as-of", type=DATE, help="Debt, hours and caps as of this day (default: today).")
@click.pass_obj
def show_command(obj: Context, code: str, agency_code: str, as_of: datetime | None) -> None:
    """An agreement's terms, status, caps, hour entries and the trail of every step."""
    day = _day(as_of)
    with obj.session() as session:
        found = _agreement(session, agency_code, code)
        debtor = found.debtor_account
        figures = agreement_figures(session, found, day)
        entries = list(
            session.scalars(
                select(HourEntry)
                .where(HourEntry.agreement_id == found.id)
                .order_by(HourEntry.work_date, HourEntry.id)
            )
        )
        events = list(
            session.scalars(
                select(HourEvent)
                .where(HourEvent.agreement_id == found.id)
                .order_by(HourEvent.at, HourEvent.id)
            )
        )
        signed = formatting.day(found.signed_on) if found.signed_on else "not recorded"
        report = [
            f"Agreement {found.code} ({found.agency.code}): {found.status.value}",
            f"  {'household':<22} {found.household.code} ({found.household.name})",
            f"  {'debt':<22} {_debt_ref(found)} ({printable(debtor.rf_reference)})",
            f"  {'supervisor':<22} {_person_name(found.supervisor)}",
            f"  {'activities':<22} {', '.join(a.code for a in found.activities)}",
            f"  {'period':<22} {formatting.day(found.start_date)} to "
            f"{formatting.day(found.end_date)}",
            f"  {'insurance':<22} {found.insurance_ref}",
            f"  {'signed on':<22} {signed}",
            f"  {'dispute period':<22} {found.dispute_days} days",
            *_standing(found, figures),
            f"Hour entries ({len(entries)}):",
        ]
        for e in entries:
            line = (
                f"  #{e.id:<6} {formatting.day(e.work_date):>10}  {e.activity.code:<12} "
                f"{_h(e.hours):>8}  {e.status.value:<9}"
            )
            if e.rate_cents is not None:
                line += f"  {_decision(e)}"
            if e.credited_cents is not None:
                line += f"; credited {_money_cents(e.credited_cents)} (entry #{e.credit_entry_id})"
            if e.reason and e.status is not HourStatus.VERIFIED:
                line += f"; reason: {e.reason}"
            report.append(line)
        report.append(f"History ({len(events)} events):")
        for ev in events:
            what = f"hour entry #{ev.hour_entry_id}" if ev.hour_entry_id else "agreement"
            line = (
                f"  {formatting.day(ev.at.date()):>10} {ev.at:%H:%M}  {what:<18} {ev.action:<9} "
                f"{ev.from_status or '-'} -> {ev.to_status}  by {ev.actor}"
            )
            if ev.note:
                line += f": {ev.note}"
            report.append(line)
    _echo(report)


# --- condo volunteering hours ------------------------------------------------------------------


@volunteering.group("hours")
def hours() -> None:
    """Hour entries: submit, verify, reject, dispute, resolve, credit, uncredit."""


@hours.command("submit")
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.option("--agreement", "agreement_code", required=True, help="Agreement code.")
@click.option("--date", "work_date", required=True, type=DATE, help="Day the work was done.")
@click.option("--activity", "activity_code", required=True, help="Activity code.")
@click.option("--hours", "amount", required=True, help=f"Hours worked, e.g. {HOURS_EXAMPLE}.")
@click.option("--description", required=True, help="What was done.")
@click.option(
    "--as",
    "role",
    type=click.Choice([r.value for r in SubmitterRole]),
    default=SubmitterRole.OPERATOR.value,
    show_default=True,
    help="Who is logging the hours.",
)
@click.option("--today", type=DATE, hidden=True)
@click.pass_obj
def submit_command(
    obj: Context,
    agency_code: str,
    agreement_code: str,
    work_date: datetime,
    activity_code: str,
    amount: str,
    description: str,
    role: str,
    today: datetime | None,
) -> None:
    """Log hours worked under an agreement; they wait for verification."""
    worked = _hours(amount, "--hours")
    with obj.session() as session:
        found = _agreement(session, agency_code, agreement_code)
        entry = hours_service.submit(
            session,
            found,
            work_date=work_date.date(),
            activity=catalogue.activity(session, activity_code),
            hours=str(worked),  # as typed, so that a refusal quotes it plainly
            description=description,
            role=role,
            actor=_actor(),
            today=_day(today),
        )
        report = [
            f"Hour entry #{entry.id}: {_h(entry.hours)} of {entry.activity.code} on "
            f"{formatting.day(entry.work_date)} under agreement {found.code}, "
            f"{entry.status.value} (as {entry.submitted_role.value})."
        ]
    _echo(report)


@hours.command("verify")
@click.argument("entry_id", type=int)
@click.option("--reviewer", required=True, help="Tax code of the person verifying.")
@click.option("--note", help="A note kept with the decision.")
@click.pass_obj
def verify_command(obj: Context, entry_id: int, reviewer: str, note: str | None) -> None:
    """Confirm the hours were worked: fixes the rate of the day and what the caps allow."""
    with obj.session() as session:
        entry = _entry(session, entry_id)
        person = _reviewer(session, entry, reviewer)
        hours_service.verify(session, entry, reviewer=person, actor=_actor(), note=note)
        report = [f"Hour entry #{entry.id} verified by {person.full_name}: {_decision(entry)}."]
    _echo(report)


@hours.command("reject")
@click.argument("entry_id", type=int)
@click.option("--reviewer", required=True, help="Tax code of the person rejecting.")
@click.option("--reason", required=True, help="Why (shown to the resident).")
@click.pass_obj
def reject_command(obj: Context, entry_id: int, reviewer: str, reason: str) -> None:
    """Refuse submitted hours, with the reason."""
    with obj.session() as session:
        entry = _entry(session, entry_id)
        person = _reviewer(session, entry, reviewer)
        hours_service.reject(session, entry, reviewer=person, reason=reason, actor=_actor())
        report = [f"Hour entry #{entry.id} rejected by {person.full_name}: {entry.reason}"]
    _echo(report)


@hours.command("dispute")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why the resident contests the decision.")
@click.option("--today", type=DATE, hidden=True)
@click.pass_obj
def dispute_command(obj: Context, entry_id: int, reason: str, today: datetime | None) -> None:
    """The resident contests a verification or a rejection; another reviewer decides."""
    with obj.session() as session:
        entry = _entry(session, entry_id)
        before = entry.status.value
        hours_service.dispute(session, entry, reason=reason, actor=_actor(), today=_day(today))
        report = [
            f"Hour entry #{entry.id} disputed (it was {before}): {entry.reason}",
            "A reviewer other than the one who decided must resolve it.",
        ]
    _echo(report)


@hours.command("resolve")
@click.argument("entry_id", type=int)
@click.option("--reviewer", required=True, help="Tax code of the person deciding.")
@click.option(
    "--accept/--reject",
    "accept",
    default=None,
    required=True,
    help="Verify the hours, or reject them.",
)
@click.option("--reason", required=True, help="Why (shown to the resident).")
@click.pass_obj
def resolve_command(
    obj: Context, entry_id: int, reviewer: str, accept: bool | None, reason: str
) -> None:
    """Decide a dispute, by someone other than who made the contested decision."""
    if accept is None:  # click does not enforce required=True on an on/off flag
        raise _cli().Refused("give --accept or --reject: how is the dispute decided?")
    with obj.session() as session:
        entry = _entry(session, entry_id)
        person = _reviewer(session, entry, reviewer)
        hours_service.resolve(
            session, entry, reviewer=person, accept=accept, reason=reason, actor=_actor()
        )
        outcome = f"verified: {_decision(entry)}" if accept else "rejected"
        report = [
            f"Dispute on hour entry #{entry.id} resolved by {person.full_name}: {outcome}.",
            f"Reason: {entry.reason}",
        ]
    _echo(report)


@hours.command("credit")
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.option("--agreement", "agreement_code", required=True, help="Agreement code.")
@click.option("--date", "on", required=True, type=DATE, help="Date of the credit entries.")
@click.argument("entry_ids", nargs=-1, type=int)
@click.pass_obj
def credit_command(
    obj: Context, agency_code: str, agreement_code: str, on: datetime, entry_ids: tuple[int, ...]
) -> None:
    """Credit verified hours against the agreement's debt (all of them, or ENTRY_IDS).

    Credit never exceeds what is owed on that date; repeating the same credit posts nothing.
    """
    with obj.session() as session:
        found = _agreement(session, agency_code, agreement_code)
        chosen = [_entry(session, i) for i in dict.fromkeys(entry_ids)] if entry_ids else None
        result = crediting.credit(session, found, on=on.date(), actor=_actor(), entries=chosen)
        report = [f"Agreement {found.code}, debt {_debt_ref(found)}, on {formatting.day(on)}:"]
        if not result.created:
            report.append("  these entries were already credited on that date: nothing posted.")
        for entry_id, amount in result.credited:
            ledger_id = session.get(HourEntry, entry_id).credit_entry_id  # type: ignore[union-attr]
            report.append(
                f"  credited #{entry_id}: {formatting.money(amount)} (ledger entry #{ledger_id})"
            )
        for entry_id, why in result.skipped:
            report.append(f"  skipped #{entry_id}: {why}")
        if result.created and not result.credited and not result.skipped:
            report.append("  no verified hour entries to credit.")
        report.append(
            f"Debt before {formatting.money(result.debt_before)}, credited "
            f"{formatting.money(result.total)}, after {formatting.money(result.debt_after)}."
        )
    _echo(report)


@hours.command("uncredit")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why the credit is undone (kept with the reversal).")
@click.option("--date", "on", type=DATE, help="Date of the reversal (default: the credit's).")
@click.pass_obj
def uncredit_command(obj: Context, entry_id: int, reason: str, on: datetime | None) -> None:
    """Undo the credit of an hour entry with a reversal; the entry is verified again."""
    with obj.session() as session:
        entry = _entry(session, entry_id)
        reversal: JournalEntry = crediting.uncredit(
            session, entry, reason=reason, actor=_actor(), on=on.date() if on else None
        )
        report = [
            f"Credit of hour entry #{entry.id} reversed by ledger entry #{reversal.id} on "
            f"{formatting.day(reversal.entry_date)}; the entry is {entry.status.value} again."
        ]
    _echo(report)


def register(main: click.Group) -> None:
    """Add ``volunteering`` to ``main``."""
    main.add_command(volunteering)


__all__ = ["register"]
