"""``/api/v1/members``: routes and schemas only; the membership service does the work."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.members.model import MemberProfile, MemberStatus, Role
from gateway.members.ports import MemberEvent, MemberQuery
from gateway.members.schemas import (
    ApprovalSchema,
    MemberApplicationSchema,
    MemberEventSchema,
    MemberPageSchema,
    MemberQuerySchema,
    MemberSchema,
    ReasonSchema,
    RequiredReasonSchema,
    RotateKeySchema,
    SyncReportSchema,
)
from gateway.members.service import MembershipService
from gateway.oauth.resource import current_token, require_token

blp = Blueprint("members", __name__, url_prefix="/members", description="Member departments")

READ = "members:read"
ADMIN = "members:admin"


def _service() -> MembershipService:
    return current_app.extensions["alliance"].members


def _actor() -> str:
    token = current_token()
    return f"{token.member_code}/{token.client_id}"


def _key(value: str | None) -> bytes | None:
    return None if value is None else bytes.fromhex(value.removeprefix("0x"))


@blp.route("")
class Members(MethodView):
    @blp.arguments(MemberQuerySchema, location="query")
    @blp.response(200, MemberPageSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List members, filtered by status, role or text, in pages ordered by code."""
        query = MemberQuery(
            status=MemberStatus(args["status"]) if "status" in args else None,
            role=Role.parse([args["role"]]) if "role" in args else None,
            text=args.get("q"),
            after=args.get("after"),
            limit=args["limit"] + 1,
        )
        found = _service().find(query)
        page = found[: args["limit"]]
        more = len(found) > args["limit"]
        return {
            "items": [m.document() for m in page],
            "next_cursor": page[-1].code if more else None,
        }

    @blp.arguments(MemberApplicationSchema)
    @blp.response(201, MemberSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register a department's application (written to MemberRegistry)."""
        profile = MemberProfile(
            code=body["code"],
            name_zh=body["name_zh"],
            name_en=body["name_en"],
            credit_code=body["credit_code"],
            roles=Role.parse(body["roles"]),
            contact=body["contact"],
            endpoint=body["endpoint"],
        )
        return _service().apply(profile, _key(body["public_key"]), _actor()).document()


@blp.route("/<code>")
class MemberDetail(MethodView):
    @blp.response(200, MemberSchema)
    @require_token(READ)
    def get(self, code: str) -> dict[str, Any]:
        """One member as the index holds it."""
        return _service().get(code).document()


@blp.route("/<code>/history")
class MemberHistory(MethodView):
    @blp.response(200, MemberEventSchema(many=True))
    @require_token(READ)
    def get(self, code: str) -> list[MemberEvent]:
        """Every lifecycle step with actor, reason, time and transaction."""
        return _service().history(code)


@blp.route("/<code>/approve")
class Approve(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, ApprovalSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """applied → active; issues the member's OAuth client (secret shown once)."""
        member, credentials = _service().approve(code, _actor(), body["reason"])
        return {"member": member.document(), "credentials": credentials}


@blp.route("/<code>/suspend")
class Suspend(MethodView):
    @blp.arguments(RequiredReasonSchema)
    @blp.response(200, MemberSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """active → suspended; the member's tokens stop working at once."""
        return _service().suspend(code, _actor(), body["reason"]).document()


@blp.route("/<code>/reinstate")
class Reinstate(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, MemberSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """suspended → active."""
        return _service().reinstate(code, _actor(), body["reason"]).document()


@blp.route("/<code>/revoke")
class Revoke(MethodView):
    @blp.arguments(RequiredReasonSchema)
    @blp.response(200, MemberSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Any state → revoked (final); clients and tokens are withdrawn."""
        return _service().revoke(code, _actor(), body["reason"]).document()


@blp.route("/<code>/rotate-key")
class RotateKey(MethodView):
    @blp.arguments(RotateKeySchema)
    @blp.response(200, MemberSchema)
    @require_token(ADMIN)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Bind a new SM2 key on chain (given, or generated); the old key stops at once."""
        return _service().rotate_key(code, _key(body["public_key"]), _actor()).document()


@blp.route("/sync")
class Sync(MethodView):
    @blp.response(200, SyncReportSchema)
    @require_token(ADMIN)
    def post(self) -> Any:
        """Rebuild the index from MemberRegistry."""
        return _service().sync()
