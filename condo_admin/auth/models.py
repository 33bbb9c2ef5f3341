"""User accounts and their roles (PRODUCT.md section 2).

A user has one role, and the role decides which scope must be set: staff roles (admin, operator,
supervisor) belong to an agency, a housing body's staff to that body, a resident to a household.
A supervisor is also a person of the registry, since agreements name their supervisor as a
person. Passwords are kept only as werkzeug scrypt hashes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from condo_admin.registry.models import Agency, Household, HousingBody, Person
from ledger.base import Base, enum_column


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    HOUSING_BODY = "housing_body"
    RESIDENT = "resident"


#: The roles that work for an agency (and see it whole, within their rights).
STAFF = (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower case, unique: what people type to log in.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    housing_body_id: Mapped[int | None] = mapped_column(ForeignKey("housing_bodies.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: ``it`` or ``en``: the language of the screens for this user.
    language: Mapped[str] = mapped_column(String(5), default="it")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped when the password changes, so sessions opened before it end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency | None] = relationship()
    housing_body: Mapped[HousingBody | None] = relationship()
    household: Mapped[Household | None] = relationship()
    person: Mapped[Person | None] = relationship()

    # flask-login's user protocol -----------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def actor(self) -> str:
        """How the audit log and the ledger name this user."""
        return f"user:{self.username}"
