"""RF references of debtor accounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Existing debtor accounts get their reference computed here, with the same rule as
``condo_admin.accounting.references.rf_reference`` (copied, so that this migration never changes
when the code does).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from stdnum.iso7064 import mod_97_10

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reference(book_id: int, account_id: int) -> str:
    body = f"{book_id:04d}{account_id:010d}"
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def upgrade() -> None:
    with op.batch_alter_table("debtor_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rf_reference", sa.String(length=25), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, book_id, account_id FROM debtor_accounts")).all()
    for row_id, book_id, account_id in rows:
        connection.execute(
            sa.text("UPDATE debtor_accounts SET rf_reference = :ref WHERE id = :id"),
            {"ref": _reference(book_id, account_id), "id": row_id},
        )
    with op.batch_alter_table("debtor_accounts", schema=None) as batch_op:
        batch_op.alter_column("rf_reference", existing_type=sa.String(length=25), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_debtor_accounts_rf_reference"), ["rf_reference"]
        )


def downgrade() -> None:
    with op.batch_alter_table("debtor_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_debtor_accounts_rf_reference"), type_="unique")
        batch_op.drop_column("rf_reference")
