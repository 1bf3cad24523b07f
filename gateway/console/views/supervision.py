"""监督案件: the case list (with escalations), a case's timeline checked against the chain
with the steps the signed-in user may take, the rules, and the cases workbook.

An administrator acts as the supervising office (``supervision.office``); a department user
acts as its own member, on its own cases only. Every step is signed on chain by that member.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.audit import FAILED, OK
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, roles_of
from gateway.console.pages import Routes as _Routes
from gateway.console.roles import ADMIN, AUDITOR, DEPARTMENT, OPERATOR
from gateway.errors import GatewayError
from gateway.supervision.model import CaseStatus
from gateway.supervision.rules import RULE_NAMES, RULES
from gateway.supervision.store import CaseQuery

routes = _Routes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT: dict[str, tuple[str, str]] = {
    "case": ("案件", "Case"),
    "rule": ("规则", "Rule"),
    "department": ("责任部门", "Department"),
    "status": ("状态", "Status"),
    "opened_at": ("立案时间", "Opened"),
    "due_at": ("整改期限", "Due"),
    "source": ("来源", "Source"),
    "source_rule": ("规则触发", "rule"),
    "source_hand": ("人工立案", "by hand"),
    "notices": ("逾期提醒", "Escalations"),
    "run_now": ("立即执行监督规则", "Run the rules now"),
    "export": ("导出 Excel", "Export to Excel"),
    "timeline": ("流转记录", "Timeline"),
    "evidence": ("证据", "Evidence"),
    "evidence_hash": ("证据摘要", "Evidence hash"),
    "roots": ("存证批次根", "Evidence roots"),
    "receipts": ("回执(请求编号)", "Receipts (request ids)"),
    "actor": ("操作成员", "Member"),
    "note": ("说明", "Note"),
    "at": ("链上时间", "Chain time"),
    "tx_hash": ("交易哈希", "Transaction"),
    "block": ("区块", "Block"),
    "chain_check": ("链上核验", "Checked on chain"),
    "passed": ("通过", "verified"),
    "failed": ("不通过", "does not verify"),
    "order": ("下达整改", "Order rectification"),
    "rectify": ("开始整改", "Start rectifying"),
    "report": ("反馈整改", "Report back"),
    "accept": ("验收通过", "Accept"),
    "reopen": ("退回重办", "Reopen"),
    "enabled": ("启用", "Enabled"),
    "description": ("说明", "Description"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "all": ("全部", "All"),
    "filter": ("筛选", "Filter"),
    "back": ("返回", "Back"),
    "none": ("无", "none"),
}
STATUS_EN = {status: status.value for status in CaseStatus}


def _t(key: str) -> str:
    zh, en = TEXT.get(key, (key, key))
    return en if current_lang() == "en" else zh


def _status(status: CaseStatus) -> str:
    return STATUS_EN[status] if current_lang() == "en" else status.label_zh


def _acting_member() -> str | None:
    """Who the signed-in user acts as: the office (administrator) or its own department."""
    user = auth.user()
    if user.role is ADMIN:
        return str(auth.container().settings.supervision.office)
    if user.role is DEPARTMENT:
        return user.member_code
    return None


def _visible(case: Any) -> Any:
    user = auth.user()
    if user.role is DEPARTMENT and case.department != user.member_code:
        abort(404)
    return case


def _page(template: str, **context: Any) -> str:
    return render(
        template,
        s=_t,
        status_label=_status,
        rule_names=RULE_NAMES,
        statuses=list(CaseStatus),
        **context,
    )


@routes.get("/supervision", "supervision")
@auth.requires(*roles_of("supervision"))
def case_list() -> ResponseReturnValue:
    user = auth.user()
    status = request.args.get("status") or None
    if status not in {s.value for s in CaseStatus}:
        status = None
    department = user.member_code if user.role is DEPARTMENT else None
    service = auth.container().supervision
    return _page(
        "supervision/list.html",
        cases=service.find(CaseQuery(status=status, department=department, limit=200)),
        notices=[] if user.role is DEPARTMENT else service.notices(20),
        chosen=status or "",
        may_run=user.role in (ADMIN, OPERATOR),
        may_export=user.role in (ADMIN, AUDITOR),
        page_title=PAGE["supervision"].title(current_lang()),
    )


@routes.get("/supervision_rules", "supervision_rules")
@auth.requires(*roles_of("supervision_rules"))
def rule_list() -> ResponseReturnValue:
    settings = auth.container().settings.supervision
    return _page(
        "supervision/rules.html",
        rules=RULES,
        disabled=settings.disabled_rules,
        settings=settings,
        page_title=PAGE["supervision_rules"].title(current_lang()),
    )


@routes.get("/supervision/cases/<case_id>", "supervision_case")
@auth.requires(*roles_of("supervision"))
def case_detail(case_id: str) -> ResponseReturnValue:
    container = auth.container()
    try:
        case = _visible(container.supervision.get(case_id))
    except GatewayError:
        abort(404)
    try:
        verification = container.verify_supervision_case(case)
        checks = {step.index: step for step in verification.steps}
    except GatewayError as exc:
        verification, checks = None, {}
        flash(f"{exc.code}: {exc.detail}", "error")
    member = _acting_member()
    office = container.settings.supervision.office
    actions = []
    if member == office:
        actions = {
            CaseStatus.OPEN: ["order"],
            CaseStatus.REOPENED: ["order"],
            CaseStatus.OVERDUE: ["order"],
            CaseStatus.REPORTED: ["accept", "reopen"],
        }.get(case.status, [])
    elif member == case.department:
        actions = {
            CaseStatus.ORDERED: ["rectify"],
            CaseStatus.RECTIFYING: ["report"],
            CaseStatus.OVERDUE: ["report"],
        }.get(case.status, [])
    return _page(
        "supervision/detail.html",
        case=case,
        verification=verification,
        checks=checks,
        actions=actions,
        page_title=f"{_t('case')} {case.title}",
    )


@routes.post("/supervision/cases/<case_id>/step", "supervision_step")
@auth.requires(ADMIN, DEPARTMENT)
def case_step(case_id: str) -> ResponseReturnValue:
    action = request.form.get("action", "")
    note = request.form.get("note", "")[:4000]
    due: datetime | None = None
    if request.form.get("due"):
        try:
            due = datetime.combine(
                datetime.fromisoformat(request.form["due"]).date(), time.max, UTC
            )
        except ValueError:
            flash(f"{_t('due_at')}: {request.form['due']}", "error")
            return redirect(url_for("console.supervision_case", case_id=case_id))
    service = auth.container().supervision
    try:
        _visible(service.get(case_id))
        member = _acting_member()
        if member is None:
            abort(403)
        service.act(case_id, action, member, note, due)
    except GatewayError as exc:
        auth.record("supervision_" + action[:16], FAILED, case_id, f"{exc.code}: {exc.detail}")
        flash(f"{exc.code}: {exc.detail}", "error")
        return redirect(url_for("console.supervision_case", case_id=case_id))
    auth.record("supervision_" + action[:16], OK, case_id, note[:200])
    flash(_t(action), "ok")
    return redirect(url_for("console.supervision_case", case_id=case_id))


@routes.post("/supervision/run", "supervision_run")
@auth.requires(ADMIN, OPERATOR)
def run_now() -> ResponseReturnValue:
    try:
        report = auth.container().supervision.run()
    except GatewayError as exc:
        auth.record("supervision_run", FAILED, "", f"{exc.code}: {exc.detail}")
        flash(f"{exc.code}: {exc.detail}", "error")
        return redirect(url_for("console.supervision"))
    auth.record("supervision_run", OK, "", f"opened {len(report.opened)}")
    flash(f"{_t('run_now')}: +{len(report.opened)}", "ok")
    return redirect(url_for("console.supervision"))


@routes.get("/supervision/export", "supervision_export")
@auth.requires(ADMIN, AUDITOR)
def export() -> ResponseReturnValue:
    body = auth.container().export_supervision_cases(CaseQuery(limit=500))
    auth.record("supervision_export", OK, "", f"{len(body)} bytes")
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="supervision-cases.xlsx"'
    return response
