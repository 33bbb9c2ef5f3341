"""The residents' portal: a household's balance, statement, plan, hours and documents.

Empty until the portal issue lands; it will be a Flask blueprint on the web foundation.
"""
