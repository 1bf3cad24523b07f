"""``/api/v1/transfers``: routes and schemas only; the transfer service does the work."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.oauth.resource import current_token, require_token
from gateway.transfer.model import CaseOpening, Condition
from gateway.transfer.schemas import (
    AttestSchema,
    CaseListSchema,
    CompleteSchema,
    ConditionSchema,
    DraftSchema,
    ListQuerySchema,
    OpenCaseSchema,
    RevokeSchema,
    TransferCaseSchema,
)
from gateway.transfer.service import Actor, TransferService

blp = Blueprint(
    "transfers", __name__, url_prefix="/transfers", description="Property transfers (一件事)"
)

READ = "transfer:read"
WRITE = "transfer:write"


def _service() -> TransferService:
    return current_app.extensions["alliance"].transfers


def _actor() -> Actor:
    token = current_token()
    return Actor(member=token.member_code, label=f"{token.member_code}/{token.client_id}")


@blp.route("")
class Transfers(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, CaseListSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Transfer cases, newest first."""
        return {"items": _service().cases(args["limit"])}

    @blp.arguments(OpenCaseSchema)
    @blp.response(201, TransferCaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open a case (the real-estate registration member): written to TransferCase."""
        deadline = body.pop("deadline")
        opening = CaseOpening(**body, deadline_ms=int(deadline.timestamp() * 1000))
        return _service().open(_actor(), opening)


@blp.route("/<case_id>")
class TransferCase(MethodView):
    @blp.response(200, TransferCaseSchema)
    @require_token(READ)
    def get(self, case_id: str) -> dict[str, Any]:
        """The case, its pending reason and each attestation verified against the chain."""
        return _service().status(case_id)


@blp.route("/<case_id>/evidence")
class Evidence(MethodView):
    @blp.arguments(ConditionSchema)
    @blp.response(200, DraftSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Gather a condition's evidence (a brokered query); returns the digest to sign."""
        return _service().gather(_actor(), case_id, Condition.parse(body["condition"]))


@blp.route("/<case_id>/attestations")
class Attestations(MethodView):
    @blp.arguments(AttestSchema)
    @blp.response(200, TransferCaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Attest a condition with the member's SM2 signature over the gathered digest."""
        signature = bytes.fromhex(body["signature"].removeprefix("0x"))
        return _service().attest(
            _actor(), case_id, Condition.parse(body["condition"]), signature=signature
        )


@blp.route("/<case_id>/attestations/<condition>/revoke")
class Revocation(MethodView):
    @blp.arguments(RevokeSchema)
    @blp.response(200, TransferCaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any], case_id: str, condition: str) -> dict[str, Any]:
        """Withdraw the member's attestation of a condition (keeps the case pending)."""
        return _service().revoke(_actor(), case_id, _condition(condition), body["reason"])


@blp.route("/<case_id>/complete")
class Completion(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, TransferCaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any], case_id: str) -> dict[str, Any]:
        """Complete the transfer: new owner, registration number and e-certificate hash."""
        return _service().complete(
            _actor(), case_id, body["registration_number"], body["certificate_hash"]
        )


def _condition(key: str) -> Condition:
    from gateway.transfer.errors import InvalidTransfer

    try:
        return Condition.parse(key)
    except ValueError as exc:
        raise InvalidTransfer(
            f"condition: one of {', '.join(Condition.keys())}", field="condition"
        ) from exc
