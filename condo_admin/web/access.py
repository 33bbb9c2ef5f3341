"""Role checks on every view: anonymous users go to the login page, the wrong role gets 403.

Each protected view names the roles it admits with :func:`roles`; the set is kept on the view
function (``allowed_roles``) so that the authorization matrix test can compare every route of the
application with what it expects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from condo_admin.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])

EVERYONE = tuple(Role)
STAFF = (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR)
DESK = (Role.ADMIN, Role.OPERATOR)


def roles(*allowed: Role) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        protected = login_required(guarded)
        protected.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return protected  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """A view anyone may open (the login page, health checks)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view
