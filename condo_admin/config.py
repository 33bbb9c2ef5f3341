"""Settings, read from the environment with safe defaults for a laptop.

| variable              | default                                      |
|-----------------------|----------------------------------------------|
| CONDO_DATABASE_URL    | sqlite:///<instance>/condo.sqlite             |
| CONDO_SECRET_KEY      | generated once, kept in <instance>/secret_key |
| CONDO_INSTANCE_PATH   | Flask's instance folder                       |
| CONDO_RATELIMIT_STORAGE_URI | memory:// (redis://... to share counts)  |
| CONDO_SECURE_COOKIES  | unset; 1 behind HTTPS                         |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def database_url(instance_path: Path, environ: Mapping[str, str] = os.environ) -> str:
    url = environ.get("CONDO_DATABASE_URL") or f"sqlite:///{instance_path / 'condo.sqlite'}"
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """Send plain ``postgresql://`` URLs through psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: Path, environ: Mapping[str, str] = os.environ) -> str:
    """The configured key, or one generated on first start and kept (mode 0600) from then on.

    Keeping it means sessions survive restarts without anyone having to invent a secret.
    """
    configured = environ.get("CONDO_SECRET_KEY")
    if configured:
        return configured
    path = instance_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_hex(32)
        fh.write(key)
    return key


def load(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    overrides = dict(overrides or {})
    settings: dict[str, Any] = {
        "DATABASE_URL": overrides.pop("DATABASE_URL", None) or database_url(instance_path),
        "SECRET_KEY": overrides.pop("SECRET_KEY", None) or secret_key(instance_path),
        "JSON_SORT_KEYS": False,
        # Login attempts are counted here; Redis lets several server processes share the count.
        "RATELIMIT_STORAGE_URI": os.environ.get("CONDO_RATELIMIT_STORAGE_URI", "memory://"),
        # Behind HTTPS, cookies must only travel over HTTPS.
        "SESSION_COOKIE_SECURE": os.environ.get("CONDO_SECURE_COOKIES", "") == "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("CONDO_SECURE_COOKIES", "") == "1",
    }
    settings["DATABASE_URL"] = normalise_url(settings["DATABASE_URL"])
    settings.update(overrides)
    return settings
