"""Refusals of the advice desk, each naming the plan, case, household or letter concerned."""

from ledger.errors import N_, CondoError


class DeskError(CondoError):
    message_id = "desk.error"
    template = N_("The advice desk refused the operation.")


class BudgetRefused(DeskError):
    message_id = "desk.budget_refused"
    template = N_("Household budget of %(household)s: %(problem)s.")


class PlanRefused(DeskError):
    message_id = "desk.plan_refused"
    template = N_("Repayment plan %(plan)s: %(problem)s.")


class DebtAboveArrears(DeskError):
    message_id = "desk.debt_above_arrears"
    template = N_(
        "Repayment plan %(plan)s: the stated debt of %(debt)s is larger than the arrears of "
        "household %(household)s in book %(book)s on %(date)s (%(arrears)s). Give an override "
        "note saying why, or state the debt the ledger shows."
    )


class PlanTransitionRefused(DeskError):
    message_id = "desk.plan_transition_refused"
    template = N_(
        "Repayment plan %(plan)s is %(status)s: it cannot be %(action)s (only when %(allowed)s)."
    )


class CaseRefused(DeskError):
    message_id = "desk.case_refused"
    template = N_("Case %(case)s: %(problem)s.")


class LettersRefused(DeskError):
    message_id = "desk.letters_refused"
    template = N_("No letter was written: %(problem)s.")
