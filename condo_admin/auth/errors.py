"""Refusals about users and logins."""

from ledger.errors import CondoError


class AuthError(CondoError):
    message_id = "auth.error"
    template = "The user operation was refused."


class UserRefused(AuthError):
    message_id = "auth.user_refused"
    template = "User %(username)s: %(problem)s."


class WeakPassword(AuthError):
    message_id = "auth.weak_password"
    template = "The password is too weak: %(problem)s."
