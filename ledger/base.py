"""The one declarative base shared by every package of condo-admin.

It lives in the lowest layer so that ``ledger`` never has to import anything of ours, and every
other package can hang its tables on the same metadata (one Alembic history for the whole schema).
The naming convention gives every constraint a stable name, which keeps migrations reproducible on
SQLite and PostgreSQL alike.
"""

import enum

from sqlalchemy import BigInteger, Enum, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: 64-bit identifiers on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def enum_column(cls: type[enum.Enum], length: int = 24) -> Enum:
    """An enum stored as its plain string value (no native type): portable and easy to migrate."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
