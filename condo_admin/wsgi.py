"""The application for a production WSGI server: ``gunicorn -w 2 condo_admin.wsgi:app``.

Configured from the environment (``CONDO_DATABASE_URL``, ``CONDO_SECRET_KEY``, … see
:mod:`condo_admin.config`). The objects made at start-up (the application, its templates and
metadata) are frozen out of the garbage collector's sight: they live as long as the process, and
without this every full collection walks them again, which showed as the slowest requests of the
benchmarks (benchmarks/README.md).
"""

from __future__ import annotations

import gc

from condo_admin.app import create_app

app = create_app()
gc.collect()
gc.freeze()
