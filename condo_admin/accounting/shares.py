"""Share tables (*tabelle millesimali*): defined and revised whole, always summing to 1000."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.errors import (
    DuplicateShareTable,
    InvalidShare,
    SharesDoNotSum,
    UnitOfAnotherBuilding,
)
from condo_admin.accounting.models import Share, ShareTable, ShareTableKind
from condo_admin.accounting.splitting import split_by_shares
from condo_admin.audit.operations import record as audit
from condo_admin.registry import validate as v
from condo_admin.registry.models import Building, Unit
from ledger.errors import N_

THOUSAND = Decimal(1000)
_PLACES = Decimal("0.0001")


def _share(table: str, unit: Unit, value: Decimal | str | int) -> Decimal:
    if isinstance(value, float | bool):
        raise InvalidShare(table=table, unit=unit.code, value=value, reason=N_("not a float"))
    try:
        share = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidShare(
            table=table, unit=unit.code, value=value, reason=N_("expected a number such as 12.345")
        ) from None
    if not share.is_finite() or share < 0:
        raise InvalidShare(
            table=table, unit=unit.code, value=value, reason=N_("must not be negative")
        )
    if share != share.quantize(_PLACES):
        raise InvalidShare(
            table=table, unit=unit.code, value=value, reason=N_("at most 4 decimals")
        )
    return share


def _checked(
    label: str, building: Building, shares: Mapping[Unit, Decimal | str | int]
) -> list[tuple[Unit, Decimal]]:
    rows = []
    for unit in sorted(shares, key=lambda u: u.code):
        if unit.building_id != building.id:
            raise UnitOfAnotherBuilding(
                what="Share table", ref=label, unit=unit.label, building=building.code
            )
        rows.append((unit, _share(label, unit, shares[unit])))
    total = sum((share for _, share in rows), Decimal(0))
    if total != THOUSAND:
        raise SharesDoNotSum(table=label, total=f"{total.normalize():f}")
    return rows


def _snapshot(table: ShareTable) -> dict[str, str]:
    return {share.unit.code: f"{share.thousandths.normalize():f}" for share in table.shares}


def define_share_table(
    session: Session,
    building: Building,
    code: str,
    name: str,
    kind: ShareTableKind | str,
    shares: Mapping[Unit, Decimal | str | int],
    *,
    actor: str,
) -> ShareTable:
    """A new table for ``building``; refused unless every share is valid and they sum to 1000."""
    code = v.code(code, "share table code")
    label = f"{building.code}/{code}"
    exists = session.scalar(
        select(ShareTable.id).where(ShareTable.building_id == building.id, ShareTable.code == code)
    )
    if exists is not None:
        raise DuplicateShareTable(building=building.code, code=code)
    rows = _checked(label, building, shares)
    table = ShareTable(
        building_id=building.id,
        code=code,
        name=v.text(name, "share table name"),
        kind=v.choice(kind, ShareTableKind, "share table kind"),
        created_at=datetime.now(UTC),
        shares=[Share(unit=unit, thousandths=share) for unit, share in rows],
    )
    session.add(table)
    session.flush()
    audit(session, actor, "share_table.define", table, after=_snapshot(table))
    return table


def revise_shares(
    session: Session, table: ShareTable, shares: Mapping[Unit, Decimal | str | int], *, actor: str
) -> ShareTable:
    """Replace all shares of ``table``. Approved budgets keep what they were split with."""
    rows = _checked(f"{table.building.code}/{table.code}", table.building, shares)
    before = _snapshot(table)
    table.shares.clear()
    session.flush()  # the old rows must go before new rows for the same units arrive
    table.shares = [Share(unit=unit, thousandths=share) for unit, share in rows]
    session.flush()
    audit(session, actor, "share_table.revise", table, before=before, after=_snapshot(table))
    return table


def split_by_table(session: Session, table: ShareTable, total_cents: int) -> dict[int, int]:
    """``total_cents`` split over the table's units (by unit id), ties to the lower unit code."""
    shares = {share.unit_id: share.thousandths for share in table.shares}
    codes = {
        unit_id: code
        for unit_id, code in session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(shares)))
    }
    return split_by_shares(total_cents, shares, sorted(shares, key=codes.__getitem__))


def shares_of(table: ShareTable) -> dict[Unit, Decimal]:
    return {share.unit: share.thousandths for share in table.shares}
