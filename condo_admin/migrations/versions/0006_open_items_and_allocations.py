"""open items and allocations of debtor accounts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Debtor accounts become open-item accounts. Their existing postings become items and are settled
here the way ``ledger.openitems`` settles new ones without designation: each reversal against
its original, then oldest first. The rule is written out again (not imported) so that this
migration never changes when the code does. Allocations are append-only in the database, like
entries and postings.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "ledger_allocations"


def _append_only(create: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            if create
            else f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}"
        )
    elif dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            name = f"{TABLE}_no_{action.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger table {TABLE} is append-only: "
                f"{action} refused'); END"
                if create
                else f"DROP TRIGGER IF EXISTS {name}"
            )


def upgrade() -> None:
    op.create_table(
        "ledger_allocations",
        sa.Column("id", BigId, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("debit_posting_id", BigId, nullable=False),
        sa.Column("credit_posting_id", BigId, nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "designated",
                "oldest_first",
                "reversal",
                "release",
                name="allocationkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("entry_id", BigId, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_allocations_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["credit_posting_id"],
            ["ledger_postings.id"],
            name=op.f("fk_ledger_allocations_credit_posting_id_ledger_postings"),
        ),
        sa.ForeignKeyConstraint(
            ["debit_posting_id"],
            ["ledger_postings.id"],
            name=op.f("fk_ledger_allocations_debit_posting_id_ledger_postings"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_allocations_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_allocations")),
    )
    for column in ("account_id", "credit_posting_id", "debit_posting_id"):
        op.create_index(op.f(f"ix_ledger_allocations_{column}"), "ledger_allocations", [column])
    op.create_table(
        "ledger_open_items",
        sa.Column("posting_id", BigId, autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("open_cents", sa.BigInteger(), nullable=False),
        sa.Column("last_allocated", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_open_items_account_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["ledger_books.id"], name=op.f("fk_ledger_open_items_book_id_ledger_books")
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["ledger_postings.id"],
            name=op.f("fk_ledger_open_items_posting_id_ledger_postings"),
        ),
        sa.PrimaryKeyConstraint("posting_id", name=op.f("pk_ledger_open_items")),
    )
    op.create_index(
        "ix_ledger_open_items_credit",
        "ledger_open_items",
        ["book_id", "account_id"],
        postgresql_where=sa.text("open_cents < 0"),
        sqlite_where=sa.text("open_cents < 0"),
    )
    op.create_index("ix_ledger_open_items_last_allocated", "ledger_open_items", ["last_allocated"])
    op.create_index(
        "ix_ledger_open_items_unsettled",
        "ledger_open_items",
        ["account_id", "item_date", "posting_id", "amount_cents", "open_cents", "last_allocated"],
        postgresql_where=sa.text("open_cents <> 0"),
        sqlite_where=sa.text("open_cents <> 0"),
    )
    # Plain ALTERs on both databases: a batch copy of ledger_accounts would trip its foreign keys.
    op.add_column(
        "ledger_accounts",
        sa.Column("tracks_items", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _append_only(create=True)
    _backfill()


def _backfill() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE ledger_accounts SET tracks_items = :yes "
            "WHERE id IN (SELECT account_id FROM debtor_accounts)"
        ),
        {"yes": True},
    )
    rows = connection.execute(
        sa.text(
            "SELECT p.id, p.account_id, p.book_id, p.entry_date, p.amount_cents, p.entry_id, "
            "e.reverses_id FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id "
            "WHERE p.account_id IN (SELECT account_id FROM debtor_accounts) "
            "ORDER BY p.account_id, p.entry_date, p.id"
        )
    ).all()
    if not rows:
        return
    items = {r.id: {"open": r.amount_cents, "last": None, "row": r} for r in rows}
    allocations: list[dict[str, object]] = []
    now = datetime.now(UTC)

    def allocate(debit: int, credit: int, cents: int, kind: str, entry_id: int) -> None:
        d, c = items[debit], items[credit]
        effective = max(d["row"].entry_date, c["row"].entry_date)
        allocations.append(
            {
                "account_id": d["row"].account_id,
                "debit_posting_id": debit,
                "credit_posting_id": credit,
                "amount_cents": cents,
                "effective_date": effective,
                "kind": kind,
                "entry_id": entry_id,
                "created_at": now,
                "created_by": "migration 0006",
            }
        )
        d["open"] -= cents
        c["open"] += cents
        for item in (d, c):
            item["last"] = effective if item["last"] is None else max(item["last"], effective)

    by_entry_account: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r in rows:
        by_entry_account[(r.entry_id, r.account_id)].append(r.id)
    for r in rows:  # a reversal's postings mirror their original's, in the same order
        if r.reverses_id is None:
            continue
        mirrored = by_entry_account[(r.reverses_id, r.account_id)]
        mine = by_entry_account[(r.entry_id, r.account_id)]
        original = mirrored[mine.index(r.id)] if len(mirrored) == len(mine) else None
        if original is None or items[original]["open"] != -r.amount_cents:
            continue
        debit, credit = (original, r.id) if r.amount_cents < 0 else (r.id, original)
        allocate(debit, credit, abs(r.amount_cents), "reversal", r.entry_id)
    by_account: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        by_account[r.account_id].append(r.id)
    for ids in by_account.values():
        debits = [i for i in ids if items[i]["open"] > 0]
        credits = [i for i in ids if items[i]["open"] < 0]
        d = c = 0
        while d < len(debits) and c < len(credits):
            debit, credit = debits[d], credits[c]
            cents = min(items[debit]["open"], -items[credit]["open"])
            later = max((debit, credit), key=lambda i: (items[i]["row"].entry_date, i))
            allocate(debit, credit, cents, "oldest_first", items[later]["row"].entry_id)
            d += items[debit]["open"] == 0
            c += items[credit]["open"] == 0
    open_items = sa.table(
        "ledger_open_items",
        *(
            sa.column(name)
            for name in (
                "posting_id",
                "account_id",
                "book_id",
                "item_date",
                "amount_cents",
                "open_cents",
                "last_allocated",
            )
        ),
    )
    connection.execute(
        open_items.insert(),
        [
            {
                "posting_id": pid,
                "account_id": item["row"].account_id,
                "book_id": item["row"].book_id,
                "item_date": item["row"].entry_date,
                "amount_cents": item["row"].amount_cents,
                "open_cents": item["open"],
                "last_allocated": item["last"],
            }
            for pid, item in items.items()
        ],
    )
    if allocations:
        table = sa.table(TABLE, *(sa.column(name) for name in allocations[0]))
        connection.execute(table.insert(), allocations)


def downgrade() -> None:
    _append_only(create=False)
    op.drop_column("ledger_accounts", "tracks_items")
    for name in (
        "ix_ledger_open_items_unsettled",
        "ix_ledger_open_items_last_allocated",
        "ix_ledger_open_items_credit",
    ):
        op.drop_index(name, table_name="ledger_open_items")
    op.drop_table("ledger_open_items")
    for column in ("debit_posting_id", "credit_posting_id", "account_id"):
        op.drop_index(op.f(f"ix_ledger_allocations_{column}"), table_name="ledger_allocations")
    op.drop_table("ledger_allocations")
