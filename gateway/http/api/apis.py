"""``GET /api/v1/apis``: the gateway's APIs with scopes and call counts (scope ``apis:read``).

The blueprint also counts every call to ``/api/v1/…`` and ``/oauth/…`` after its response is
built (see :mod:`gateway.http.stats`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.http.api_catalogue import ApiListing, call_stats, counted, list_operations
from gateway.http.stats import DAYS_KEPT, openapi_path
from gateway.oauth.resource import require_token

blp = Blueprint("apis", __name__, url_prefix="/apis", description="The gateway's own APIs")

READ = "apis:read"


class ApiQuerySchema(Schema):
    days = fields.Integer(
        load_default=7,
        validate=validate.Range(min=1, max=DAYS_KEPT),
        metadata={"description": "count calls over today and the days before (UTC)"},
    )


class ApiOperationSchema(Schema):
    method = fields.String()
    path = fields.String()
    summary = fields.String()
    tag = fields.String()
    operation_id = fields.String(allow_none=True)
    protected = fields.Boolean(metadata={"description": "a bearer token is required"})
    scopes = fields.List(fields.String(), metadata={"description": "every scope required"})
    documented = fields.Boolean(metadata={"description": "in the OpenAPI document"})
    calls = fields.Integer(allow_none=True)
    client_errors = fields.Integer(allow_none=True, metadata={"description": "4xx answers"})
    server_errors = fields.Integer(allow_none=True, metadata={"description": "5xx answers"})
    error_rate = fields.Float(allow_none=True, metadata={"description": "(4xx + 5xx) / calls"})


class ApiListingSchema(Schema):
    days = fields.Integer()
    counts_available = fields.Boolean(metadata={"description": "false while Redis is down"})
    items = fields.List(fields.Nested(ApiOperationSchema))


@blp.route("")
class Apis(MethodView):
    @blp.arguments(ApiQuerySchema, location="query")
    @blp.response(200, ApiListingSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> ApiListing:
        """Every API operation with its summary, required scopes, calls and error rates."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        return list_operations(app, call_stats(app), args["days"])


@blp.after_app_request
def _count_call(response: Response) -> Response:
    rule = request.url_rule
    if rule is not None and request.method != "OPTIONS" and counted(rule.rule):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        call_stats(app).record(request.method, openapi_path(rule.rule), response.status_code)
    return response
