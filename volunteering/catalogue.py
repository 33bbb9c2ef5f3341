"""The activity catalogue and its hourly rates, which change over time.

The six activities of PRODUCT.md 4.5 are created by migration 0007, so every database has them.
A rate applies from its ``valid_from`` until the next one of the same activity; the credit of an
hour uses the rate in force on the day the work was done.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.audit.operations import record as audit
from ledger.errors import N_, NotFound, Phrase
from ledger.money import to_cents
from volunteering.errors import InvalidRate, NoRateInForce
from volunteering.events import now
from volunteering.models import Activity, ActivityRate

#: Typical Italian administrative-barter rates are 7.50-8.00 euros an hour (PRODUCT.md 4.5); a
#: rate outside this range is almost certainly a typing mistake (75.00 for 7.50).
RATE_RANGE = (Decimal("1.00"), Decimal("30.00"))


def activity(session: Session, code: str) -> Activity:
    found = session.scalar(select(Activity).where(Activity.code == str(code).strip().upper()))
    if found is None:
        raise NotFound(what=N_("Activity"), ref=code)
    return found


def set_rate(
    session: Session, act: Activity, hourly: Decimal | str, *, valid_from: date, actor: str
) -> ActivityRate:
    """The hourly rate of ``act`` from ``valid_from`` on; earlier rates keep applying before."""
    cents = to_cents(hourly, field=Phrase(N_("rate of %(activity)s"), activity=act.code))
    low, high = RATE_RANGE
    if not to_cents(low) <= cents <= to_cents(high):
        raise InvalidRate(
            activity=act.code,
            problem=Phrase(
                N_("%(rate)s an hour is outside %(low)s-%(high)s euros"),
                rate=hourly,
                low=low,
                high=high,
            ),
        )
    if type(valid_from) is not date:
        raise InvalidRate(
            activity=act.code, problem=Phrase(N_("%(day)r is not a date"), day=valid_from)
        )
    exists = session.scalar(
        select(ActivityRate.id).where(
            ActivityRate.activity_id == act.id, ActivityRate.valid_from == valid_from
        )
    )
    if exists is not None:
        raise InvalidRate(
            activity=act.code,
            problem=Phrase(N_("a rate from %(valid_from)s is already set"), valid_from=valid_from),
        )
    rate = ActivityRate(
        activity_id=act.id, valid_from=valid_from, hourly_cents=cents, set_by=actor, set_at=now()
    )
    session.add(rate)
    session.flush()
    audit(session, actor, "activity_rate.set", rate)
    return rate


def rate_on(session: Session, act: Activity, day: date) -> ActivityRate:
    """The rate in force on ``day``; refused when none is."""
    rate = session.scalar(
        select(ActivityRate)
        .where(ActivityRate.activity_id == act.id, ActivityRate.valid_from <= day)
        .order_by(ActivityRate.valid_from.desc())
        .limit(1)
    )
    if rate is None:
        raise NoRateInForce(activity=act.code, date=day)
    return rate
