"""Refusals of the restitution programme, each naming the agreement, entry or rule concerned."""

from ledger.errors import CondoError


class RestitutionError(CondoError):
    message_id = "restitution.error"
    template = "The restitution operation was refused."


class InvalidRate(RestitutionError):
    message_id = "restitution.invalid_rate"
    template = "Rate of activity %(activity)s: %(problem)s."


class NoRateInForce(RestitutionError):
    message_id = "restitution.no_rate"
    template = (
        "Activity %(activity)s has no rate in force on %(date)s: set one from that date or before."
    )


class AgreementRefused(RestitutionError):
    message_id = "restitution.agreement_refused"
    template = "Agreement %(agreement)s: %(problem)s."


class HoursRefused(RestitutionError):
    message_id = "restitution.hours_refused"
    template = "Hours of %(date)s under agreement %(agreement)s: %(problem)s."


class TransitionRefused(RestitutionError):
    message_id = "restitution.transition_refused"
    template = "%(what)s is %(status)s: it cannot be %(action)s (only when %(allowed)s)."


class ReviewerRefused(RestitutionError):
    message_id = "restitution.reviewer_refused"
    template = "%(person)s cannot %(action)s hour entry #%(entry)s: %(problem)s."
