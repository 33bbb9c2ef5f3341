"""community-service restitution: activities, rates, agreements, hour entries, events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

The six activities of the catalogue (PRODUCT.md 4.5) are inserted here, written out again rather
than imported so that this migration never changes when the code does. Rates are the agency's to
set (``condo volunteering rate``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITIES = (
    (
        "PAINTING",
        "Painting common areas",
        "Repainting stairwells, halls, cellars and railings, with materials supplied.",
        "No work at height above 2 m; no solvents without ventilation.",
    ),
    (
        "GREEN",
        "Green-area care",
        "Mowing, weeding, watering and keeping courtyards and gardens tidy.",
        "No chainsaws or pesticides; hand tools and mowers only.",
    ),
    (
        "MAIL",
        "Mail distribution",
        "Sorting the building's post and notices into letterboxes.",
        "No access to confidential data: sealed mail only, never opened or read.",
    ),
    (
        "CONCIERGE",
        "Concierge hours",
        "Keeping the entrance, receiving parcels, reporting faults.",
        "No keys to private units; no handling of money.",
    ),
    (
        "CUSTODY",
        "Social custody",
        "Keeping an eye on common areas and on elderly neighbours who asked for it.",
        "No care tasks that need a qualification; no access to confidential data.",
    ),
    (
        "MAINTENANCE",
        "Small maintenance",
        "Replacing bulbs, fixing door closers, small repairs to fittings.",
        "No licensed electrical or gas work; no structural work.",
    ),
)


def upgrade() -> None:
    op.create_table(
        "vol_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("restrictions", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_activities")),
        sa.UniqueConstraint("code", name=op.f("uq_vol_activities_code")),
    )
    op.create_table(
        "vol_activity_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("hourly_cents", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["vol_activities.id"],
            name=op.f("fk_vol_activity_rates_activity_id_vol_activities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_activity_rates")),
        sa.UniqueConstraint(
            "activity_id", "valid_from", name=op.f("uq_vol_activity_rates_activity_id_valid_from")
        ),
    )
    op.create_table(
        "vol_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("debtor_account_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("insurance_ref", sa.String(length=100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "suspended",
                "ended",
                name="agreementstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("cap_cents", sa.BigInteger(), nullable=True),
        sa.Column("cap_hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("yearly_cap_cents", sa.BigInteger(), nullable=True),
        sa.Column("yearly_cap_hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("daily_max_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("dispute_days", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_vol_agreements_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["debtor_account_id"],
            ["debtor_accounts.id"],
            name=op.f("fk_vol_agreements_debtor_account_id_debtor_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_vol_agreements_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["people.id"], name=op.f("fk_vol_agreements_supervisor_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_agreements")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_vol_agreements_agency_id_code")),
    )
    op.create_index(
        op.f("ix_vol_agreements_agency_id"), "vol_agreements", ["agency_id"], unique=False
    )
    op.create_index(
        op.f("ix_vol_agreements_debtor_account_id"),
        "vol_agreements",
        ["debtor_account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_vol_agreements_household_id"), "vol_agreements", ["household_id"], unique=False
    )
    op.create_table(
        "vol_agreement_activities",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["vol_activities.id"],
            name=op.f("fk_vol_agreement_activities_activity_id_vol_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["vol_agreements.id"],
            name=op.f("fk_vol_agreement_activities_agreement_id_vol_agreements"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "activity_id", name=op.f("pk_vol_agreement_activities")
        ),
    )
    op.create_table(
        "vol_hour_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "verified",
                "credited",
                "rejected",
                "disputed",
                name="hourstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column(
            "submitted_role",
            sa.Enum(
                "resident",
                "supervisor",
                "operator",
                name="submitterrole",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=True),
        sa.Column("creditable_hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("creditable_cents", sa.BigInteger(), nullable=True),
        sa.Column("cap_note", sa.String(length=300), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("credit_entry_id", BigId, nullable=True),
        sa.Column("credited_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["vol_activities.id"],
            name=op.f("fk_vol_hour_entries_activity_id_vol_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["vol_agreements.id"],
            name=op.f("fk_vol_hour_entries_agreement_id_vol_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_vol_hour_entries_credit_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_vol_hour_entries_decided_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_hour_entries")),
    )
    op.create_index(
        "ix_vol_hour_entries_agreement_day",
        "vol_hour_entries",
        ["agreement_id", "work_date"],
        unique=False,
    )
    op.create_table(
        "vol_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("hour_entry_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["vol_agreements.id"],
            name=op.f("fk_vol_events_agreement_id_vol_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["hour_entry_id"],
            ["vol_hour_entries.id"],
            name=op.f("fk_vol_events_hour_entry_id_vol_hour_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vol_events")),
    )
    op.create_index(
        op.f("ix_vol_events_agreement_id"), "vol_events", ["agreement_id"], unique=False
    )
    op.create_index(
        op.f("ix_vol_events_hour_entry_id"), "vol_events", ["hour_entry_id"], unique=False
    )
    activities = sa.table(
        "vol_activities",
        sa.column("code"),
        sa.column("name"),
        sa.column("description"),
        sa.column("restrictions"),
        sa.column("active"),
    )
    op.bulk_insert(
        activities,
        [
            {"code": c, "name": n, "description": d, "restrictions": r, "active": True}
            for c, n, d, r in ACTIVITIES
        ],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_vol_events_hour_entry_id"), table_name="vol_events")
    op.drop_index(op.f("ix_vol_events_agreement_id"), table_name="vol_events")
    op.drop_table("vol_events")
    op.drop_index("ix_vol_hour_entries_agreement_day", table_name="vol_hour_entries")
    op.drop_table("vol_hour_entries")
    op.drop_table("vol_agreement_activities")
    op.drop_index(op.f("ix_vol_agreements_household_id"), table_name="vol_agreements")
    op.drop_index(op.f("ix_vol_agreements_debtor_account_id"), table_name="vol_agreements")
    op.drop_index(op.f("ix_vol_agreements_agency_id"), table_name="vol_agreements")
    op.drop_table("vol_agreements")
    op.drop_table("vol_activity_rates")
    op.drop_table("vol_activities")
