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
