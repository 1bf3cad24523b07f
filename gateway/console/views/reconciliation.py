"""对账报告: reconciliation reports, open alerts, findings, Excel download and a run on demand."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.audit import FAILED, OK
from gateway.console.i18n import current_lang
from gateway.console.page_text import render, translate
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.roles import ADMIN, OPERATOR
from gateway.errors import GatewayError
from gateway.reconciliation.workbook import KIND_LABELS, report_workbook_bytes

routes = Routes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _detail_text(detail: Any) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


@routes.get("/reconciliation", "reconciliation")
@auth.requires(*roles_of("reconciliation"))
def report_list() -> ResponseReturnValue:
    service = auth.container().reconciliation
    return render(
        "reconciliation/list.html",
        reports=service.reports(50),
        alerts=service.open_alerts(),
        kind_labels=KIND_LABELS,
        detail_text=_detail_text,
        may_run=auth.user().role in (ADMIN, OPERATOR),
        page_title=PAGE["reconciliation"].title(current_lang()),
    )


@routes.get("/reconciliation/<int:report_id>", "reconciliation_report")
@auth.requires(*roles_of("reconciliation"))
def report_detail(report_id: int) -> ResponseReturnValue:
    report = auth.container().reconciliation.report(report_id)
    return render(
        "reconciliation/detail.html",
        report=report,
        kind_labels=KIND_LABELS,
        detail_text=_detail_text,
        page_title=f"{translate('report')} #{report_id}",
    )


@routes.get("/reconciliation/<int:report_id>/workbook", "reconciliation_workbook")
@auth.requires(*roles_of("reconciliation"))
def report_workbook(report_id: int) -> ResponseReturnValue:
    service = auth.container().reconciliation
    report = service.report(report_id)
    name = f"reconciliation-{report_id}.xlsx"
    body = report_workbook_bytes(report)
    auth.record("reconciliation_download", OK, str(report_id), name)
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@routes.post("/reconciliation/run", "reconciliation_run")
@auth.requires(ADMIN, OPERATOR)
def report_run() -> ResponseReturnValue:
    try:
        report = auth.container().reconciliation.run()
    except GatewayError as exc:
        auth.record("reconciliation_run", FAILED, "", f"{exc.code}: {exc.detail}")
        flash(f"{translate('error')}: {exc.detail}", "error")
        return redirect(url_for("console.reconciliation"))
    auth.record("reconciliation_run", OK, str(report["id"]), report["outcome"])
    return redirect(url_for("console.reconciliation_report", report_id=report["id"]))
