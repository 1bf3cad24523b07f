"""控制台操作日志: the admin audit log (every console action), for administrators and auditors."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.audit import FAILED, OK, REFUSED, AdminActionQuery
from gateway.console.pages import Routes
from gateway.console.roles import ADMIN, AUDITOR

routes = Routes()
PAGE_SIZE = 100


@routes.get("/audit/console-actions", "admin_actions")
@auth.requires(ADMIN, AUDITOR)
def admin_actions() -> ResponseReturnValue:
    outcome = request.args.get("outcome", "")
    before = request.args.get("before", "")
    query = AdminActionQuery(
        username=request.args.get("username", "").strip()[:64] or None,
        action=request.args.get("action", "").strip()[:64] or None,
        outcome=outcome if outcome in (OK, REFUSED, FAILED) else None,
        before=int(before) if before.isdigit() else None,
        limit=PAGE_SIZE,
    )
    found = auth.services().audit.find(query)
    return render_template(
        "admin_actions.html",
        actions=found,
        query=query,
        outcomes=(OK, REFUSED, FAILED),
        next_before=found[-1].id if len(found) == PAGE_SIZE else None,
    )
