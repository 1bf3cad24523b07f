"""``GET /api/v1/evidence/{request_id}``: a record, its anchoring status and its proof."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.evidence.service import EvidenceNotFound
from gateway.oauth.resource import current_token, require_token
from gateway.oauth.scopes import parse_scope

blp = Blueprint("evidence", __name__, url_prefix="/evidence", description="Evidence of accesses")


@blp.route("/<request_id>")
class Evidence(MethodView):
    @blp.response(200)
    @require_token()
    def get(self, request_id: str) -> Any:
        """The access record with its receipt, status (pending/anchored), inclusion proof, root,
        transaction and block. Visible to the consumer, the provider, auditors and the office."""
        container = current_app.extensions["alliance"]
        body = container.evidence.evidence(request_id)
        token = current_token()
        party = token.member_code in (body["consumer"], body["provider"])
        overseer = "audit:read" in parse_scope(token.scope) or container.member_directory.is_office(
            token.member_code
        )
        if not (party or overseer):
            raise EvidenceNotFound(f"no request {request_id!r}", request_id=request_id)
        return body
