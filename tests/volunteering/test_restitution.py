"""Restitution: agreements first, hours within their terms, caps named, credit on the ledger.

Transitions are table-driven: for each state, each action is either allowed (and lands in the
expected state, with an event in the trail) or refused naming the state and what it needs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.payments import record_payment
from condo_admin.demo.taxcodes import Sex, tax_code
from condo_admin.registry import operations as registry
from ledger import openitems
from ledger.errors import CondoError
from ledger.queries import balance, book_total
from tests.condo_admin.accounting.estate import Estate
from tests.factories import ACTOR
from volunteering import agreements, crediting, hours
from volunteering.agreements import Caps
from volunteering.catalogue import activity, rate_on, set_rate
from volunteering.errors import (
    AgreementRefused,
    HoursRefused,
    NoRateInForce,
    ReviewerRefused,
    TransitionRefused,
)
from volunteering.figures import agreement_figures, period_totals
from volunteering.models import AgreementStatus, HourEvent, HourStatus

TODAY = date(2025, 6, 30)


class Programme:
    """One household owing €600 on its service charges, two outside reviewers, rates set."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.estate = Estate(session)
        self.debtor = self.estate.rossi
        self.household = self.debtor.household
        for month in range(1, 7):
            self.estate.charge(self.debtor, date(2025, month, 1), "100.00")
        self.supervisor = self.person("Verdi", "Giuseppe", date(1961, 4, 12), "M")
        self.other_reviewer = self.person("Neri", "Anna", date(1975, 9, 3), "F")
        self.painting = activity(session, "PAINTING")
        self.green = activity(session, "GREEN")
        for act in (self.painting, self.green):
            set_rate(session, act, "7.50", valid_from=date(2024, 1, 1), actor=ACTOR)
            set_rate(session, act, "8.00", valid_from=date(2025, 4, 1), actor=ACTOR)

    def person(self, surname: str, first: str, born: date, sex: Sex):
        return registry.create_person(
            self.session,
            self.estate.agency,
            first,
            surname,
            tax_code=tax_code(surname, first, born, sex, "F205"),
            birth_date=born,
            actor=ACTOR,
        )

    def agreement(self, code: str = "RA-1", caps: Caps | None = None, *, active: bool = True):
        made = agreements.create_agreement(
            self.session,
            self.estate.agency,
            code,
            household=self.household,
            debtor=self.debtor,
            supervisor=self.supervisor,
            activities=[self.painting],
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
            insurance_ref="INAIL 123/2025",
            caps=caps,
            actor=ACTOR,
        )
        return agreements.activate(self.session, made, actor=ACTOR) if active else made

    def submit(self, agreement, day: date, amount: str, act=None):
        return hours.submit(
            self.session,
            agreement,
            work_date=day,
            activity=act or self.painting,
            hours=amount,
            description="Tinteggiatura scala A",
            role="resident",
            actor="resident",
            today=TODAY,
        )

    def verify(self, entry, reviewer=None):
        return hours.verify(
            self.session, entry, reviewer=reviewer or self.supervisor, actor="supervisor"
        )

    def debt(self) -> Decimal:
        return balance(self.session, self.debtor.account)


@pytest.fixture
def p(session: Session) -> Programme:
    return Programme(session)


def trail(session: Session, entry) -> list[tuple[str, str | None, str]]:
    return [
        (e.action, e.from_status, e.to_status)
        for e in session.scalars(
            select(HourEvent).where(HourEvent.hour_entry_id == entry.id).order_by(HourEvent.id)
        )
    ]


# Agreements -----------------------------------------------------------------------------------

AGREEMENT_MOVES = [
    # (start state, action, resulting state or None when refused)
    ("draft", "activate", "active"),
    ("draft", "suspend", None),
    ("draft", "end", None),
    ("active", "activate", None),
    ("active", "suspend", "suspended"),
    ("active", "end", "ended"),
    ("suspended", "activate", "active"),
    ("suspended", "suspend", None),
    ("suspended", "end", "ended"),
    ("ended", "activate", None),
    ("ended", "suspend", None),
    ("ended", "end", None),
]


def _to_state(p: Programme, state: str):
    agreement = p.agreement(active=False)
    path = {"draft": [], "active": ["activate"], "suspended": ["activate", "suspend"]}
    path["ended"] = ["activate", "end"]
    for action in path[state]:
        _agreement_action(p, agreement, action)
    return agreement


def _agreement_action(p: Programme, agreement, action: str):
    if action == "activate":
        return agreements.activate(p.session, agreement, actor=ACTOR)
    if action == "suspend":
        return agreements.suspend(p.session, agreement, reason="insurance lapsed", actor=ACTOR)
    return agreements.end(p.session, agreement, reason="debt repaid", actor=ACTOR)


@pytest.mark.parametrize(("state", "action", "result"), AGREEMENT_MOVES)
def test_agreement_transitions(p: Programme, state: str, action: str, result: str | None) -> None:
    agreement = _to_state(p, state)
    if result is None:
        with pytest.raises(TransitionRefused, match=f"is {state}: it cannot be"):
            _agreement_action(p, agreement, action)
        assert agreement.status.value == state
    else:
        _agreement_action(p, agreement, action)
        assert agreement.status.value == result


def test_an_agreement_is_refused_when_its_supervisor_belongs_to_the_household(
    p: Programme,
) -> None:
    holder = p.household.members[0].person
    with pytest.raises(AgreementRefused, match="is a member of household"):
        agreements.create_agreement(
            p.session,
            p.estate.agency,
            "RA-X",
            household=p.household,
            debtor=p.debtor,
            supervisor=holder,
            activities=[p.painting],
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
            insurance_ref="x",
            actor=ACTOR,
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"debtor": None}, "the debt it targets does not exist"),
        ({"debtor": "other"}, "is not a debt of household"),
        ({"end": date(2024, 12, 31)}, "before it starts"),
        ({"activities": []}, "it allows no activity"),
        ({"caps": Caps(daily_max_hours="4.10")}, "positive number of quarter hours"),
        ({"caps": Caps(euros="-5.00")}, "the euro cap must be positive"),
    ],
)
def test_an_agreement_outside_the_rules_is_refused(p: Programme, change: dict, message: str):
    terms = {
        "household": p.household,
        "debtor": p.debtor,
        "supervisor": p.supervisor,
        "activities": [p.painting],
        "start": date(2025, 1, 1),
        "end": date(2025, 12, 31),
        "insurance_ref": "INAIL",
    }
    terms.update(change)
    if terms["debtor"] == "other":
        terms["debtor"] = p.estate.bianchi
    with pytest.raises(AgreementRefused, match=message):
        agreements.create_agreement(p.session, p.estate.agency, "RA-X", actor=ACTOR, **terms)


def test_two_active_agreements_on_the_same_debt_and_dates_are_refused(p: Programme) -> None:
    p.agreement("RA-1")
    second = p.agreement("RA-2", active=False)
    with pytest.raises(AgreementRefused, match="RA-1 is already active on the same debt"):
        agreements.activate(p.session, second, actor=ACTOR)


# Hours ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "amount", "act", "message"),
    [
        (date(2024, 12, 31), "2", None, "the agreement runs from 2025-01-01"),
        (date(2025, 7, 1), "2", None, "cannot be logged before they are worked"),
        (date(2025, 3, 3), "2", "GREEN", "activity GREEN is not allowed"),
        (date(2025, 3, 3), "1.1", None, "not a positive number of quarter hours"),
        (date(2025, 3, 3), "0", None, "not a positive number of quarter hours"),
        (date(2025, 3, 3), "4.25", None, "over the daily maximum of 4.00 h"),
    ],
)
def test_hours_outside_the_agreement_are_refused(p: Programme, day, amount, act, message) -> None:
    agreement = p.agreement()
    with pytest.raises(HoursRefused, match=message):
        p.submit(agreement, day, amount, act=p.green if act else None)


def test_the_daily_maximum_counts_every_entry_of_the_day(p: Programme) -> None:
    agreement = p.agreement()
    p.submit(agreement, date(2025, 3, 3), "3")
    with pytest.raises(HoursRefused, match=r"would make 4\.50 h that day"):
        p.submit(agreement, date(2025, 3, 3), "1.5")
    p.submit(agreement, date(2025, 3, 3), "1")


def test_no_hours_on_a_suspended_agreement(p: Programme) -> None:
    agreement = p.agreement()
    agreements.suspend(p.session, agreement, reason="insurance lapsed", actor=ACTOR)
    with pytest.raises(HoursRefused, match="the agreement is suspended, not active"):
        p.submit(agreement, date(2025, 3, 3), "2")


HOUR_MOVES = [
    # (state reached first, action, result or None when refused)
    ("submitted", "verify", "verified"),
    ("submitted", "reject", "rejected"),
    ("submitted", "dispute", None),
    ("submitted", "resolve", None),
    ("submitted", "credit", None),
    ("submitted", "uncredit", None),
    ("verified", "verify", None),
    ("verified", "reject", None),
    ("verified", "dispute", "disputed"),
    ("verified", "credit", "credited"),
    ("verified", "uncredit", None),
    ("rejected", "verify", None),
    ("rejected", "dispute", "disputed"),
    ("rejected", "credit", None),
    ("disputed", "verify", None),
    ("disputed", "resolve", "verified"),
    ("disputed", "credit", None),
    ("credited", "dispute", None),
    ("credited", "credit", None),
    ("credited", "uncredit", "verified"),
]


def _entry_in(p: Programme, state: str):
    agreement = p.agreement()
    entry = p.submit(agreement, date(2025, 5, 5), "2")
    path = {
        "submitted": [],
        "verified": ["verify"],
        "rejected": ["reject"],
        "disputed": ["verify", "dispute"],
        "credited": ["verify", "credit"],
    }[state]
    for action in path:
        _hour_action(p, agreement, entry, action)
    return agreement, entry


def _hour_action(p: Programme, agreement, entry, action: str) -> None:
    s = p.session
    if action == "verify":
        p.verify(entry)
    elif action == "reject":
        hours.reject(s, entry, reviewer=p.supervisor, reason="not done", actor="supervisor")
    elif action == "dispute":
        hours.dispute(s, entry, reason="I was there", actor="resident", today=entry.work_date)
    elif action == "resolve":
        hours.resolve(
            s, entry, reviewer=p.other_reviewer, accept=True, reason="witness", actor="reviewer"
        )
    elif action == "credit":
        crediting.credit(s, agreement, on=TODAY, actor="operator", entries=[entry])
    else:
        crediting.uncredit(s, entry, reason="wrong activity", actor="operator")


@pytest.mark.parametrize(("state", "action", "result"), HOUR_MOVES)
def test_hour_entry_transitions(p: Programme, state: str, action: str, result: str | None) -> None:
    agreement, entry = _entry_in(p, state)
    events_before = len(trail(p.session, entry))
    if result is None:
        with pytest.raises(TransitionRefused, match=f"is {state}: it cannot be"):
            _hour_action(p, agreement, entry, action)
        assert entry.status.value == state
        assert len(trail(p.session, entry)) == events_before
    else:
        _hour_action(p, agreement, entry, action)
        assert entry.status.value == result
        assert trail(p.session, entry)[-1][1:] == (state, result)


def test_a_supervisor_cannot_verify_the_hours_of_their_own_household(p: Programme) -> None:
    agreement = p.agreement()
    entry = p.submit(agreement, date(2025, 5, 5), "2")
    holder = p.household.members[0].person
    with pytest.raises(ReviewerRefused, match=f"belong to household {p.household.code}"):
        p.verify(entry, reviewer=holder)


def test_a_dispute_is_decided_by_someone_else_and_only_in_time(p: Programme) -> None:
    agreement = p.agreement()
    entry = p.submit(agreement, date(2025, 5, 5), "2")
    hours.reject(p.session, entry, reviewer=p.supervisor, reason="no", actor="supervisor")
    late = entry.decided_at.date().replace(year=entry.decided_at.year + 1)
    with pytest.raises(HoursRefused, match="could be contested until"):
        hours.dispute(p.session, entry, reason="late", actor="resident", today=late)
    hours.dispute(p.session, entry, reason="I was there", actor="resident", today=date.today())
    with pytest.raises(ReviewerRefused, match="another reviewer must decide"):
        hours.resolve(
            p.session, entry, reviewer=p.supervisor, accept=True, reason="ok", actor="supervisor"
        )


def test_rejecting_needs_a_reason(p: Programme) -> None:
    entry = p.submit(p.agreement(), date(2025, 5, 5), "2")
    with pytest.raises(CondoError, match="reason"):
        hours.reject(p.session, entry, reviewer=p.supervisor, reason="  ", actor="supervisor")


# Rates and caps ---------------------------------------------------------------------------------


def test_the_rate_of_the_day_of_the_work_is_stored_on_the_entry(p: Programme) -> None:
    agreement = p.agreement()
    march = p.verify(p.submit(agreement, date(2025, 3, 31), "2"))
    april = p.verify(p.submit(agreement, date(2025, 4, 1), "2"))
    assert (march.rate_cents, march.creditable_cents) == (750, 1500)
    assert (april.rate_cents, april.creditable_cents) == (800, 1600)


def test_without_a_rate_in_force_verification_is_refused(p: Programme) -> None:
    with pytest.raises(NoRateInForce, match="no rate in force on 2023-05-05"):
        rate_on(p.session, p.painting, date(2023, 5, 5))


def test_hours_over_a_cap_are_verified_not_creditable_and_the_cap_is_named(p: Programme) -> None:
    agreement = p.agreement(caps=Caps(hours="10"))
    p.verify(p.submit(agreement, date(2025, 2, 3), "4"))
    p.verify(p.submit(agreement, date(2025, 2, 4), "4"))
    third = p.verify(p.submit(agreement, date(2025, 2, 5), "4"))
    assert third.status is HourStatus.VERIFIED and third.hours == Decimal("4.00")
    assert third.creditable_hours == Decimal("2.00") and third.creditable_cents == 1500
    assert third.cap_note == "2.00 h verified, not creditable: over the agreement cap of 10.00 h"
    fourth = p.verify(p.submit(agreement, date(2025, 2, 6), "1"))
    assert fourth.creditable_cents == 0 and "agreement cap of 10.00 h" in fourth.cap_note


def test_a_euro_cap_keeps_only_the_quarter_hours_that_fit(p: Programme) -> None:
    agreement = p.agreement(caps=Caps(euros_per_year="20.00"))
    first = p.verify(p.submit(agreement, date(2025, 2, 3), "2"))  # 15.00
    second = p.verify(p.submit(agreement, date(2025, 2, 4), "2"))  # 5.00 left: 0.50 h = 3.75
    assert first.creditable_cents == 1500
    assert (second.creditable_hours, second.creditable_cents) == (Decimal("0.50"), 375)
    assert "2025 cap of €20.00" in second.cap_note


# Crediting --------------------------------------------------------------------------------------


def test_crediting_posts_to_the_ledger_and_repeating_posts_nothing(p: Programme) -> None:
    agreement = p.agreement()
    for day in (3, 4):
        p.verify(p.submit(agreement, date(2025, 2, day), "4"))
    before = p.debt()
    result = crediting.credit(p.session, agreement, on=TODAY, actor="operator")
    assert result.total == Decimal("60.00") and result.created
    assert p.debt() == before - Decimal("60.00")
    community = next(a for a in p.debtor.account.book.accounts if a.code == "COMMUNITY")
    assert balance(p.session, community) == Decimal("60.00")
    assert book_total(p.session, p.debtor.account.book) == Decimal("0.00")
    assert openitems.verify(p.session) == []


def test_credit_never_exceeds_the_debt(p: Programme) -> None:
    agreement = p.agreement()
    record_payment(p.session, p.debtor, "580.00", date(2025, 6, 10), actor=ACTOR)  # €20 owed
    first = p.verify(p.submit(agreement, date(2025, 2, 3), "2"))  # 15.00
    second = p.verify(p.submit(agreement, date(2025, 2, 4), "2"))  # 15.00, only 5.00 owed
    third = p.verify(p.submit(agreement, date(2025, 2, 5), "2"))
    result = crediting.credit(p.session, agreement, on=TODAY, actor="operator")
    assert result.credited == [(first.id, Decimal("15.00")), (second.id, Decimal("5.00"))]
    assert result.skipped == [(third.id, f"no debt left on {p.debtor.account.code} on {TODAY}")]
    assert p.debt() == Decimal("0.00") and third.status is HourStatus.VERIFIED


def test_uncrediting_reverses_the_entry_and_it_can_be_credited_again(p: Programme) -> None:
    agreement = p.agreement()
    entry = p.verify(p.submit(agreement, date(2025, 2, 3), "4"))
    crediting.credit(p.session, agreement, on=TODAY, actor="operator")
    debt = p.debt()
    reversal = crediting.uncredit(p.session, entry, reason="wrong agreement", actor="operator")
    assert reversal.reason == "wrong agreement" and p.debt() == debt + Decimal("30.00")
    again = crediting.credit(p.session, agreement, on=TODAY, actor="operator")
    assert again.created and again.total == Decimal("30.00")
    assert [a for a, _, _ in trail(p.session, entry)] == [
        "submit",
        "verify",
        "credit",
        "uncredit",
        "credit",
    ]


def test_a_draft_agreement_cannot_be_credited(p: Programme) -> None:
    agreement = p.agreement(active=False)
    with pytest.raises(TransitionRefused, match="Agreement RA-1 is draft"):
        crediting.credit(p.session, agreement, on=TODAY, actor="operator")


# Figures ----------------------------------------------------------------------------------------


def test_the_figures_show_debt_before_and_after_hours_by_state_and_caps_left(
    p: Programme,
) -> None:
    agreement = p.agreement(caps=Caps(hours="20", euros="100.00"))
    p.verify(p.submit(agreement, date(2025, 2, 3), "4"))
    hours.reject(
        p.session,
        p.submit(agreement, date(2025, 2, 4), "2"),
        reviewer=p.supervisor,
        reason="rain",
        actor="supervisor",
    )
    p.submit(agreement, date(2025, 2, 5), "1")
    crediting.credit(p.session, agreement, on=TODAY, actor="operator")
    figures = agreement_figures(p.session, agreement, TODAY)
    assert (figures.debt_before, figures.debt_after, figures.credited) == (
        Decimal("600.00"),
        Decimal("570.00"),
        Decimal("30.00"),
    )
    assert figures.hours["credited"] == Decimal("4.00")
    assert figures.hours["rejected"] == Decimal("2.00")
    assert figures.hours["submitted"] == Decimal("1.00")
    left = {c.name: (c.left, c.unit) for c in figures.caps}
    assert left == {
        "hours, whole agreement": (Decimal("16.00"), "h"),
        "euros, whole agreement": (Decimal("70.00"), "EUR"),
    }
    # As of a day before the credit was posted, nothing separates the debt before and after.
    earlier = agreement_figures(p.session, agreement, date(2025, 6, 29))
    assert earlier.credited == Decimal("0.00") and earlier.debt_before == earlier.debt_after
    rows = period_totals(p.session, date(2025, 1, 1), date(2025, 12, 31), by="building")
    assert [(r.key, r.credited, r.logged) for r in rows] == [
        (p.estate.building.code, Decimal("30.00"), Decimal("7.00"))
    ]
    assert AgreementStatus(figures.status) is AgreementStatus.ACTIVE


@pytest.mark.parametrize("typed", ["1e30", "-1", "0", "0.3", "abc", "Infinity", "100001"])
def test_hours_that_are_no_quarter_hours_are_refused_with_a_message(typed: str) -> None:
    from volunteering.agreements import quarter_hours

    with pytest.raises(AgreementRefused):
        quarter_hours(typed, "hours", "RES-1")
