"""condo-admin: social condominium administration.

The application package: the Flask app factory, configuration, the command line and the
condominium domain (registry, accounting, audit). The ledger core lives apart in :mod:`ledger`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("condo-admin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def create_app(config=None):  # type: ignore[no-untyped-def]
    """Build the WSGI application; ``config`` overrides settings (see :mod:`condo_admin.config`)."""
    from condo_admin.app import create_app as factory

    return factory(config)


__all__ = ["__version__", "create_app"]
