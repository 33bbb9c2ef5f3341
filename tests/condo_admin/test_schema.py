"""The schema is built by Alembic alone, and the migrations agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from condo_admin.migrate import current_revision, head_revision
from condo_admin.models import Base
from tests import factories


def test_database_is_at_the_head_revision(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_migrations_and_models_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_postings SET amount_cents = 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET memo = 'x'",
        "DELETE FROM ledger_entries",
    ],
)
def test_database_refuses_to_rewrite_posted_history(session, statement: str) -> None:
    from datetime import date

    from ledger.posting import Leg, post

    book, acc = factories.book(session)
    post(
        session,
        book,
        date(2024, 1, 5),
        [Leg(acc["DEBTOR"], "10.00"), Leg(acc["INC.RENT"], "-10.00")],
        memo="rent",
        actor="test",
    )
    nested = session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    nested.rollback()


def test_existing_debtor_accounts_get_their_rf_reference_on_upgrade(
    empty_database_url: str,
) -> None:
    """Migration 0005 computes the references of accounts opened before it, as the code would."""
    from datetime import date as day

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from condo_admin.accounting.models import DebtorAccount
    from condo_admin.db import make_engine
    from condo_admin.demo.seed import seed_demo
    from condo_admin.migrate import downgrade, upgrade

    engine = make_engine(empty_database_url)
    upgrade(engine)
    with Session(engine) as session:
        seed_demo(session, today=day(2025, 6, 30))
        session.commit()
        expected = dict(session.execute(select(DebtorAccount.id, DebtorAccount.rf_reference)).all())
    downgrade(engine, "0004")
    upgrade(engine)
    with Session(engine) as session:
        again = dict(session.execute(select(DebtorAccount.id, DebtorAccount.rf_reference)).all())
    engine.dispose()
    assert again == expected and len(expected) > 50
