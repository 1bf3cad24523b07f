"""The OpenAPI document as the gateway really answers: errors are RFC 9457 problem details.

flask-smorest documents errors as its own ``application/json`` error body; the gateway answers
every error with ``application/problem+json`` (:mod:`gateway.http.problems`), so the document's
error responses say exactly that.
"""

from __future__ import annotations

import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema, fields

from gateway.http.problems import PROBLEM_JSON


class ProblemSchema(Schema):
    """RFC 9457 problem details with the gateway's stable ``code`` (docs/errors.md)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(
        required=True, metadata={"description": "urn:alliance:problem:<code>", "example": ""}
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True, metadata={"description": "the HTTP status"})
    code = fields.String(required=True, metadata={"description": "stable; branch on this"})
    detail = fields.String()
    request_id = fields.String(metadata={"description": "the X-Request-ID of the call"})
    errors = fields.Dict(metadata={"description": "validation messages per field (422)"})
    error = fields.String(metadata={"description": "RFC 6750 error of a token refusal"})
    error_description = fields.String()


class GatewayApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """Every status's (and the default) error response as problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)
