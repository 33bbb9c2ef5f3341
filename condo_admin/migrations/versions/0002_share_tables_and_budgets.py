"""share tables and budgets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "approved", name="budgetstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_budgets_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_budgets_building_id_buildings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("building_id", "year", name=op.f("uq_budgets_building_id_year")),
    )
    op.create_table(
        "share_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "general",
                "staircase",
                "heating",
                "lift",
                "other",
                name="sharetablekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"], ["buildings.id"], name=op.f("fk_share_tables_building_id_buildings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_tables")),
        sa.UniqueConstraint("building_id", "code", name=op.f("uq_share_tables_building_id_code")),
    )
    op.create_table(
        "budget_installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_installments_budget_id_budgets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_installments")),
        sa.UniqueConstraint(
            "budget_id", "number", name=op.f("uq_budget_installments_budget_id_number")
        ),
    )
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("share_table_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_lines_budget_id_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["share_table_id"],
            ["share_tables.id"],
            name=op.f("fk_budget_lines_share_table_id_share_tables"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
        sa.UniqueConstraint(
            "budget_id", "category", name=op.f("uq_budget_lines_budget_id_category")
        ),
    )
    op.create_table(
        "budget_allotments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["budget_lines.id"], name=op.f("fk_budget_allotments_line_id_budget_lines")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_budget_allotments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_allotments")),
        sa.UniqueConstraint(
            "line_id", "unit_id", name=op.f("uq_budget_allotments_line_id_unit_id")
        ),
    )
    with op.batch_alter_table("budget_allotments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_allotments_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("thousandths", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"], ["share_tables.id"], name=op.f("fk_shares_table_id_share_tables")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_shares_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("table_id", "unit_id", name=op.f("uq_shares_table_id_unit_id")),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shares_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shares_unit_id"))

    op.drop_table("shares")
    with op.batch_alter_table("budget_allotments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_allotments_unit_id"))

    op.drop_table("budget_allotments")
    op.drop_table("budget_lines")
    op.drop_table("budget_installments")
    op.drop_table("share_tables")
    op.drop_table("budgets")
