"""Condominium accounting on top of the ledger: creditor books and debtor accounts."""
