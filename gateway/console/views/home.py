"""首页: the alliance at a glance (a department user sees its own figures)."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.dashboard import build_dashboard
from gateway.console.i18n import current_lang
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.roles import DEPARTMENT

routes = Routes()


@routes.get("/", "home")
@auth.requires(*roles_of("home"))
def home() -> ResponseReturnValue:
    current = auth.user()
    member_code = current.member_code if current.role is DEPARTMENT else None
    container = auth.container()
    board = build_dashboard(container, member_code)
    member = container.members.index.get(member_code) if member_code else None
    return render_template(
        "home.html", board=board, member=member, page_title=PAGE["home"].title(current_lang())
    )


@routes.get("/<path:unknown>", "not_found")
def not_found(unknown: str) -> ResponseReturnValue:
    """Any other address under /console: the console's own 404 page, not the API's JSON."""
    abort(404)
