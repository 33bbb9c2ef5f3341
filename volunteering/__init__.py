"""Community-service restitution: activities, rates, agreements, hour entries and their credit.

Empty until the restitution issue lands; it will post credit only through :mod:`ledger.posting`.
"""
