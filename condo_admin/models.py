"""Every table of condo-admin, imported in one place so the metadata is complete.

Alembic's autogenerate and the schema test compare the migrations against ``Base.metadata`` as
this module leaves it.
"""

from condo_admin.accounting.models import BookPurpose, CreditorBook, DebtorAccount
from condo_admin.audit.models import AuditEvent
from condo_admin.registry.models import (
    Agency,
    Building,
    Household,
    HouseholdMember,
    HousingBody,
    Occupancy,
    Person,
    Staircase,
    Unit,
)
from ledger.models import Account, Base, Book, JournalEntry, LockEvent, OperationKey, Posting

__all__ = [
    "Account",
    "Agency",
    "AuditEvent",
    "Base",
    "Book",
    "BookPurpose",
    "Building",
    "CreditorBook",
    "DebtorAccount",
    "Household",
    "HouseholdMember",
    "HousingBody",
    "JournalEntry",
    "LockEvent",
    "Occupancy",
    "OperationKey",
    "Person",
    "Posting",
    "Staircase",
    "Unit",
]
