"""``condo volunteering`` from the command line, on a migrated database.

The estate is built with the services and committed; the commands then run in-process like the
rest of the ``condo`` tests. Every refusal must be one ``Error:`` line, exit status 2, and leave
the database as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from click.testing import Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from condo_admin.audit.models import AuditEvent
from condo_admin.db import make_engine
from condo_admin.demo.taxcodes import tax_code
from condo_admin.registry import operations as registry
from ledger.models import JournalEntry
from tests.cli_results import ok, refused
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from volunteering.catalogue import activity, set_rate
from volunteering.models import ActivityRate, Agreement, HourEntry, HourEvent, HourStatus

SUPERVISOR = tax_code("Verdi", "Anna", date(1975, 5, 10), "F", "F205")
REVIEWER = tax_code("Neri", "Luca", date(1968, 9, 3), "M", "H501")
#: A member of the indebted household: may not review its hours.
MEMBER = tax_code("Esposito", "Paolo", date(1990, 2, 20), "M", "F839")
#: A valid tax code nobody in the agency has.
STRANGER = tax_code("Gallo", "Sara", date(1999, 9, 9), "F", "L219")

WORK_TODAY = "2025-03-20"


@dataclass
class World:
    engine: Engine
    agency: str
    household: str
    other_household: str
    debt: str  # BOOK:ACCOUNT of the indebted household
    rf: str  # the same debt's RF reference
    other_debt: str  # another household's debt

    def count(self, model: type) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(model))

    def snapshot(self) -> tuple[int, ...]:
        return tuple(
            self.count(m)
            for m in (Agreement, HourEntry, HourEvent, JournalEntry, AuditEvent, ActivityRate)
        )

    def entry(self, entry_id: int) -> HourEntry:
        with Session(self.engine, expire_on_commit=False) as session:
            found = session.get(HourEntry, entry_id)
            assert found is not None
            return found


@pytest.fixture
def world(cli, empty_database_url: str) -> Iterator[World]:
    """Rossi's household owes 200.00 (January and February); PAINTING and GREEN pay 7.50 an hour
    from 2025; Anna Verdi supervises, Luca Neri reviews, Paolo Esposito lives with Rossi."""
    assert cli("init-db").exit_code == 0
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        estate = Estate(session)
        estate.charge(estate.rossi, date(2025, 1, 10), "100.00")
        estate.charge(estate.rossi, date(2025, 2, 10), "100.00")
        people = [
            ("Anna", "Verdi", SUPERVISOR, date(1975, 5, 10)),
            ("Luca", "Neri", REVIEWER, date(1968, 9, 3)),
            ("Paolo", "Esposito", MEMBER, date(1990, 2, 20)),
        ]
        made = [
            registry.create_person(
                session, estate.agency, first, last, tax_code=code, birth_date=born, actor=ACTOR
            )
            for first, last, code, born in people
        ]
        registry.add_member(
            session, estate.rossi.household, made[2], since=date(2020, 1, 1), actor=ACTOR
        )
        for code in ("PAINTING", "GREEN"):
            set_rate(
                session, activity(session, code), "7.50", valid_from=date(2025, 1, 1), actor=ACTOR
            )
        session.commit()
        yield World(
            engine=engine,
            agency=estate.agency.code,
            household=estate.rossi.household.code,
            other_household=estate.bianchi.household.code,
            debt=f"{estate.book.code}:{estate.rossi.account.code}",
            rf=estate.rossi.rf_reference,
            other_debt=f"{estate.book.code}:{estate.bianchi.account.code}",
        )
    engine.dispose()


def create(cli, w: World, code: str = "R-001", *extra: str) -> Result:
    return cli(
        "volunteering", "agreement", "create",
        "--agency", w.agency, "--code", code, "--household", w.household, "--debt", w.debt,
        "--supervisor", SUPERVISOR, "--activities", "painting, GREEN",
        "--from", "2025-03-01", "--to", "2025-12-31", "--insurance", "POL-2025-17",
        *extra,
    )  # fmt: skip


def active(cli, w: World, code: str = "R-001", *extra: str) -> str:
    ok(create(cli, w, code, *extra))
    ok(cli("volunteering", "agreement", "activate", code, "--agency", w.agency))
    return code


def submit(cli, w: World, day: str, hours: str, *extra: str, agreement: str = "R-001") -> Result:
    return cli(
        "volunteering", "hours", "submit", "--agency", w.agency, "--agreement", agreement,
        "--date", day, "--activity", "PAINTING", "--hours", hours,
        "--description", "Scala A, ringhiera", "--today", WORK_TODAY, *extra,
    )  # fmt: skip


def entry_id(result: Result) -> str:
    match = re.search(r"Hour entry #(\d+)", ok(result))
    assert match, result.output
    return match.group(1)


def verify(cli, entry: str, reviewer: str = SUPERVISOR) -> Result:
    return cli("volunteering", "hours", "verify", entry, "--reviewer", reviewer)


def credit(cli, w: World, *entries: str, on: str = "2025-03-31") -> Result:
    return cli(
        "volunteering", "hours", "credit", "--agency", w.agency, "--agreement", "R-001",
        "--date", on, *entries,
    )  # fmt: skip


# --- catalogue and rates -----------------------------------------------------------------------


def test_the_catalogue_shows_rates_in_force_and_restrictions(cli, world: World) -> None:
    out = ok(cli("volunteering", "activities", "--on", "2025-03-01"))
    assert "PAINTING     Painting common areas: €7.50 an hour since 01/01/2025" in out
    assert "MAIL         Mail distribution: no rate in force" in out
    assert "Restrictions: No licensed electrical or gas work" in out
    before_rates = ok(cli("volunteering", "activities", "--on", "2024-12-31"))
    assert "Painting common areas: no rate in force; €7.50 from 01/01/2025" in before_rates


def test_setting_a_rate(cli, world: World) -> None:
    rate = ("volunteering", "rate", "--activity", "mail", "--amount", "8,00")
    out = ok(cli(*rate, "--from", "2025-02-01"))
    assert out.strip() == "Rate of MAIL (Mail distribution): €8.00 an hour from 01/02/2025."
    shown = ok(cli("volunteering", "activities", "--on", "2025-03-01"))
    assert "Mail distribution: €8.00 an hour since 01/02/2025" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("PAINTING", "7,50", "2025-01-01"), "a rate from 2025-01-01 is already set"),
        (("PAINTING", "75", "2025-06-01"), "is outside 1.00-30.00 euros"),
        (("PAINTING", "7,505", "2025-06-01"), "at most 2 decimals"),
        (("NOPE", "7,50", "2025-06-01"), "Activity NOPE does not exist."),
    ],
)
def test_rate_refusals(cli, world: World, args: tuple[str, str, str], message: str) -> None:
    before = world.snapshot()
    code, amount, day = args
    refused(
        cli("volunteering", "rate", "--activity", code, "--amount", amount, "--from", day), message
    )
    assert world.snapshot() == before


# --- agreements --------------------------------------------------------------------------------


def test_an_agreement_from_draft_to_end(cli, world: World) -> None:
    out = ok(
        create(
            cli,
            world,
            "R-001",
            "--cap-euros",
            "150",
            "--cap-hours-year",
            "40",
            "--daily-max",
            "3,5",
            "--signed-on",
            "2025-02-25",
        )
    )
    assert f"Agreement R-001 created as a draft for household {world.household}" in out
    assert f"debt {world.debt}, activities GREEN, PAINTING, 01/03/2025 to 31/12/2025" in out
    shown = ok(
        cli(
            "volunteering",
            "agreement",
            "show",
            "R-001",
            "--agency",
            world.agency,
            "--as-of",
            "2025-03-01",
        )
    )
    assert "Agreement R-001" in shown and ": draft" in shown
    assert "Anna Verdi" in shown and SUPERVISOR in shown
    assert "As of 01/03/2025:" in shown
    assert "debt                   €200.00 (€200.00 before €0.00 credited for hours)" in shown
    assert "POL-2025-17" in shown and "25/02/2025" in shown
    assert "daily maximum          3.5 h" in shown
    assert "euros, whole agreement €150.00: €0.00 used, €150.00 left" in shown
    assert "hours in 2025          40 h: 0 h used, 40 h left" in shown
    assert "hours, whole agreement" not in shown

    agreement = ("volunteering", "agreement")
    assert ok(cli(*agreement, "activate", "R-001", "--agency", world.agency)).strip() == (
        "Agreement R-001 is active."
    )
    suspended = ok(
        cli(*agreement, "suspend", "R-001", "--agency", world.agency, "--reason", "Ricovero")
    )
    assert suspended.strip() == "Agreement R-001 is suspended: Ricovero"
    refused(submit(cli, world, "2025-03-03", "2"), "the agreement is suspended, not active")
    ok(cli(*agreement, "activate", "R-001", "--agency", world.agency))
    ended = ok(cli(*agreement, "end", "R-001", "--agency", world.agency, "--reason", "Trasloco"))
    assert ended.strip() == "Agreement R-001 is ended: Trasloco"
    refused(
        cli(*agreement, "activate", "R-001", "--agency", world.agency),
        "Agreement R-001 is ended: it cannot be activated (only when draft or suspended).",
    )
    trail = ok(cli(*agreement, "show", "R-001", "--agency", world.agency))
    actions = re.findall(r"agreement\s+(\w+)\s+(\S+) -> (\w+)", trail)
    assert actions == [
        ("create", "-", "draft"),
        ("activate", "draft", "active"),
        ("suspend", "active", "suspended"),
        ("activate", "suspended", "active"),
        ("end", "active", "ended"),
    ]
    assert "by cli:" in trail and ": Ricovero" in trail and ": Trasloco" in trail


def test_the_debt_may_be_named_by_its_rf_reference(cli, world: World) -> None:
    out = ok(
        cli(
            "volunteering", "agreement", "create", "--agency", world.agency, "--code", "R-RF",
            "--household", world.household, "--debt", world.rf, "--supervisor", SUPERVISOR,
            "--activities", "GREEN", "--from", "2025-03-01", "--to", "2025-06-30",
            "--insurance", "POL-1",
        )
    )  # fmt: skip
    assert f"debt {world.debt}" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--household": "H-NOPE"}, "Household H-NOPE in agency"),
        ({"--agency": "AG-NOPE"}, "Agency AG-NOPE does not exist."),
        ({"--supervisor": STRANGER}, f"Person with tax code {STRANGER} in agency"),
        ({"--supervisor": MEMBER}, "the supervisor Paolo Esposito is a member of household"),
        ({"--debt": "NOPE:NOPE"}, "No debtor account has the reference or code 'NOPE:NOPE'"),
        ({"--debt": "OTHER"}, "is not a debt of household"),
        ({"--activities": "PAINTING,WELDING"}, "Activity WELDING does not exist."),
        ({"--activities": " , "}, "it allows no activity"),
        ({"--to": "2025-02-01"}, "it ends (2025-02-01) before it starts (2025-03-01)"),
        ({"--cap-euros": "0"}, "'0' is not a valid amount (expected a number above zero)"),
        ({"--cap-hours": "2,1"}, "the hour cap must be a positive number of quarter hours"),
        ({"--daily-max": "25"}, "the daily maximum exceeds 24 hours"),
        ({"--dispute-days": "0"}, "the dispute period must be 1-90 days"),
    ],
)
def test_agreement_refusals(cli, world: World, change: dict[str, str], message: str) -> None:
    options = {
        "--agency": world.agency,
        "--code": "R-BAD",
        "--household": world.household,
        "--debt": world.debt,
        "--supervisor": SUPERVISOR,
        "--activities": "PAINTING",
        "--from": "2025-03-01",
        "--to": "2025-12-31",
        "--insurance": "POL-1",
    }
    options.update(change)
    if options["--debt"] == "OTHER":
        options["--debt"] = world.other_debt
    before = world.snapshot()
    args = [part for pair in options.items() for part in pair]
    refused(cli("volunteering", "agreement", "create", *args), message)
    assert world.snapshot() == before


def test_a_duplicate_code_and_a_second_active_agreement_on_the_debt_are_refused(
    cli, world: World
) -> None:
    active(cli, world)
    refused(create(cli, world), "Agreement R-001: an agreement with this code exists.")
    ok(create(cli, world, "R-002"))
    before = world.snapshot()
    refused(
        cli("volunteering", "agreement", "activate", "R-002", "--agency", world.agency),
        "agreement R-001 is already active on the same debt for overlapping dates",
    )
    refused(
        cli("volunteering", "agreement", "show", "R-999", "--agency", world.agency),
        f"Agreement R-999 in agency {world.agency} does not exist.",
    )
    assert world.snapshot() == before


# --- hours -------------------------------------------------------------------------------------


def test_hours_from_submission_to_credit_and_back(cli, world: World) -> None:
    active(cli, world)
    submitted = submit(cli, world, "2025-03-03", "2,5", "--as", "supervisor")
    first = entry_id(submitted)
    assert (
        f"Hour entry #{first}: 2.5 h of PAINTING on 03/03/2025 under agreement R-001, "
        "submitted (as supervisor)." in submitted.output
    )
    second = entry_id(submit(cli, world, "2025-03-04", "1"))
    verified = ok(
        cli(
            "volunteering",
            "hours",
            "verify",
            first,
            "--reviewer",
            SUPERVISOR,
            "--note",
            "Lavoro ben fatto",
        )
    )
    assert verified.strip() == (
        f"Hour entry #{first} verified by Anna Verdi: rate €7.50/h, creditable 2.5 h = €18.75."
    )
    ok(verify(cli, second, REVIEWER.lower()))

    credited = ok(credit(cli, world, first))
    assert f"credited #{first}: €18.75 (ledger entry #" in credited
    assert "Debt before €200.00, credited €18.75, after €181.25." in credited
    assert world.entry(int(first)).status is HourStatus.CREDITED
    rest = ok(credit(cli, world))
    assert f"credited #{second}: €7.50" in rest
    assert "Debt before €181.25, credited €7.50, after €173.75." in rest
    nothing = ok(credit(cli, world))
    assert "no verified hour entries to credit" in nothing and "credited €0.00" in nothing

    undone = ok(cli("volunteering", "hours", "uncredit", first, "--reason", "Ore doppie"))
    assert f"Credit of hour entry #{first} reversed by ledger entry #" in undone
    assert "on 31/03/2025; the entry is verified again." in undone
    again = ok(credit(cli, world, first, on="2025-04-01"))
    assert "Debt before €192.50, credited €18.75, after €173.75." in again

    shown = ok(
        cli(
            "volunteering",
            "agreement",
            "show",
            "R-001",
            "--agency",
            world.agency,
            "--as-of",
            "2025-04-01",
        )
    )
    assert "debt                   €173.75 (€200.00 before €26.25 credited for hours)" in shown
    assert re.search(rf"#{first}\s+03/03/2025\s+PAINTING\s+2.5 h\s+credited", shown)
    assert re.search(rf"#{second}\s+04/03/2025\s+PAINTING\s+1 h\s+credited", shown)
    trail = re.findall(rf"hour entry #{first}\s+(\w+)\s+(\S+) -> (\w+)", shown)
    assert trail == [
        ("submit", "-", "submitted"),
        ("verify", "submitted", "verified"),
        ("credit", "verified", "credited"),
        ("uncredit", "credited", "verified"),
        ("credit", "verified", "credited"),
    ]
    assert "Ore doppie" in shown and "Lavoro ben fatto" in shown

    period = ("report", "restitution", "--from", "2025-03-01", "--to", "2025-03-31")
    report = ok(cli(*period, "--by", "activity"))
    assert "Community-service restitution 2025-03-01 to 2025-03-31, by activity" in report
    assert re.search(r"PAINTING\s+Painting common areas\s+2\s+3.50\s+0.00\s+3.50", report)
    csv_lines = ok(cli(*period, "--format", "csv")).splitlines()
    assert csv_lines[-1] == "total,,2,3.50,0.00,3.50,3.50,3.50,26.25"


def test_hours_over_the_daily_maximum_are_refused(cli, world: World) -> None:
    active(cli, world, "R-001", "--daily-max", "3")
    entry_id(submit(cli, world, "2025-03-03", "2"))
    before = world.snapshot()
    refused(
        submit(cli, world, "2025-03-03", "1,25"),
        "1.25 h more would make 3.25 h that day, over the daily maximum of 3.00 h",
    )
    assert world.snapshot() == before
    entry_id(submit(cli, world, "2025-03-03", "1"))


@pytest.mark.parametrize(
    ("day", "hours", "extra", "message"),
    [
        ("2025-03-03", "1,1", (), "'1.1' is not a positive number of quarter hours"),
        ("2025-03-03", "abc", (), "--hours: 'abc' is not valid (expected a number such as"),
        ("2025-03-03", "0", (), "expected a number above zero"),
        ("2025-03-21", "1", (), "hours cannot be logged before they are worked"),
        ("2025-02-28", "1", (), "the agreement runs from 2025-03-01 to 2025-12-31"),
        ("2025-03-03", "1", ("--agreement", "R-404"), "Agreement R-404 in agency"),
    ],
)
def test_submission_refusals(cli, world: World, day, hours, extra, message) -> None:
    active(cli, world)
    before = world.snapshot()
    refused(submit(cli, world, day, hours, *extra), message)
    assert world.snapshot() == before


def test_an_activity_outside_the_agreement_is_refused(cli, world: World) -> None:
    active(cli, world)
    before = world.snapshot()
    result = cli(
        "volunteering", "hours", "submit", "--agency", world.agency, "--agreement", "R-001",
        "--date", "2025-03-03", "--activity", "MAIL", "--hours", "1", "--description", "Posta",
        "--today", WORK_TODAY,
    )  # fmt: skip
    refused(result, "activity MAIL is not allowed (allowed: GREEN, PAINTING)")
    assert world.snapshot() == before


def test_a_member_of_the_household_cannot_review_its_hours(cli, world: World) -> None:
    active(cli, world)
    entry = entry_id(submit(cli, world, "2025-03-03", "2"))
    before = world.snapshot()
    message = f"Paolo Esposito cannot verify hour entry #{entry}: they belong to household"
    refused(verify(cli, entry, MEMBER), message)
    refused(
        cli("volunteering", "hours", "reject", entry, "--reviewer", MEMBER, "--reason", "No"),
        f"Paolo Esposito cannot reject hour entry #{entry}",
    )
    refused(verify(cli, entry, "RSSMRA80A01F205Y"), "Person with tax code RSSMRA80A01F205Y")
    refused(verify(cli, "99999"), "Hour entry #99999 does not exist.")
    assert world.snapshot() == before
    assert world.entry(int(entry)).status is HourStatus.SUBMITTED


def test_reject_dispute_and_resolve_by_another_reviewer(cli, world: World) -> None:
    active(cli, world)
    entry = entry_id(submit(cli, world, "2025-03-03", "2"))
    hours = ("volunteering", "hours")
    rejected = ok(cli(*hours, "reject", entry, "--reviewer", SUPERVISOR, "--reason", "Non svolto"))
    assert rejected.strip() == f"Hour entry #{entry} rejected by Anna Verdi: Non svolto"
    refused(verify(cli, entry), "is rejected: it cannot be verified (only when submitted)")
    disputed = ok(cli(*hours, "dispute", entry, "--reason", "Ho le foto"))
    assert f"Hour entry #{entry} disputed (it was rejected): Ho le foto" in disputed

    before = world.snapshot()
    refused(
        cli(*hours, "resolve", entry, "--reviewer", SUPERVISOR, "--accept", "--reason", "Ok"),
        "they made the decision being contested; another reviewer must decide",
    )
    refused(
        cli(*hours, "resolve", entry, "--reviewer", MEMBER, "--accept", "--reason", "Ok"),
        "Paolo Esposito cannot resolve the dispute on hour entry",
    )
    assert world.snapshot() == before

    resolved = ok(
        cli(*hours, "resolve", entry, "--reviewer", REVIEWER, "--accept", "--reason", "Foto viste")
    )
    assert f"Dispute on hour entry #{entry} resolved by Luca Neri: verified: rate €7.50/h" in (
        resolved
    )
    assert "Reason: Foto viste" in resolved
    assert world.entry(int(entry)).status is HourStatus.VERIFIED

    # A verified entry may be disputed too, within the dispute period, and rejected on review.
    late = cli(*hours, "dispute", entry, "--reason", "Tardi", "--today", "2099-01-01")
    refused(late, "the decision could be contested until")
    ok(cli(*hours, "dispute", entry, "--reason", "Sono 3 ore"))
    final = ok(
        cli(*hours, "resolve", entry, "--reviewer", SUPERVISOR, "--reject", "--reason", "2 ore")
    )
    assert "resolved by Anna Verdi: rejected." in final
    assert world.entry(int(entry)).status is HourStatus.REJECTED


def test_resolve_needs_accept_or_reject(cli, world: World) -> None:
    active(cli, world)
    entry = entry_id(submit(cli, world, "2025-03-03", "2"))
    ok(cli("volunteering", "hours", "reject", entry, "--reviewer", SUPERVISOR, "--reason", "No"))
    ok(cli("volunteering", "hours", "dispute", entry, "--reason", "Sì"))
    before = world.snapshot()
    result = cli("volunteering", "hours", "resolve", entry, "--reviewer", REVIEWER, "--reason", "x")
    refused(result, "give --accept or --reject")
    assert world.snapshot() == before
    assert world.entry(int(entry)).status is HourStatus.DISPUTED


def test_crediting_a_draft_agreement_is_refused(cli, world: World) -> None:
    ok(create(cli, world))
    before = world.snapshot()
    refused(
        credit(cli, world),
        "Agreement R-001 is draft: it cannot be credited (only when it has been activated).",
    )
    assert world.snapshot() == before


def test_only_verified_entries_of_the_agreement_are_credited(cli, world: World) -> None:
    active(cli, world)
    entry = entry_id(submit(cli, world, "2025-03-03", "2"))
    before = world.snapshot()
    refused(
        credit(cli, world, entry),
        f"Hour entry #{entry} is submitted: it cannot be credited "
        "(only when verified, under this agreement).",
    )
    refused(credit(cli, world, "99999"), "Hour entry #99999 does not exist.")
    refused(
        cli("volunteering", "hours", "uncredit", entry, "--reason", "x"),
        f"Hour entry #{entry} is submitted: it cannot be uncredited (only when credited).",
    )
    assert world.snapshot() == before


def test_credit_never_exceeds_the_debt_and_caps_are_shown(cli, world: World) -> None:
    active(cli, world, "R-001", "--cap-hours", "5")
    ok(
        cli(
            "payments", "record", "--account", world.debt, "--amount", "190", "--date", "2025-03-10"
        )
    )
    first = entry_id(submit(cli, world, "2025-03-03", "4"))
    second = entry_id(submit(cli, world, "2025-03-04", "2"))
    third = entry_id(submit(cli, world, "2025-03-05", "1"))
    ok(verify(cli, first))
    capped = ok(verify(cli, second))
    assert "creditable 1 h = €7.50 (1.00 h verified, not creditable: over the agreement " in capped
    nothing = ok(verify(cli, third))
    assert "creditable 0 h = €0.00" in nothing

    result = ok(credit(cli, world))
    assert f"credited #{first}: €10.00" in result  # 30.00 earned, only 10.00 owed
    assert f"skipped #{second}: no debt left on" in result
    assert f"skipped #{third}: 1.00 h verified, not creditable" in result
    assert "Debt before €10.00, credited €10.00, after €0.00." in result
    assert world.entry(int(second)).status is HourStatus.VERIFIED

    shown = ok(
        cli(
            "volunteering",
            "agreement",
            "show",
            "R-001",
            "--agency",
            world.agency,
            "--as-of",
            "2025-03-31",
        )
    )
    assert "debt                   €0.00 (€10.00 before €10.00 credited for hours)" in shown
    assert "hours                  submitted 0 h, verified 3 h, credited 4 h, rejected 0 h" in shown
    assert "hours, whole agreement 5 h: 5 h used, 0 h left" in shown
    assert re.search(
        rf"#{second}\s+04/03/2025\s+PAINTING\s+2 h\s+verified .* over the agreement", shown
    )
