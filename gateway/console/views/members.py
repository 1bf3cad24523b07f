"""成员管理: members and their lifecycle; the administrator acts, everyone else reads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.audit import FAILED, OK
from gateway.console.i18n import current_lang, translate
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.roles import ADMIN, DEPARTMENT
from gateway.errors import GatewayError
from gateway.members.model import Member, MemberStatus
from gateway.members.ports import MemberQuery

routes = Routes()
ACTIONS = ("approve", "suspend", "reinstate", "revoke")
NEEDS_REASON = frozenset({"suspend", "revoke"})


def actor_label() -> str:
    return f"console:{auth.user().username}"


def _visible(code: str) -> Member:
    """The member, if the signed-in user may see it (a department user: only its own)."""
    current = auth.user()
    if current.role is DEPARTMENT and current.member_code != code:
        abort(404)
    member = auth.container().members.index.get(code)
    if member is None:
        abort(404)
    return member


@routes.get("/members", "members")
@auth.requires(*roles_of("members"))
def member_list() -> ResponseReturnValue:
    current = auth.user()
    status_name = request.args.get("status", "")
    text = request.args.get("q", "").strip()[:100]
    status = MemberStatus(status_name) if status_name in {s.value for s in MemberStatus} else None
    if current.role is DEPARTMENT:
        own = auth.container().members.index.get(current.member_code or "")
        found = [own] if own is not None else []
    else:
        query = MemberQuery(status=status, text=text or None, limit=500)
        found = auth.container().members.find(query)
    return render_template(
        "members/list.html",
        members=found,
        statuses=[s.value for s in MemberStatus],
        status=status_name,
        q=text,
        page_title=PAGE["members"].title(current_lang()),
    )


@routes.get("/members/<code>", "member_detail")
@auth.requires(*roles_of("members"))
def member_detail(code: str) -> ResponseReturnValue:
    member = _visible(code)
    history = auth.container().members.history(code)
    return render_template(
        "members/detail.html",
        member=member,
        history=history,
        actions=_possible_actions(member) if auth.user().role is ADMIN else [],
        needs_reason=NEEDS_REASON,
        credentials=None,
    )


def _possible_actions(member: Member) -> list[str]:
    from gateway.members.errors import IllegalTransition
    from gateway.members.model import Action, next_status

    possible = []
    for name in ACTIONS:
        try:
            next_status(Action(name), member.status)
        except IllegalTransition:
            continue
        possible.append(name)
    return possible


@routes.post("/members/<code>/<action>", "member_action")
@auth.requires(ADMIN)
def member_action(code: str, action: str) -> ResponseReturnValue:
    if action not in ACTIONS:
        abort(404)
    _visible(code)
    reason = request.form.get("reason", "").strip()[:500]
    if action in NEEDS_REASON and not reason:
        auth.record(f"member_{action}", FAILED, code, "a reason is required")
        flash(translate("reason_required"), "error")
        return redirect(url_for("console.member_detail", code=code))
    service = auth.container().members
    try:
        if action == "approve":
            member, credentials = service.approve(code, actor_label(), reason)
        else:
            member = getattr(service, action)(code, actor_label(), reason)
            credentials = None
    except GatewayError as exc:
        auth.record(f"member_{action}", FAILED, code, f"{exc.code}: {exc.detail}")
        flash(f"{translate('error')}: {exc.detail}", "error")
        return redirect(url_for("console.member_detail", code=code))
    auth.record(f"member_{action}", OK, code, reason)
    if credentials is not None:
        # The client secret exists only in this answer; the page shows it once.
        return render_template(
            "members/detail.html",
            member=member,
            history=service.history(code),
            actions=_possible_actions(member),
            needs_reason=NEEDS_REASON,
            credentials=credentials,
        )
    flash(translate("done"), "ok")
    return redirect(url_for("console.member_detail", code=code))
