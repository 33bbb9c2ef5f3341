"""Errors of the ledger, each with a message a person can act on.

Every error carries a stable ``message_id`` and its parameters, so that a face (web page, API,
CLI) can translate it; ``str(error)`` gives the English text with the parameters filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (the ledger knows no locale).

    Babel extracts every ``N_("...")`` into the catalog; a face translates the text it shows,
    e.g. ``condo_admin.web.messages.translated(error)``.
    """
    return message


class Phrase(str):
    """A part of a refusal that is a message of its own: the ``problem``, ``reason`` or
    ``expected`` of a class's template when it names values (``installment %(seq)s is due on
    %(due)s``), as an English template marked with ``N_`` and its parameters.

    It *is* the English text, so ``str(error)`` and the CLI read as with an f-string; a face
    translates ``template`` and fills in ``params`` in the reader's language, as it does for the
    refusal around it (``condo_admin.web.messages``). A fixed text needs no phrase: ``N_("...")``.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Phrase:
        phrase = super().__new__(cls, template % params)
        phrase.template = template
        phrase.params = params
        return phrase

    def __reduce__(self) -> tuple[Any, ...]:
        return (_phrase, (self.template, self.params))


def _phrase(template: str, params: dict[str, Any]) -> Phrase:
    return Phrase(template, **params)


def either(choices: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``: the states or values allowed, each one a code a face
    shows in its own words, joined by words it translates."""
    if len(choices) <= 1:
        return "".join(choices)
    if len(choices) == 2:
        return Phrase(N_("%(one)s or %(other)s"), one=choices[0], other=choices[1])
    return Phrase(N_("%(first)s, %(rest)s"), first=choices[0], rest=either(choices[1:]))


class CondoError(Exception):
    """Base of every domain error in condo-admin: something the user asked for is not allowed."""

    message_id = "error"
    template = N_("The operation was refused.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params

    @property
    def phrase(self) -> Phrase:
        """The message as a part of another refusal (a row of a file, a line of a budget)."""
        return Phrase(self.template, **self.params)


class LedgerError(CondoError):
    message_id = "ledger.error"
    template = N_("The ledger refused the operation.")


class InvalidAmount(LedgerError):
    message_id = "ledger.invalid_amount"
    template = N_("%(field)s: %(value)r is not a valid amount (%(reason)s).")


class InvalidCode(LedgerError):
    message_id = "ledger.invalid_code"
    template = N_(
        "%(field)s: %(value)r is not a valid code (letters, digits, '.', '_' or '-', "
        "starting with a letter or digit, at most %(max)s characters)."
    )


class DuplicateCode(LedgerError):
    message_id = "ledger.duplicate_code"
    template = N_("%(what)s %(code)r already exists%(where)s.")


class EmptyText(LedgerError):
    message_id = "ledger.empty_text"
    template = N_("%(field)s must not be empty.")


class TooFewPostings(LedgerError):
    message_id = "ledger.too_few_postings"
    template = N_("An entry needs at least two postings; got %(count)s.")


class ZeroPosting(LedgerError):
    message_id = "ledger.zero_posting"
    template = N_("Posting %(index)s to account %(account)s has amount 0.00; leave it out.")


class UnbalancedEntry(LedgerError):
    message_id = "ledger.unbalanced"
    template = N_(
        "The entry does not balance: its postings sum to %(total)s instead of 0.00 "
        "(book %(book)s, %(date)s)."
    )


class AccountInOtherBook(LedgerError):
    message_id = "ledger.account_other_book"
    template = N_("Account %(account)s belongs to book %(account_book)s, not to book %(book)s.")


class AccountNotOpen(LedgerError):
    message_id = "ledger.account_not_open"
    template = N_("Account %(account)s is not open on %(date)s (open from %(opened)s%(closed)s).")


class AccountHasBalance(LedgerError):
    message_id = "ledger.account_has_balance"
    template = N_(
        "Account %(account)s cannot be closed on %(date)s: its balance is %(balance)s, "
        "or it has postings after that date."
    )


class BookLocked(LedgerError):
    message_id = "ledger.book_locked"
    template = N_(
        "Book %(book)s is locked up to %(lock_date)s: nothing can be posted or reversed "
        "on %(date)s. Choose a date after %(lock_date)s."
    )


class LockDateBackwards(LedgerError):
    message_id = "ledger.lock_backwards"
    template = N_(
        "The lock date of book %(book)s only moves forward: it is %(current)s, "
        "%(requested)s was asked."
    )


class AlreadyReversed(LedgerError):
    message_id = "ledger.already_reversed"
    template = N_("Entry #%(entry)s was already reversed by entry #%(by)s.")


class ReversalOfReversal(LedgerError):
    message_id = "ledger.reversal_of_reversal"
    template = N_(
        "Entry #%(entry)s is itself the reversal of entry #%(original)s; "
        "post the original again instead of reversing the reversal."
    )


class ReversalBeforeOriginal(LedgerError):
    message_id = "ledger.reversal_before_original"
    template = N_(
        "A reversal cannot be dated %(date)s, before the entry it reverses (%(original)s)."
    )


class IdempotencyConflict(LedgerError):
    message_id = "ledger.idempotency_conflict"
    template = N_(
        "The operation key %(key)r was already used for a different %(operation)s; "
        "a repeated operation must carry exactly the same data."
    )


class NotFound(LedgerError):
    message_id = "ledger.not_found"
    template = N_("%(what)s %(ref)s does not exist.")


class InvalidCursor(LedgerError):
    message_id = "ledger.invalid_cursor"
    template = N_("The page cursor %(cursor)r is not valid.")


class TextTooLong(LedgerError):
    message_id = "ledger.text_too_long"
    template = N_("%(field)s is %(length)s characters long; at most %(max)s are allowed.")


class InvalidDate(LedgerError):
    message_id = "ledger.invalid_date"
    template = N_("%(field)s: %(value)r is not a date.")


class AccountAlreadyClosed(LedgerError):
    message_id = "ledger.account_already_closed"
    template = N_("Account %(account)s was already closed on %(closed)s.")


class NotAnOpenItemAccount(LedgerError):
    message_id = "ledger.not_open_item_account"
    template = N_("Account %(account)s does not track open items: nothing on it can be designated.")


class DesignatedItemElsewhere(LedgerError):
    message_id = "ledger.designated_item_elsewhere"
    template = N_(
        "Posting #%(item)s is not an item of account %(account)s: it cannot be designated."
    )


class DesignatedItemSameSide(LedgerError):
    message_id = "ledger.designated_item_same_side"
    template = N_(
        "Posting #%(item)s of account %(account)s is a %(side)s, like the posting that names it: "
        "a credit settles charges and a charge uses credits."
    )


class DesignatedItemSettled(LedgerError):
    message_id = "ledger.designated_item_settled"
    template = N_("Posting #%(item)s of account %(account)s is already settled.")
