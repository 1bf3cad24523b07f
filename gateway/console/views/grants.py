"""授权管理: access applications and grants; the administrator approves, rejects, revokes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from gateway.catalog.actors import Actor
from gateway.catalog.errors import GrantNotFound
from gateway.catalog.model import Grant, GrantStatus
from gateway.catalog.ports import GrantQuery
from gateway.console import auth
from gateway.console.audit import FAILED, OK
from gateway.console.i18n import current_lang, translate
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.roles import ADMIN, DEPARTMENT
from gateway.errors import GatewayError

routes = Routes()
OFFICE = "GAO"
NEEDS_REASON = frozenset({"reject", "revoke"})


def _actor() -> Actor:
    """The office for administrators and auditors; the member itself for a department user."""
    current = auth.user()
    label = f"console:{current.username}"
    if current.role is DEPARTMENT:
        return Actor(member=current.member_code or "", is_office=False, label=label)
    return Actor(member=OFFICE, is_office=True, label=label)


def _grant(grant_id: str) -> Grant:
    try:
        return auth.container().grants.get(grant_id, _actor())
    except GrantNotFound:
        abort(404)


def _code(name: str) -> str:
    return request.args.get(name, "").strip().upper()[:16]


@routes.get("/grants", "grants")
@auth.requires(*roles_of("grants"))
def grant_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    entry_id = request.args.get("entry_id", "").strip()[:32]
    query = GrantQuery(
        consumer=_code("consumer") or None,
        provider=_code("provider") or None,
        entry_id=entry_id or None,
        status=GrantStatus(status) if status in {s.value for s in GrantStatus} else None,
        limit=500,
    )
    grants = auth.container().grants.find(query, _actor())
    return render_template(
        "grants/list.html",
        grants=grants,
        statuses=[s.value for s in GrantStatus],
        status=status,
        consumer=query.consumer or "",
        provider=query.provider or "",
        entry_id=entry_id,
        page_title=PAGE["grants"].title(current_lang()),
    )


@routes.get("/grants/<grant_id>", "grant_detail")
@auth.requires(*roles_of("grants"))
def grant_detail(grant_id: str) -> ResponseReturnValue:
    grant = _grant(grant_id)
    return render_template(
        "grants/detail.html",
        grant=grant,
        events=_events(grant_id),
        can_act=auth.user().role is ADMIN,
        today=datetime.now(auth.container().settings.zone).date().isoformat(),
    )


def _events(grant_id: str) -> list[dict[str, Any]]:
    index: Any = auth.container().grants.index
    return list(index.events(grant_id))


def _expiry(value: str) -> datetime | None:
    """A date from the form, as the end of that day in the ``timezone`` setting's zone."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    zone = auth.container().settings.zone
    return datetime.combine(day, time(23, 59, 59), zone).astimezone(UTC)


@routes.post("/grants/<grant_id>/<action>", "grant_action")
@auth.requires(ADMIN)
def grant_action(grant_id: str, action: str) -> ResponseReturnValue:
    if action not in ("approve", "reject", "revoke"):
        abort(404)
    _grant(grant_id)
    service = auth.container().grants
    actor = _actor()
    reason = request.form.get("reason", "").strip()[:500]
    back = redirect(url_for("console.grant_detail", grant_id=grant_id))
    if action in NEEDS_REASON and not reason:
        auth.record(f"grant_{action}", FAILED, grant_id, "a reason is required")
        flash(translate("reason_required"), "error")
        return back
    try:
        if action == "approve":
            fields = request.form.getlist("fields")
            expiry = _expiry(request.form.get("expires_at", ""))
            service.approve(grant_id, fields or None, expiry, actor)
            detail = (
                f"fields={','.join(fields) or '*'} expires={expiry.isoformat() if expiry else '-'}"
            )
        else:
            getattr(service, action)(grant_id, reason, actor)
            detail = reason
    except GatewayError as exc:
        auth.record(f"grant_{action}", FAILED, grant_id, f"{exc.code}: {exc.detail}")
        flash(f"{translate('error')}: {exc.detail}", "error")
        return back
    auth.record(f"grant_{action}", OK, grant_id, detail)
    flash(translate("done"), "ok")
    return back
