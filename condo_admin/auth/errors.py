"""Refusals about users and logins."""

from ledger.errors import N_, CondoError


class AuthError(CondoError):
    message_id = "auth.error"
    template = N_("The user operation was refused.")


class UserRefused(AuthError):
    """``field`` (when given) names what was wrong, so a form can show it next to that field;
    without it the problem is the user's scope (agency, body, household, person)."""

    message_id = "auth.user_refused"
    template = N_("User %(username)s: %(problem)s.")

    @property
    def field(self) -> str:
        return str(self.params.get("field", "scope"))


class WeakPassword(AuthError):
    message_id = "auth.weak_password"
    template = N_("The password is too weak: %(problem)s.")
    field = "password"
