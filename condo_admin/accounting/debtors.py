"""Finding who owes a charge: the occupancies of units over a period and their debtor accounts.

Shared by every operation that charges units (charge runs, year-end adjustments, one-off
charges), each of which loads what it needs in a few queries rather than one per unit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from condo_admin.accounting.books import book_account, debtor_account
from condo_admin.accounting.models import DebtorAccount
from condo_admin.registry.models import Occupancy
from ledger.errors import NotFound
from ledger.models import Account, AccountKind, Book
from ledger.posting import open_account


def income_code(category: str) -> str:
    return f"INC.{category}"


class Debtors:
    def __init__(self, session: Session, book: Book, actor: str) -> None:
        self.session, self.book, self.actor = session, book, actor
        self._accounts: dict[int, Account] | None = None
        self._income: dict[str, Account] = {}

    def occupancies(
        self, unit_ids: list[int], first: date, last: date
    ) -> dict[int, list[Occupancy]]:
        """Per unit, the occupancies sharing at least a day with ``[first, last]``, oldest first."""
        found: dict[int, list[Occupancy]] = defaultdict(list)
        query = select(Occupancy).where(
            Occupancy.unit_id.in_(unit_ids),
            Occupancy.start_date <= last,
            (Occupancy.end_date.is_(None)) | (Occupancy.end_date >= first),
        )
        for occupancy in self.session.scalars(query.order_by(Occupancy.start_date)):
            found[occupancy.unit_id].append(occupancy)
        return found

    def occupants_on(self, unit_ids: list[int], day: date) -> dict[int, Occupancy]:
        """Who lived in each unit on ``day``; vacant units are absent."""
        return {
            unit_id: occupancies[0]
            for unit_id, occupancies in self.occupancies(unit_ids, day, day).items()
        }

    def account(self, occupancy: Occupancy) -> Account:
        """The debtor account of ``occupancy`` in this book, opened on first use."""
        if self._accounts is None:
            rows = self.session.execute(
                select(DebtorAccount.occupancy_id, Account)
                .join(Account, Account.id == DebtorAccount.account_id)
                .where(DebtorAccount.book_id == self.book.id)
            )
            self._accounts = {occupancy_id: account for occupancy_id, account in rows}
        account = self._accounts.get(occupancy.id)
        if account is None:
            account = debtor_account(self.session, self.book, occupancy, actor=self.actor).account
            self._accounts[occupancy.id] = account
        return account

    def income(self, category: str, *, open_as: tuple[str, date] | None = None) -> Account:
        """The account ``INC.<category>``; with ``open_as=(name, date)`` opened when missing."""
        code = income_code(category)
        if code not in self._income:
            try:
                account = book_account(self.session, self.book, code)
            except NotFound:
                if open_as is None:
                    raise
                name, opened_on = open_as
                account = open_account(
                    self.session, self.book, code, name, AccountKind.INCOME, opened_on=opened_on
                )
            self._income[code] = account
        return self._income[code]
