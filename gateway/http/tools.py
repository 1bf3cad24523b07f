"""Integration helpers for department developers: how the gateway digests a message.

Departments must compute the same request digest the gateway records as evidence. This
endpoint shows the RFC 8785 canonical form of any JSON document and its SM3 digest, so an
integrator can check their own implementation against the gateway's.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.errors import GatewayError

blp = Blueprint(
    "tools", __name__, url_prefix="/tools", description="Helpers for integrating departments"
)


class DigestRequest(Schema):
    document = fields.Raw(
        required=True, allow_none=True, metadata={"description": "Any JSON value"}
    )


class DigestResponse(Schema):
    canonical = fields.String(metadata={"description": "RFC 8785 canonical JSON (UTF-8)"})
    sm3 = fields.String(metadata={"description": "0x-prefixed SM3 digest of the canonical bytes"})


class NotCanonicalisable(GatewayError):
    code = "not_canonicalisable"
    status = 422
    title = "The document has no RFC 8785 canonical form"


@blp.route("/digest")
class Digest(MethodView):
    @blp.arguments(DigestRequest)
    @blp.response(200, DigestResponse)
    def post(self, body: dict[str, Any]) -> dict[str, str]:
        """Canonicalise a JSON document (RFC 8785) and digest it with SM3 (GB/T 32905)."""
        document = body["document"]
        try:
            canonical = canonical_json(document)
        except CanonicalJsonError as exc:
            raise NotCanonicalisable(str(exc), field="document") from exc
        return {
            "canonical": canonical.decode("utf-8"),
            "sm3": "0x" + message_digest(document).hex(),
        }
