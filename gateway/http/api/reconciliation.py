"""``/api/v1/reconciliation``: reports of the reconciliation job, and a run on demand."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.oauth.resource import require_token
from gateway.reconciliation.workbook import report_workbook_bytes
from gateway.storage.tables import SQL_INT_MAX

blp = Blueprint(
    "reconciliation",
    __name__,
    url_prefix="/reconciliation",
    description="SQL records, evidence log and chain compared; mismatches reported",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportQuerySchema(Schema):
    before = fields.Integer(
        validate=validate.Range(min=1, max=SQL_INT_MAX), metadata={"description": "cursor"}
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class FindingSchema(Schema):
    kind = fields.String()
    subject = fields.String()
    detail = fields.Dict()
    report_id = fields.Integer()


class ReportSchema(Schema):
    id = fields.Integer()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    outcome = fields.String(metadata={"description": "clean, mismatch or failed"})
    records_checked = fields.Integer()
    anchors_checked = fields.Integer()
    findings_count = fields.Integer()
    summary = fields.Dict()
    findings = fields.List(fields.Nested(FindingSchema))


class ReportPageSchema(Schema):
    items = fields.List(fields.Nested(ReportSchema))
    next_cursor = fields.Integer(allow_none=True)
    open_alerts = fields.Integer()


def _service() -> Any:
    return current_app.extensions["alliance"].reconciliation


@blp.route("/reports")
class Reports(MethodView):
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportPageSchema)
    @require_token("audit:read")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Reports, newest first, with the number of findings the latest one holds open."""
        limit = args["limit"]
        found = _service().reports(limit=limit + 1, before=args.get("before"))
        page = found[:limit]
        return {
            "items": page,
            "next_cursor": page[-1]["id"] if len(found) > limit else None,
            "open_alerts": len(_service().open_alerts()),
        }

    @blp.response(201, ReportSchema)
    @require_token("audit:read")
    def post(self) -> dict[str, Any]:
        """Run a reconciliation now and return its report with every finding."""
        report = _service().run()
        return _service().report(report["id"])


@blp.route("/reports/<int(max=2147483647):report_id>")
class ReportDetail(MethodView):
    @blp.response(200, ReportSchema)
    @require_token("audit:read")
    def get(self, report_id: int) -> dict[str, Any]:
        """One report with every finding: kind, subject and what differs."""
        return _service().report(report_id)


@blp.route("/reports/<int(max=2147483647):report_id>/workbook")
class ReportWorkbook(MethodView):
    @blp.response(200, content_type=XLSX, description="The report as an Excel workbook")
    @require_token("audit:read")
    def get(self, report_id: int) -> Response:
        """The report as an Excel workbook (概要 and 差异明细 sheets)."""
        return send_file(
            io.BytesIO(report_workbook_bytes(_service().report(report_id))),
            mimetype=XLSX,
            as_attachment=True,
            download_name=f"reconciliation-{report_id}.xlsx",
        )
