"""登录 and sign-out."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from gateway.console import auth
from gateway.console.audit import OK, REFUSED
from gateway.console.errors import AccountLocked, LoginRefused
from gateway.console.pages import Routes

routes = Routes()


def _safe_next(target: str | None) -> str:
    """Only a path inside the console; anything else (another host, ``//x``) goes home."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return url_for("console.home")


@routes.get("/login", "login")
def login_form() -> ResponseReturnValue:
    if auth.signed_in():
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=None, username="", next=request.args.get("next"))


@routes.post("/login", "login_submit")
def login_submit() -> ResponseReturnValue:
    services = auth.services()
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    next_url = request.args.get("next")
    try:
        account = services.accounts.authenticate(username, password)
    except LoginRefused as exc:
        locked = isinstance(exc, AccountLocked)
        services.audit.record(
            username=username or "-",
            role="-",
            action="login_locked" if exc.extra.get("locked") else "login",
            outcome=REFUSED,
            target=username,
            detail=exc.detail,
            ip=auth.client_ip(),
        )
        error = "login_locked" if locked else "login_failed"
        return render_template("login.html", error=error, username=username, next=next_url), 401
    session.clear()  # nothing set before sign-in survives it
    token = services.sessions.open(account.id, auth.client_ip())
    login_user(auth.ConsoleUser(account, token))
    session.permanent = True
    auth.record("login", OK, account.username)
    return redirect(_safe_next(next_url))


@routes.post("/logout", "logout")
def logout() -> ResponseReturnValue:
    if auth.signed_in():
        current = auth.user()
        auth.record("logout", OK, current.username)
        auth.services().sessions.close(current.token)
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))
