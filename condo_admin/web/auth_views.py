"""Logging in and out, and choosing the language of the screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from condo_admin.auth.operations import authenticate
from condo_admin.extensions import request_session
from condo_admin.web.access import EVERYONE, public, roles
from condo_admin.web.admin_views import home_for
from condo_admin.web.security import LANGUAGES, limiter, login_limit

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@public
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if form.validate_on_submit():
        db = request_session()
        user = authenticate(db, form.username.data or "", form.password.data or "")
        if user is None:
            db.rollback()
            flash(_l("Wrong username or password."), "danger")
        else:
            db.commit()
            language = session.get("lang")
            session.clear()  # a new session for the logged-in user (no fixation)
            if language:
                session["lang"] = language
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@roles(*EVERYONE)
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_l("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
@public
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.login"))
