"""Imports and exports: spreadsheets, bank statements, housing-body reconciliation and Odoo.

Empty until the imports issue lands; it will post money only through :mod:`ledger.posting`.
"""
