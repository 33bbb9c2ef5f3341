"""initial schema: registry, ledger, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-25

The ledger tables are append-only in the database itself: triggers refuse UPDATE and DELETE on
entries and postings, whatever client connects.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

APPEND_ONLY = ("ledger_entries", "ledger_postings")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
        elif dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: "
                    f"{action} refused'); END"
                )


def drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif dialect == "sqlite":
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_events_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "ledger_books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lock_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_books")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_books_code")),
    )
    op.create_table(
        "operation_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_keys")),
        sa.UniqueConstraint("key", name=op.f("uq_operation_keys_key")),
    )
    op.create_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_buildings_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_buildings_agency_id_code")),
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buildings_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_households_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_households_agency_id_code")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "housing_bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "public",
                "municipality",
                "cooperative",
                "private",
                name="bodykind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("vat_number", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_housing_bodies_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_bodies")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_housing_bodies_agency_id_code")),
    )
    with op.batch_alter_table("housing_bodies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_housing_bodies_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "asset",
                "liability",
                "equity",
                "income",
                "expense",
                name="accountkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_ledger_accounts_book_id_ledger_books")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("book_id", "code", name=op.f("uq_ledger_accounts_book_id_code")),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_book_id"), ["book_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "reverses_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "operation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_ledger_entries_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operation_keys.id"],
            name=op.f("fk_ledger_entries_operation_id_operation_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_entries_reverses_id")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_book_date", ["book_id", "entry_date", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "ledger_lock_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("previous_lock_date", sa.Date(), nullable=True),
        sa.Column("lock_date", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["ledger_books.id"],
            name=op.f("fk_ledger_lock_events_book_id_ledger_books"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lock_events")),
    )
    with op.batch_alter_table("ledger_lock_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_lock_events_book_id"), ["book_id"], unique=False
        )

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("tax_code", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_people_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("agency_id", "tax_code", name=op.f("uq_people_agency_id_tax_code")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "creditor_books",
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("service_charges", "rent", name="bookpurpose", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("housing_body_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(building_id IS NULL) <> (housing_body_id IS NULL)",
            name=op.f("ck_creditor_books_one_creditor"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_creditor_books_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_creditor_books_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_creditor_books_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["housing_body_id"],
            ["housing_bodies.id"],
            name=op.f("fk_creditor_books_housing_body_id_housing_bodies"),
        ),
        sa.PrimaryKeyConstraint("book_id", name=op.f("pk_creditor_books")),
        sa.UniqueConstraint("building_id", name=op.f("uq_creditor_books_building_id")),
        sa.UniqueConstraint("housing_body_id", name=op.f("uq_creditor_books_housing_body_id")),
    )
    with op.batch_alter_table("creditor_books", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creditor_books_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("holder", "member", name="memberrole", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_household_members_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_members_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index("ix_household_members_person", ["person_id"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_postings_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_ledger_postings_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_postings_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_postings_account_date",
            ["account_id", "entry_date", "id", "amount_cents"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_ledger_postings_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "staircases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_staircases_building_id_buildings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staircases")),
        sa.UniqueConstraint("building_id", "code", name=op.f("uq_staircases_building_id_code")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("staircase_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "flat",
                "shop",
                "garage",
                "storage",
                "other",
                name="unitkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "occupied",
                "vacant",
                "under_renovation",
                name="unitstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("owner_body_id", sa.Integer(), nullable=True),
        sa.Column("floor", sa.String(length=8), nullable=True),
        sa.Column("area_sqm", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_units_building_id_buildings")
        ),
        sa.ForeignKeyConstraint(
            ["owner_body_id"],
            ["housing_bodies.id"],
            name=op.f("fk_units_owner_body_id_housing_bodies"),
        ),
        sa.ForeignKeyConstraint(
            ["staircase_id"], ["staircases.id"], name=op.f("fk_units_staircase_id_staircases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("building_id", "code", name=op.f("uq_units_building_id_code")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_owner_body_id"), ["owner_body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_units_staircase_id"), ["staircase_id"], unique=False)

    op.create_table(
        "occupancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_occupancies_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_occupancies_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancies")),
    )
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_occupancies_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index("ix_occupancies_unit_dates", ["unit_id", "start_date"], unique=False)

    op.create_table(
        "debtor_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("occupancy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_debtor_accounts_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_debtor_accounts_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_debtor_accounts_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["occupancy_id"],
            ["occupancies.id"],
            name=op.f("fk_debtor_accounts_occupancy_id_occupancies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debtor_accounts")),
        sa.UniqueConstraint("account_id", name=op.f("uq_debtor_accounts_account_id")),
        sa.UniqueConstraint(
            "book_id", "occupancy_id", name=op.f("uq_debtor_accounts_book_id_occupancy_id")
        ),
    )
    with op.batch_alter_table("debtor_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_debtor_accounts_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_debtor_accounts_occupancy_id"), ["occupancy_id"], unique=False
        )

    create_append_only_triggers()


def downgrade() -> None:
    drop_append_only_triggers()
    with op.batch_alter_table("debtor_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_debtor_accounts_occupancy_id"))
        batch_op.drop_index(batch_op.f("ix_debtor_accounts_household_id"))

    op.drop_table("debtor_accounts")
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.drop_index("ix_occupancies_unit_dates")
        batch_op.drop_index(batch_op.f("ix_occupancies_household_id"))

    op.drop_table("occupancies")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_staircase_id"))
        batch_op.drop_index(batch_op.f("ix_units_owner_body_id"))

    op.drop_table("units")
    op.drop_table("staircases")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_entry_id"))
        batch_op.drop_index("ix_ledger_postings_account_date")

    op.drop_table("ledger_postings")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index("ix_household_members_person")
        batch_op.drop_index(batch_op.f("ix_household_members_household_id"))

    op.drop_table("household_members")
    with op.batch_alter_table("creditor_books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creditor_books_agency_id"))

    op.drop_table("creditor_books")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_agency_id"))

    op.drop_table("people")
    with op.batch_alter_table("ledger_lock_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_lock_events_book_id"))

    op.drop_table("ledger_lock_events")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_operation_id"))
        batch_op.drop_index("ix_ledger_entries_book_date")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_book_id"))

    op.drop_table("ledger_accounts")
    with op.batch_alter_table("housing_bodies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_bodies_agency_id"))

    op.drop_table("housing_bodies")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_agency_id"))

    op.drop_table("households")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buildings_agency_id"))

    op.drop_table("buildings")
    op.drop_table("operation_keys")
    op.drop_table("ledger_books")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_target")
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor"))

    op.drop_table("audit_events")
    op.drop_table("agencies")
