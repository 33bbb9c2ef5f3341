"""Who may do what: user accounts, roles and their scopes, passwords, login."""
