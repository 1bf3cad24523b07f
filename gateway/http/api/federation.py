"""``/api/v1/federation``: the links between levels of a multi-level alliance (国家-省-市-区县).

For child gateways (scope ``federation:sync``, only the child's own client holds it): the
catalogue snapshot, the latest checkpoint accepted from the caller, and pushing a checkpoint.
For the office and auditors: the status of every link and the checkpoints anchored here. For
whoever may see a record's evidence: the record proved through the chain of checkpoints.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.evidence.service import EvidenceNotFound
from gateway.federation.queries import anchored_checkpoints
from gateway.members.model import CODE_PATTERN
from gateway.oauth.resource import current_token, require_token
from gateway.oauth.scopes import parse_scope

blp = Blueprint(
    "federation",
    __name__,
    url_prefix="/federation",
    description="Multi-level alliance: catalogue down, evidence checkpoints up",
)
OVERSEERS = ("audit:read", "members:read")
TREE_SIZE_MAX = 2**53 - 1


class CheckpointPushSchema(Schema):
    checkpoint = fields.Dict(
        required=True, metadata={"description": "the child's signed checkpoint document"}
    )
    proof = fields.List(
        fields.String(validate=validate.Length(equal=66)),
        required=True,
        validate=validate.Length(max=64),
        metadata={"description": "RFC 9162 consistency proof from the last accepted checkpoint"},
    )


class CheckpointQuerySchema(Schema):
    node = fields.String(validate=validate.Regexp(CODE_PATTERN))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ProofQuerySchema(Schema):
    tree_size = fields.Integer(validate=validate.Range(min=1, max=TREE_SIZE_MAX))


def _federation() -> Any:
    return current_app.extensions["alliance"].federation


def _calling_child() -> str:
    federation = _federation()
    federation.require_node()
    caller = current_token().member_code
    federation.require_child(caller)
    return str(caller)


@blp.route("/catalog")
class Catalog(MethodView):
    @blp.response(200)
    @require_token("federation:sync")
    def get(self) -> Any:
        """The catalogue as the calling child sees it: shared entries with their versions and
        the grants given to the child, signed with this gateway's key."""
        child = _calling_child()
        return _federation().snapshots.snapshot(child)


@blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @blp.response(200)
    @require_token("federation:sync")
    def get(self) -> Any:
        """The latest checkpoint of the calling child accepted here (``null`` before the first)."""
        child = _calling_child()
        return {"latest": _federation().intake.latest(child)}


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    @blp.arguments(CheckpointPushSchema)
    @blp.response(200)
    @require_token("federation:sync")
    def post(self, body: dict[str, Any]) -> Any:
        """Push the calling child's signed checkpoint with the consistency proof from the last
        one accepted; it and the descendants' checkpoints it carries are anchored on
        ``FederationLedger``. ``409 checkpoint_refused`` (with ``reason``) when it does not
        extend what the child signed before."""
        child = _calling_child()
        return _federation().intake.accept(child, body["checkpoint"], body["proof"]).to_dict()

    @blp.arguments(CheckpointQuerySchema, location="query")
    @blp.response(200)
    @require_token(any_of=OVERSEERS)
    def get(self, args: dict[str, Any]) -> Any:
        """Checkpoints of children and their descendants anchored here, newest first."""
        return {
            "items": anchored_checkpoints(_federation().engine, args.get("node"), args["limit"])
        }


@blp.route("/status")
class Status(MethodView):
    @blp.response(200)
    @require_token(any_of=OVERSEERS)
    def get(self) -> Any:
        """This gateway's parent link and its children, with their lag and alerts."""
        return _federation().status.report()


@blp.route("/proof/<request_id>")
class Proof(MethodView):
    @blp.arguments(ProofQuerySchema, location="query")
    @blp.response(200)
    @require_token()
    def get(self, args: dict[str, Any], request_id: str) -> Any:
        """A record of this gateway proved through the checkpoint the parent anchored: the
        receipt, the inclusion proof in the whole log and the signed checkpoint, for
        ``alliance sync verify`` at any level above. Visible to the record's consumer and
        provider, auditors and the office."""
        container = current_app.extensions["alliance"]
        record = container.evidence.record(request_id)
        token = current_token()
        party = token.member_code in (record.consumer, record.provider)
        overseer = "audit:read" in parse_scope(token.scope) or container.member_directory.is_office(
            token.member_code
        )
        if not (party or overseer):
            raise EvidenceNotFound(f"no request {request_id!r}", request_id=request_id)
        return _federation().record_proof(request_id, args.get("tree_size"))
