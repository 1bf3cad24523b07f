"""API管理: the gateway's APIs from its OpenAPI document, with scopes, calls and error rates."""

from __future__ import annotations

from flask import current_app, request
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.http.api_catalogue import call_stats, list_operations

routes = Routes()
DAY_CHOICES = (1, 7, 30, 90)


@routes.get("/apis", "apis")
@auth.requires(*roles_of("apis"))
def api_list() -> ResponseReturnValue:
    days = request.args.get("days", type=int)
    days = days if days in DAY_CHOICES else 7
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    listing = list_operations(app, call_stats(app), days)
    groups: dict[str, list[object]] = {}
    for operation in listing.items:
        groups.setdefault(operation.tag, []).append(operation)
    total_calls = sum(op.calls or 0 for op in listing.items)
    total_errors = sum((op.client_errors or 0) + (op.server_errors or 0) for op in listing.items)
    return render(
        "apis/list.html",
        listing=listing,
        groups=groups,
        day_choices=DAY_CHOICES,
        total_calls=total_calls,
        total_errors=total_errors,
        page_title=PAGE["apis"].title(current_lang()),
    )
