"""``POST /api/v1/query/{entry_id}``: the brokered query, with its signed receipt."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.broker.service import QueryRequest
from gateway.oauth.resource import current_token, require_token

blp = Blueprint("query", __name__, url_prefix="/query", description="Brokered queries")

IDEMPOTENCY_HEADER = "Idempotency-Key"
FAULT_HEADER = "X-Sim-Fault"


class QueryBodySchema(Schema):
    purpose = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "事项编码 of the administrative matter"},
    )
    params = fields.Dict(keys=fields.String(), required=True)
    case_ref = fields.String(load_default=None, validate=validate.Length(max=128))
    fields_ = fields.List(fields.String(), data_key="fields", load_default=None)


def client_key() -> str:
    """Rate-limit key of a brokered query: the OAuth client behind the bearer token."""
    header = request.headers.get("Authorization", "")
    token = header.split(None, 1)[1] if header.lower().startswith("bearer ") else ""
    facts = current_app.extensions["alliance"].tokens.lookup(token) if token else None
    return f"client:{facts.client_id}" if facts is not None else f"address:{request.remote_addr}"


def _record_refusal(entry_id: str) -> None:
    """A known member whose token no longer works: its attempt is evidence too."""
    container = current_app.extensions["alliance"]
    header = request.headers.get("Authorization", "")
    token = header.split(None, 1)[1] if header.lower().startswith("bearer ") else ""
    facts = container.tokens.lookup_revoked(token) or container.tokens.lookup(token)
    if token and facts is not None:
        container.broker.refuse_unauthenticated(
            entry_id,
            facts.member_code,
            facts.client_id,
            "consumer_suspended",
            f"{facts.member_code} is not an active member",
        )


@blp.route("/<entry_id>")
class Query(MethodView):
    @blp.arguments(QueryBodySchema)
    @blp.response(200)
    @require_token("query:{entry_id}", on_refusal=_record_refusal)
    def post(self, body: dict[str, Any], entry_id: str) -> Any:
        """Ask the entry's provider, through the gateway, for one administrative matter.

        Answers ``{"request_id", "entry_id", "data", "receipt"}``; refusals and failures are
        problem+json that also carry the request id and a signed receipt. Send an
        ``Idempotency-Key`` to make retries safe: a retry returns the same answer and receipt.
        """
        token = current_token()
        key = request.headers.get(IDEMPOTENCY_HEADER)
        result = current_app.extensions["alliance"].broker.query(
            QueryRequest(
                entry_id=entry_id,
                consumer=token.member_code,
                client_id=token.client_id,
                purpose=body["purpose"],
                params=body["params"],
                case_ref=body["case_ref"],
                fields=body["fields_"],
                idempotency_key=key[:128] if key else None,
                request_id=g.get("request_id"),
                provider_headers=_test_fault_header(),
            )
        )
        headers = {"X-Request-ID": result.body["request_id"]}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        if result.status >= 400:
            from flask import Response, json

            return Response(
                json.dumps(result.body, ensure_ascii=False),
                status=result.status,
                mimetype="application/problem+json",
                headers=headers,
            )
        return result.body, 200, headers


def _test_fault_header() -> dict[str, str] | None:
    """Fault injection passes through to provider simulators only when enabled in settings."""
    if not current_app.extensions["alliance"].settings.providers.pass_fault_header:
        return None
    value = request.headers.get(FAULT_HEADER)
    return {FAULT_HEADER: value} if value else None
