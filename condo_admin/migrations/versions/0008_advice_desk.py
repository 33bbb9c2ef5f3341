"""advice desk: household budgets, repayment plans, cases, reminder letters; book IBANs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 01:23:49.431244
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_contacts",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_desk_contacts_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_desk_contacts")),
    )
    op.create_table(
        "desk_letter_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_desk_letter_runs_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_letter_runs")),
    )
    with op.batch_alter_table("desk_letter_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_letter_runs_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "desk_reminder_stages",
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "reminder",
                "second_reminder",
                "formal_notice",
                name="stage",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["ledger_books.id"],
            name=op.f("fk_desk_reminder_stages_book_id_ledger_books"),
        ),
        sa.PrimaryKeyConstraint("book_id", "stage", name=op.f("pk_desk_reminder_stages")),
    )
    op.create_table(
        "desk_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "contacted",
                "in_plan",
                "in_restitution",
                "resolved",
                "referred",
                name="casestatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("assigned_to", sa.String(length=100), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("next_action_on", sa.Date(), nullable=True),
        sa.Column("next_action", sa.String(length=300), nullable=True),
        sa.Column("hold_letters", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "paid",
                "plan_completed",
                "restitution",
                "referred",
                "moved_out",
                "unreachable",
                "other",
                name="outcome",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_desk_cases_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_desk_cases_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_cases")),
    )
    with op.batch_alter_table("desk_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_cases_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            "ix_desk_cases_household", ["household_id", "closed_on"], unique=False
        )

    op.create_table(
        "desk_household_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_desk_household_budgets_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_household_budgets")),
    )
    with op.batch_alter_table("desk_household_budgets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_desk_household_budgets_household", ["household_id", "valid_from"], unique=False
        )

    op.create_table(
        "desk_case_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "call",
                "visit",
                "meeting",
                "email",
                "letter",
                "note",
                "change",
                name="contactkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["desk_cases.id"], name=op.f("fk_desk_case_entries_case_id_desk_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_case_entries")),
    )
    with op.batch_alter_table("desk_case_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_case_entries_case_id"), ["case_id"], unique=False)

    op.create_table(
        "desk_household_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("income", "expense", name="linekind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("monthly_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["desk_household_budgets.id"],
            name=op.f("fk_desk_household_budget_lines_budget_id_desk_household_budgets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_household_budget_lines")),
    )
    with op.batch_alter_table("desk_household_budget_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_household_budget_lines_budget_id"), ["budget_id"], unique=False
        )

    op.create_table(
        "desk_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("debtor_account_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "reminder",
                "second_reminder",
                "formal_notice",
                name="stage",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("oldest_due", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["debtor_account_id"],
            ["debtor_accounts.id"],
            name=op.f("fk_desk_letters_debtor_account_id_debtor_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_desk_letters_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["desk_letter_runs.id"],
            name=op.f("fk_desk_letters_run_id_desk_letter_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_letters")),
    )
    with op.batch_alter_table("desk_letters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_desk_letters_debtor", ["debtor_account_id", "as_of"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_desk_letters_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_desk_letters_run_id"), ["run_id"], unique=False)

    op.create_table(
        "desk_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("debt_cents", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "completed",
                "broken",
                "superseded",
                "cancelled",
                name="planstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("break_after", sa.Integer(), nullable=False),
        sa.Column("override_note", sa.String(length=500), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_desk_plans_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["vol_agreements.id"],
            name=op.f("fk_desk_plans_agreement_id_vol_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_desk_plans_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_desk_plans_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["desk_plans.id"],
            name=op.f("fk_desk_plans_supersedes_id_desk_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_plans")),
        sa.UniqueConstraint("agency_id", "code", name=op.f("uq_desk_plans_agency_id_code")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_desk_plans_supersedes_id")),
    )
    with op.batch_alter_table("desk_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_plans_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_desk_plans_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "desk_plan_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["desk_plans.id"], name=op.f("fk_desk_plan_events_plan_id_desk_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_plan_events")),
    )
    with op.batch_alter_table("desk_plan_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_plan_events_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "desk_plan_installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "means",
            sa.Enum("cash", "hours", name="means", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("missed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["desk_plans.id"],
            name=op.f("fk_desk_plan_installments_plan_id_desk_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_plan_installments")),
        sa.UniqueConstraint("plan_id", "seq", name=op.f("uq_desk_plan_installments_plan_id_seq")),
    )
    with op.batch_alter_table("creditor_books", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iban", sa.String(length=34), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("creditor_books", schema=None) as batch_op:
        batch_op.drop_column("iban")

    op.drop_table("desk_plan_installments")
    with op.batch_alter_table("desk_plan_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_plan_events_plan_id"))

    op.drop_table("desk_plan_events")
    with op.batch_alter_table("desk_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_plans_household_id"))
        batch_op.drop_index(batch_op.f("ix_desk_plans_agency_id"))

    op.drop_table("desk_plans")
    with op.batch_alter_table("desk_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_letters_run_id"))
        batch_op.drop_index(batch_op.f("ix_desk_letters_household_id"))
        batch_op.drop_index("ix_desk_letters_debtor")

    op.drop_table("desk_letters")
    with op.batch_alter_table("desk_household_budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_household_budget_lines_budget_id"))

    op.drop_table("desk_household_budget_lines")
    with op.batch_alter_table("desk_case_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_case_entries_case_id"))

    op.drop_table("desk_case_entries")
    with op.batch_alter_table("desk_household_budgets", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_household_budgets_household")

    op.drop_table("desk_household_budgets")
    with op.batch_alter_table("desk_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_cases_household")
        batch_op.drop_index(batch_op.f("ix_desk_cases_agency_id"))

    op.drop_table("desk_cases")
    op.drop_table("desk_reminder_stages")
    with op.batch_alter_table("desk_letter_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_letter_runs_agency_id"))

    op.drop_table("desk_letter_runs")
    op.drop_table("desk_contacts")
