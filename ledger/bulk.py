"""Bulk writes for operations that post thousands of rows at once (charge runs, imports).

Ids are reserved before the rows are written, so entries, postings and the rows that point at
them (open items) can all go in as plain multi-row inserts without reading anything back.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, insert, text
from sqlalchemy.orm import Session


def among(column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` with the integers written into the SQL rather than bound one by one.

    A list of hundreds of ids bound as parameters costs more to convert (psycopg splits and
    rewrites the query for each) than the database spends answering it; integers written as
    literals cannot inject anything. Keep the lists to a few hundred (see the callers' chunks).
    """
    return column.in_(bindparam(None, [int(i) for i in ids], expanding=True, literal_execute=True))


def insert_rows(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Insert many rows at once: COPY on PostgreSQL, one executemany (run in C) on SQLite."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    session.execute(insert(table), rows)


def reserve_ids(
    session: Session, table: Table, first_row: dict[str, object], count: int
) -> list[int]:
    """Ids for ``count`` new rows of ``table``; the first row is inserted here from ``first_row``.

    PostgreSQL hands out a block from the table's sequence. SQLite has one writer at a time and a
    rowid table takes the largest id plus one, so once this transaction has inserted a row, the
    ids after it are ours until commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        ids = sorted(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": count},
            )
        )
        session.execute(insert(table).values(id=ids[0], **first_row))
        return ids
    first = session.scalar(insert(table).values(**first_row).returning(table.c.id))
    return list(range(first, first + count))
