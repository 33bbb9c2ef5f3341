"""Accounting errors: each names the table, budget, category or amount that was refused."""

from ledger.errors import N_, CondoError


class AccountingError(CondoError):
    message_id = "accounting.error"
    template = N_("The accounting operation was refused.")


class CreditorHasBook(AccountingError):
    message_id = "accounting.creditor_has_book"
    template = N_("%(creditor)s already has its book %(book)s.")


class InvalidPeriod(AccountingError):
    message_id = "accounting.invalid_period"
    template = N_("%(value)r is not a period: expected YYYY-MM, e.g. 2025-01.")


class NothingToCharge(AccountingError):
    message_id = "accounting.nothing_to_charge"
    template = N_("Book %(book)s has nothing to charge in %(period)s: %(why)s.")


class InvalidRent(AccountingError):
    message_id = "accounting.invalid_rent"
    template = N_("Rent of unit %(unit)s: %(problem)s.")


class InvalidCharge(AccountingError):
    message_id = "accounting.invalid_charge"
    template = N_("Charge %(charge)s: %(problem)s.")


class SharesDoNotSum(AccountingError):
    message_id = "accounting.shares_sum"
    template = N_("Share table %(table)s: the shares sum to %(total)s thousandths instead of 1000.")


class InvalidShare(AccountingError):
    message_id = "accounting.invalid_share"
    template = N_(
        "Share table %(table)s, unit %(unit)s: %(value)r is not a valid share (%(reason)s)."
    )


class UnitOfAnotherBuilding(AccountingError):
    message_id = "accounting.unit_other_building"
    template = N_("%(what)s %(ref)s: unit %(unit)s is not in building %(building)s.")


class DuplicateShareTable(AccountingError):
    message_id = "accounting.duplicate_share_table"
    template = N_("Building %(building)s already has a share table %(code)r.")


class CategoryWithoutTable(AccountingError):
    message_id = "accounting.category_without_table"
    template = N_("Budget %(budget)s: category %(category)s has no share table.")


class InvalidBudget(AccountingError):
    message_id = "accounting.invalid_budget"
    template = N_("Budget %(budget)s: %(problem)s.")


class BudgetAlreadyApproved(AccountingError):
    message_id = "accounting.budget_approved"
    template = N_("Budget %(budget)s was approved on %(when)s and can no longer change.")


class InvalidPayment(AccountingError):
    message_id = "accounting.invalid_payment"
    template = N_("Payment to %(account)s: %(problem)s.")


class UnknownDebtor(AccountingError):
    message_id = "accounting.unknown_debtor"
    template = N_(
        "No debtor account has the reference or code %(ref)r: give its RF reference "
        "(e.g. RF18 0001 0000 0000 42) or its account code as BOOK:CODE."
    )


class DebtorAccountClosed(AccountingError):
    message_id = "accounting.debtor_closed"
    template = N_(
        "The debtor account %(account)s (%(household)s) was closed on %(closed)s: "
        "a payment on %(date)s cannot go to it."
    )


class DesignatedChargeElsewhere(AccountingError):
    message_id = "accounting.designated_elsewhere"
    template = N_(
        "Entry #%(entry)s is not a charge of %(household)s's account %(account)s%(owner)s: "
        "a payment can only designate its own household's charges."
    )


class DesignatedChargeNotOpen(AccountingError):
    message_id = "accounting.designated_not_open"
    template = N_("Entry #%(entry)s of account %(account)s is %(state)s: it cannot be designated.")


class NotAPayment(AccountingError):
    message_id = "accounting.not_a_payment"
    template = N_("Entry #%(entry)s is not a payment recorded on a debtor account.")


class InvalidIban(AccountingError):
    message_id = "accounting.invalid_iban"
    template = N_(
        "Book %(book)s: %(value)r is not a valid IBAN "
        "(check the country code, the length and the check digits)."
    )
