"""Friendly error pages in the user's language; never a traceback.

A 500 is logged with its traceback for the operators of the server and shown to the user as a
short apology with the time, so a report can be matched to the log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

_MESSAGES = {
    400: _l("The request could not be understood. Check what you typed and try again."),
    403: _l("You do not have access to this page."),
    404: _l("This page does not exist, or is not yours to see."),
    405: _l("This page cannot be used that way."),
    413: _l("The file is too large. Send a file of at most 8 MB."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side. It has been noted; please try again later."),
}
_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    413: _l("File too large"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
}


def _page(code: int, message: object | None = None) -> tuple[str, int]:
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=_TITLES.get(code, _TITLES[500]),
            message=message or _MESSAGES.get(code, _MESSAGES[500]),
            at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        ),
        code,
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return _page(400, _l("The form had expired or was sent from elsewhere. Please try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return _page(code if code in _MESSAGES else (400 if code < 500 else 500))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        if isinstance(error, HTTPException):
            return _http(error)
        app.logger.exception("Unhandled error", exc_info=error)
        return _page(InternalServerError.code)
