"""``/api/v1/grants``: access applications (申请) and their approval (审批)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.catalog.model import GrantStatus
from gateway.catalog.ports import GrantQuery
from gateway.catalog.schemas import (
    GrantApplicationSchema,
    GrantApproveSchema,
    GrantEventSchema,
    GrantPageSchema,
    GrantQuerySchema,
    GrantSchema,
    ReasonRequiredSchema,
)
from gateway.http.api.catalog_support import current_actor, services
from gateway.oauth.resource import require_token

blp = Blueprint(
    "grants", __name__, url_prefix="/grants", description="Access applications and grants"
)

DECIDE = ("grants:decide",)
REVOKE = ("grants:decide", "grants:apply")


@blp.route("")
class Grants(MethodView):
    @blp.arguments(GrantQuerySchema, location="query")
    @blp.response(200, GrantPageSchema)
    @require_token("catalog:read")
    def get(self, args: dict[str, Any]) -> Any:
        """Grants the caller is party to (all of them for the office)."""
        query = GrantQuery(
            consumer=args.get("consumer"),
            provider=args.get("provider"),
            entry_id=args.get("entry_id"),
            status=GrantStatus(args["status"]) if "status" in args else None,
            after=args.get("after"),
            limit=args["limit"] + 1,
        )
        found = services().grants.find(query, current_actor())
        page = found[: args["limit"]]
        return {"items": page, "next_cursor": page[-1].id if len(found) > args["limit"] else None}

    @blp.arguments(GrantApplicationSchema)
    @blp.response(201, GrantSchema)
    @require_token("grants:apply")
    def post(self, body: dict[str, Any]) -> Any:
        """Apply for an entry for one administrative matter (unconditional: approved at once)."""
        actor = current_actor()
        return services().grants.apply(
            entry_id=body["entry_id"],
            consumer=body.get("consumer") or actor.member,
            matter_code=body["matter_code"],
            purpose=body["purpose"],
            fields=body["fields_"],
            requested_expiry=body["expires_at"],
            actor=actor,
        )


@blp.route("/<grant_id>")
class GrantDetail(MethodView):
    @blp.response(200, GrantSchema)
    @require_token("catalog:read")
    def get(self, grant_id: str) -> Any:
        """One grant (visible to its consumer, its provider and the office)."""
        return services().grants.get(grant_id, current_actor())


@blp.route("/<grant_id>/approve")
class Approve(MethodView):
    @blp.arguments(GrantApproveSchema)
    @blp.response(200, GrantSchema)
    @require_token(any_of=DECIDE)
    def post(self, body: dict[str, Any], grant_id: str) -> Any:
        """Approve with the allowed fields (default: those requested) and an expiry."""
        return services().grants.approve(
            grant_id, body["fields_"], body["expires_at"], current_actor()
        )


@blp.route("/<grant_id>/reject")
class Reject(MethodView):
    @blp.arguments(ReasonRequiredSchema)
    @blp.response(200, GrantSchema)
    @require_token(any_of=DECIDE)
    def post(self, body: dict[str, Any], grant_id: str) -> Any:
        """Reject an application with a reason."""
        return services().grants.reject(grant_id, body["reason"], current_actor())


@blp.route("/<grant_id>/revoke")
class Revoke(MethodView):
    @blp.arguments(ReasonRequiredSchema)
    @blp.response(200, GrantSchema)
    @require_token(any_of=REVOKE)
    def post(self, body: dict[str, Any], grant_id: str) -> Any:
        """Revoke an approved grant (its provider, its consumer, or the office)."""
        return services().grants.revoke(grant_id, body["reason"], current_actor())


@blp.route("/<grant_id>/history")
class History(MethodView):
    @blp.response(200, GrantEventSchema(many=True))
    @require_token("catalog:read")
    def get(self, grant_id: str) -> Any:
        """Every step of the grant with actor, reason, time and transaction."""
        services().grants.get(grant_id, current_actor())
        return services().grants.index.events(grant_id)
