"""Refusals of the restitution programme, each naming the agreement, entry or rule concerned."""

from ledger.errors import N_, CondoError


class RestitutionError(CondoError):
    message_id = "restitution.error"
    template = N_("The restitution operation was refused.")


class InvalidRate(RestitutionError):
    message_id = "restitution.invalid_rate"
    template = N_("Rate of activity %(activity)s: %(problem)s.")


class NoRateInForce(RestitutionError):
    message_id = "restitution.no_rate"
    template = N_(
        "Activity %(activity)s has no rate in force on %(date)s: set one from that date or before."
    )


class AgreementRefused(RestitutionError):
    message_id = "restitution.agreement_refused"
    template = N_("Agreement %(agreement)s: %(problem)s.")


class HoursRefused(RestitutionError):
    message_id = "restitution.hours_refused"
    template = N_("Hours of %(date)s under agreement %(agreement)s: %(problem)s.")


class TransitionRefused(RestitutionError):
    message_id = "restitution.transition_refused"
    template = N_("%(what)s is %(status)s: it cannot be %(action)s (only when %(allowed)s).")


class ReviewerRefused(RestitutionError):
    message_id = "restitution.reviewer_refused"
    template = N_("%(person)s cannot %(action)s hour entry #%(entry)s: %(problem)s.")
