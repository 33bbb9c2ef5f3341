"""audit events carry their agency, so each agency's administrators see only their own

Events recorded before this migration keep no agency and are shown to nobody but through the
database; new ones are attributed as they are written.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 02:19:26.859005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_agency_id"))
        batch_op.drop_column("agency_id")
