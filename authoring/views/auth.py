"""Signing in and out. Failed attempts are counted per account and address (see
``authoring.ratelimit``); the session is a signed, HttpOnly, SameSite cookie holding only the
account's number and a fingerprint of its password hash."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for

from authoring.accounts import find_user, normal_email
from authoring.app import session_version
from authoring.context import current_user, db
from authoring.credentials import check_password
from authoring.ratelimit import clear_failures, record_failure, wait_seconds

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in link must not send anyone elsewhere afterwards."""
    if not target:
        return url_for("editor.course_list")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("editor.course_list")
    return target


@blueprint.get("/signin")
def signin() -> Any:
    if current_user() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("signin.html", error=None, email="", next=request.args.get("next", ""))


@blueprint.post("/signin")
def signin_post() -> Any:
    email = normal_email(request.form.get("email", ""))
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    next_page = request.form.get("next", "")
    session_ = db()
    wait = wait_seconds(session_, email, address)
    if wait:
        minutes = (wait + 59) // 60
        error = f"Too many failed sign-ins for {email}. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        return render_template("signin.html", error=error, email=email, next=next_page), 429
    user = find_user(session_, email)
    if user is None or not check_password(user.password_hash, password):
        record_failure(session_, email, address)
        session_.commit()
        error = "That email and password do not match an account."
        return render_template("signin.html", error=error, email=email, next=next_page), 401
    clear_failures(session_, email, address)
    session_.commit()
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["pv"] = session_version(user)
    return redirect(_safe_next(next_page))


@blueprint.post("/signout")
def signout() -> Any:
    session.clear()
    return redirect(url_for("auth.signin"))
