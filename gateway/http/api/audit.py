"""The audit API: the access log for auditors (``GET /api/v1/audit/records``, scope
``audit:read``) and export jobs that write it to a signed workbook (``/api/v1/audit/exports``)."""

from __future__ import annotations

import io
from datetime import UTC
from typing import Any

from flask import Response, current_app, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.audit.export_query import XLSX_MEDIA_TYPE, ExportNotFound
from gateway.audit.records import RecordQuery
from gateway.oauth.resource import current_token, require_token
from gateway.storage.tables import SQL_INT_MAX

blp = Blueprint("audit", __name__, url_prefix="/audit", description="Audit of accesses")


class RecordQuerySchema(Schema):
    start = fields.AwareDateTime(data_key="from", metadata={"description": "received at or after"})
    end = fields.AwareDateTime(data_key="to", metadata={"description": "received before"})
    consumer = fields.String(validate=validate.Length(max=16))
    provider = fields.String(validate=validate.Length(max=16))
    entry_id = fields.String(validate=validate.Length(max=32))
    purpose = fields.String(validate=validate.Length(max=64))
    decision = fields.String(validate=validate.OneOf(["allowed", "denied", "failed", "pending"]))
    anchoring = fields.String(validate=validate.OneOf(["anchored", "pending"]))
    after = fields.Integer(validate=validate.Range(min=0, max=SQL_INT_MAX))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AuditRecordSchema(Schema):
    id = fields.Integer()
    request_id = fields.String()
    received_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)
    consumer = fields.String()
    provider = fields.String()
    entry_id = fields.String()
    entry_version = fields.String()
    purpose = fields.String(allow_none=True)
    case_ref = fields.String(allow_none=True)
    decision = fields.String()
    reason = fields.String(allow_none=True)
    http_status = fields.Integer(allow_none=True)
    request_digest = fields.String()
    response_digest = fields.String(allow_none=True)
    anchoring = fields.String()
    sequence = fields.Integer(allow_none=True)
    root = fields.String(allow_none=True)
    tx_hash = fields.String(allow_none=True)
    block_number = fields.Integer(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditRecordSchema))
    next_cursor = fields.Integer(allow_none=True)


@blp.route("/records")
class Records(MethodView):
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    @require_token("audit:read")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every access (allowed, denied, failed) filtered by time, parties, entry, matter,
        decision and anchoring status, in pages ordered by log order."""
        limit = args.pop("limit")
        found = current_app.extensions["alliance"].audit_log.find(
            RecordQuery(**args, limit=limit + 1)
        )
        page = found[:limit]
        return {"items": page, "next_cursor": page[-1]["id"] if len(found) > limit else None}


class ExportRequestSchema(Schema):
    start = fields.AwareDateTime(
        data_key="from", required=True, default_timezone=UTC, metadata={"description": "inclusive"}
    )
    end = fields.AwareDateTime(
        data_key="to", required=True, default_timezone=UTC, metadata={"description": "exclusive"}
    )
    member = fields.String(
        validate=validate.Length(min=1, max=16),
        metadata={"description": "only records where this member is consumer or provider"},
    )


class ExportStatusSchema(Schema):
    id = fields.String()
    state = fields.String(metadata={"description": "queued, running, done or failed"})
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)
    percent = fields.Float()
    error = fields.String(allow_none=True)
    requested_by = fields.String()
    period_start = fields.String(data_key="from")
    period_end = fields.String(data_key="to")
    member = fields.String(allow_none=True)
    file_name = fields.String(allow_none=True)
    manifest_digest = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    download = fields.String(allow_none=True, metadata={"description": "URL once done"})


class ExportListSchema(Schema):
    items = fields.List(fields.Nested(ExportStatusSchema))


def _with_links(status: dict[str, Any]) -> dict[str, Any]:
    done = status["state"] == "done"
    download = url_for("audit.ExportDownload", export_id=status["id"]) if done else None
    return {**status, "download": download}


def _readable(export_id: str) -> dict[str, Any]:
    """The export's status if the caller requested it or is the office; else not found."""
    container = current_app.extensions["alliance"]
    status = container.audit_exports.status(export_id)
    member = current_token().member_code
    if status["requested_by"] != member and not container.member_directory.is_office(member):
        raise ExportNotFound(f"no export {export_id!r}", export_id=export_id)
    return status


@blp.route("/exports")
class Exports(MethodView):
    @blp.arguments(ExportRequestSchema)
    @blp.response(202, ExportStatusSchema)
    @require_token("audit:read", "audit:export")
    def post(self, args: dict[str, Any]) -> Any:
        """Start exporting the records received in [from, to) (optionally of one member) to a
        signed workbook; poll the Location for progress, then download."""
        exports = current_app.extensions["alliance"].audit_exports
        query = {"from": args["start"], "to": args["end"], "member": args.get("member")}
        export_id = exports.start(query, requested_by=current_token().member_code)
        location = url_for("audit.Export", export_id=export_id)
        return _with_links(exports.status(export_id)), 202, {"Location": location}

    @blp.response(200, ExportListSchema)
    @require_token("audit:read")
    def get(self) -> dict[str, Any]:
        """The caller's exports, newest first (the office sees everyone's)."""
        container = current_app.extensions["alliance"]
        member = current_token().member_code
        mine = None if container.member_directory.is_office(member) else member
        return {"items": [_with_links(s) for s in container.audit_exports.list(mine)]}


@blp.route("/exports/<export_id>")
class Export(MethodView):
    @blp.response(200, ExportStatusSchema)
    @require_token("audit:read")
    def get(self, export_id: str) -> dict[str, Any]:
        """State and progress of an export (rows written of rows selected)."""
        return _with_links(_readable(export_id))


@blp.route("/exports/<export_id>/download")
class ExportDownload(MethodView):
    @blp.alt_response(200, description="The signed workbook", content_type=XLSX_MEDIA_TYPE)
    @blp.alt_response(409, description="The export is not finished")
    @require_token("audit:read")
    def get(self, export_id: str) -> Response:
        """The finished workbook (409 ``export_not_ready`` until then)."""
        status = _readable(export_id)
        content = current_app.extensions["alliance"].audit_exports.content(export_id)
        return send_file(
            io.BytesIO(content),
            mimetype=XLSX_MEDIA_TYPE,
            as_attachment=True,
            download_name=status["file_name"] or f"{export_id}.xlsx",
            max_age=0,
        )
