"""final accounts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_actuals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("actual_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["budget_lines.id"], name=op.f("fk_budget_actuals_line_id_budget_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_actuals")),
        sa.UniqueConstraint("line_id", name=op.f("uq_budget_actuals_line_id")),
    )


def downgrade() -> None:
    op.drop_table("budget_actuals")
