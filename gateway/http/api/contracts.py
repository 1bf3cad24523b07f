"""``/api/v1/contracts``: the deployed alliance contracts (scope ``contracts:read``)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.oauth.resource import require_token
from gateway.onchain.registry import ContractRecord, ContractRegistry

blp = Blueprint(
    "contracts", __name__, url_prefix="/contracts", description="Deployed alliance contracts"
)

READ = "contracts:read"


class ContractSummarySchema(Schema):
    name = fields.String()
    version = fields.String(metadata={"description": "the deployed source hash, abbreviated"})
    address = fields.String()
    suite = fields.String(metadata={"description": "sm (SM2/SM3) or ecdsa"})
    chain_id = fields.String()
    group_id = fields.String()
    status = fields.String(
        metadata={"description": "active, outdated, code_mismatch, missing or unknown"}
    )
    deployer = fields.String()
    deployed_at = fields.DateTime(allow_none=True)
    deploy_tx = fields.String()
    deploy_block = fields.Integer()
    compiler = fields.String()
    source_hash = fields.String(metadata={"description": "SHA-256 over the contract's sources"})
    artefact_source_hash = fields.String(allow_none=True)
    selector_hash = fields.String(metadata={"description": "keccak or sm3 selectors"})
    code_hash = fields.String(
        allow_none=True, metadata={"description": "the chain suite's hash of the code on chain"}
    )


class ContractSchema(ContractSummarySchema):
    abi = fields.List(fields.Dict())


class ContractListSchema(Schema):
    items = fields.List(fields.Nested(ContractSummarySchema))


def _registry() -> ContractRegistry:
    return current_app.extensions["alliance"].contracts


@blp.route("")
class Contracts(MethodView):
    @blp.response(200, ContractListSchema)
    @require_token(READ)
    def get(self) -> dict[str, list[ContractRecord]]:
        """Every deployed contract with its chain, address, version, status and deployer."""
        return {"items": _registry().contracts()}


@blp.route("/<name>")
class Contract(MethodView):
    @blp.response(200, ContractSchema)
    @require_token(READ)
    def get(self, name: str) -> ContractRecord:
        """One contract with its ABI and source hash."""
        return _registry().contract(name)


@blp.route("/<name>/artefact")
class Artefact(MethodView):
    @blp.doc(
        responses={
            "200": {
                "description": "the committed build artefact (ABI, bytecode, source hashes)",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    )
    @require_token(READ)
    def get(self, name: str) -> Any:
        """Download the artefact the contract was deployed from."""
        filename, body = _registry().artefact(name)
        response = Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.set_etag(hashlib.sha256(body).hexdigest())
        return response
