"""The web shell's protections, wired in one place: login, CSRF, rate limits, headers, languages.

- **Sessions**: flask-login with ``session_protection = "strong"``; the user id in the cookie
  carries the user's ``session_version``, so a password change or a deactivation ends every
  session. Cookies are HttpOnly and SameSite=Lax, and Secure when ``SESSION_COOKIE_SECURE`` is
  set (it should be behind HTTPS; the local demo runs on plain HTTP).
- **CSRF**: Flask-WTF's ``CSRFProtect`` on every POST, forms or not.
- **Rate limits**: Flask-Limiter, in memory by default (``RATELIMIT_STORAGE_URI`` may point to
  Redis so that several workers share counts); the login form allows a few tries a minute.
- **Headers**: a Content-Security-Policy with no third-party origin and no inline script, no
  framing, no MIME sniffing, no referrer to other sites.
- **Languages**: Flask-Babel, Italian by default; the user's language, or the one they chose.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, Response, current_app, g, request, session
from flask_babel import Babel, format_currency, get_locale
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from condo_admin.auth.operations import load_user
from condo_admin.extensions import request_session
from condo_admin.web.paging import page_url

LANGUAGES = ("it", "en")
DEFAULT_LOGIN_LIMIT = "5 per minute; 30 per hour"


def login_limit() -> str:
    """Tries of the login form per client address (``LOGIN_RATE_LIMIT`` in the settings)."""
    return current_app.config.get("LOGIN_RATE_LIMIT", DEFAULT_LOGIN_LIMIT)


login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
bootstrap = Bootstrap5()

_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        # Server-rendered SVG charts carry their own <style>; no script is inline anywhere.
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES) or "it"


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if getattr(g, "private_page", True):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "it")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    # Bootstrap's CSS and JS come from the Bootstrap-Flask package, never from a CDN.
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def _load(user_id: str):  # type: ignore[no-untyped-def]
        return load_user(request_session(), user_id)

    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["money"] = _money
    app.after_request(_headers)


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_currency(value, "EUR")
