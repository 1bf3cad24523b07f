"""``GET /api/v1/audit/records``: the access log for auditors (scope ``audit:read``)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.audit.records import RecordQuery
from gateway.oauth.resource import require_token

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
    after = fields.Integer(validate=validate.Range(min=0))
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
