"""``python -m condo_admin`` is the ``condo`` command."""

from condo_admin.cli import main

main()
