"""审计日志: search the access log, verify a record against the chain, export to Excel.

A department user sees the accesses where it is the consumer or the provider, and exports
only those; exports are visible to whoever requested them, the administrator and auditors.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import abort, jsonify, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue

from gateway.audit.records import RecordQuery
from gateway.console import auth
from gateway.console.audit import FAILED, OK
from gateway.console.evidence_check import verify_access
from gateway.console.i18n import current_lang
from gateway.console.page_text import render, translate
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.roles import ADMIN, AUDITOR, DEPARTMENT
from gateway.errors import GatewayError

routes = Routes()
PAGE_SIZE = 50
DECISIONS = ("allowed", "denied", "failed", "pending")
ANCHORING = ("anchored", "pending")
FILTERS = ("from", "to", "consumer", "provider", "entry_id", "decision", "anchoring", "after")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str, *, end: bool = False) -> datetime | None:
    """The UTC moment a day of the ``timezone`` setting begins (with ``end``: ends)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), auth.container().settings.zone).astimezone(UTC)


def _own_member() -> str | None:
    current = auth.user()
    return current.member_code or "" if current.role is DEPARTMENT else None


def _search(args: dict[str, str]) -> list[dict[str, Any]]:
    after = int(args["after"]) if args["after"].isdigit() else None
    base = RecordQuery(
        start=_day(args["from"]),
        end=_day(args["to"], end=True),
        consumer=args["consumer"] or None,
        provider=args["provider"] or None,
        entry_id=args["entry_id"] or None,
        decision=args["decision"] if args["decision"] in DECISIONS else None,
        anchoring=args["anchoring"] if args["anchoring"] in ANCHORING else None,
        after=after,
        limit=PAGE_SIZE + 1,
    )
    log = auth.container().audit_log
    member = _own_member()
    if member is None:
        return log.find(base)
    found: dict[int, dict[str, Any]] = {}
    for side in ("consumer", "provider"):
        asked = getattr(base, side)
        if asked not in (None, member):
            continue
        query = RecordQuery(**{**base.__dict__, side: member})
        found.update((row["id"], row) for row in log.find(query))
    return [found[key] for key in sorted(found)][: PAGE_SIZE + 1]


@routes.get("/audit", "audit")
@auth.requires(*roles_of("audit"))
def audit_list() -> ResponseReturnValue:
    args = {name: request.args.get(name, "").strip()[:64] for name in FILTERS}
    found = _search(args)
    page, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    next_args = {k: v for k, v in args.items() if v and k != "after"}
    if more:
        next_args["after"] = str(page[-1]["id"])
    today = datetime.now(auth.container().settings.zone).date()
    return render(
        "audit/list.html",
        records=page,
        args=args,
        next_args=next_args if more else None,
        decisions=DECISIONS,
        anchorings=ANCHORING,
        department=_own_member() is not None,
        export_from=args["from"] or (today - timedelta(days=30)).isoformat(),
        export_to=args["to"] or today.isoformat(),
        exports=_visible_exports(),
        page_title=PAGE["audit"].title(current_lang()),
    )


def _evidence(request_id: str) -> dict[str, Any]:
    evidence: dict[str, Any] = auth.container().evidence.evidence(request_id)
    member = _own_member()
    if member is not None and member not in (evidence["consumer"], evidence["provider"]):
        abort(404)
    return evidence


@routes.get("/audit/<request_id>", "audit_detail")
@auth.requires(*roles_of("audit"))
def audit_detail(request_id: str) -> ResponseReturnValue:
    return render("audit/detail.html", evidence=_evidence(request_id), report=None, verified=False)


@routes.post("/audit/<request_id>/verify", "audit_verify")
@auth.requires(*roles_of("audit"))
def audit_verify(request_id: str) -> ResponseReturnValue:
    evidence = _evidence(request_id)
    report = verify_access(auth.container(), evidence)
    outcome = OK if report is not None and report.ok else FAILED
    failure = report.first_failure if report is not None else None
    auth.record("audit_verify", outcome, request_id, failure.name if failure else "")
    return render("audit/detail.html", evidence=evidence, report=report, verified=True)


# -- exports ---------------------------------------------------------------------------------


def _requester() -> str:
    return f"console:{auth.user().username}"


def _visible_exports() -> list[dict[str, Any]]:
    if auth.user().role in (ADMIN, AUDITOR):
        return list(auth.container().audit_exports.list(limit=20))
    return list(auth.container().audit_exports.list(_requester(), limit=20))


def _export(export_id: str) -> dict[str, Any]:
    status: dict[str, Any] = auth.container().audit_exports.status(export_id)
    if auth.user().role not in (ADMIN, AUDITOR) and status["requested_by"] != _requester():
        abort(404)
    return status


@routes.post("/audit/exports", "audit_export_start")
@auth.requires(*roles_of("audit"))
def audit_export_start() -> ResponseReturnValue:
    start = _day(request.form.get("from", ""))
    end = _day(request.form.get("to", ""), end=True)
    member = _own_member() or request.form.get("member", "").strip()[:16] or None
    query = {"from": start, "to": end, "member": member}
    try:
        export_id = auth.container().audit_exports.start(query, requested_by=_requester())
    except GatewayError as exc:
        auth.record("audit_export", FAILED, "", f"{exc.code}: {exc.detail}")
        return render("audit/export.html", status=None, error=exc.detail), exc.status
    auth.record("audit_export", OK, export_id, f"{start} .. {end} {member or ''}".strip())
    return redirect(url_for("console.audit_export", export_id=export_id))


@routes.get("/audit/exports/<export_id>", "audit_export")
@auth.requires(*roles_of("audit"))
def audit_export(export_id: str) -> ResponseReturnValue:
    return render("audit/export.html", status=_export(export_id), error=None)


@routes.get("/audit/exports/<export_id>/status", "audit_export_status")
@auth.requires(*roles_of("audit"))
def audit_export_status(export_id: str) -> ResponseReturnValue:
    status = _export(export_id)
    state = status["state"]
    done = state == "done"
    return jsonify(
        state="done" if done else "failed" if state == "failed" else "running",
        done=status["rows_done"],
        total=status["rows_total"] or 0,
        message=f"{translate('export_state_' + state)} · {status['rows_done']}"
        f"/{status['rows_total'] or '?'} {translate('rows')}"
        + (f" · {status['error']}" if status["error"] else ""),
        href=url_for("console.audit_export_download", export_id=export_id) if done else None,
    )


@routes.get("/audit/exports/<export_id>/download", "audit_export_download")
@auth.requires(*roles_of("audit"))
def audit_export_download(export_id: str) -> ResponseReturnValue:
    status = _export(export_id)
    content = auth.container().audit_exports.content(export_id)
    auth.record("audit_export_download", OK, export_id, status["file_name"] or "")
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX,
        as_attachment=True,
        download_name=status["file_name"] or f"{export_id}.xlsx",
        max_age=0,
    )
