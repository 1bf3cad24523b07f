"""Schemas of the transfers API (marshmallow; documented in OpenAPI)."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from gateway.transfer.model import Condition

_HEX_SIGNATURE = r"^(0x)?[0-9a-fA-F]{128}$"


class OpenCaseSchema(Schema):
    case_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,32}$"))
    unit_number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Z]{19,28}$"))
    title_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    seller_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    buyer_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    price = fields.Integer(required=True, validate=validate.Range(min=1, max=10**15))
    contract_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    deadline = fields.AwareDateTime(
        required=True,
        default_timezone=UTC,
        metadata={"description": "after it the case cannot complete (chain time)"},
    )


class ConditionSchema(Schema):
    condition = fields.String(required=True, validate=validate.OneOf(Condition.keys()))


class AttestSchema(ConditionSchema):
    signature = fields.String(
        required=True,
        validate=validate.Regexp(_HEX_SIGNATURE),
        metadata={"description": "the member's SM2 signature (r || s, hex) over `digest`"},
    )


class RevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CompleteSchema(Schema):
    registration_number = fields.String(
        required=True, validate=validate.Regexp(r"^[\x21-\x7e]{1,32}$")
    )
    certificate_hash = fields.String(
        required=True,
        validate=validate.Regexp(r"^0x[0-9a-f]{64}$"),
        metadata={"description": "SM3 digest of the issued e-certificate (电子证照)"},
    )


class ListQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TransferSummarySchema(Schema):
    case_id = fields.String()
    unit_number = fields.String()
    title_number = fields.String()
    status = fields.String(metadata={"description": "pending or completed"})
    deadline = fields.String()
    opened_at = fields.String()
    registration_number = fields.String(allow_none=True)


class CaseListSchema(Schema):
    items = fields.List(fields.Nested(TransferSummarySchema))


class ProofSchema(Schema):
    tx_hash = fields.String()
    block_number = fields.Integer()
    signer = fields.String()
    attested_at = fields.String(allow_none=True)
    revoke_tx = fields.String(allow_none=True)
    verified = fields.Boolean(metadata={"description": "checked against the chain just now"})
    problems = fields.List(fields.String())


class AttestationSchema(Schema):
    condition = fields.String()
    label = fields.String()
    member = fields.String()
    entry_id = fields.String()
    state = fields.String(metadata={"description": "missing, gathered, attested or revoked"})
    satisfied = fields.Boolean(allow_none=True)
    finding = fields.String(allow_none=True)
    evidence = fields.Dict(allow_none=True)
    digest = fields.String(allow_none=True)
    signature = fields.String(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    proof = fields.Nested(ProofSchema, allow_none=True)


class TransferCaseSchema(TransferSummarySchema):
    pending_reason = fields.String(allow_none=True)
    seller = fields.String(metadata={"description": "masked"})
    buyer = fields.String(metadata={"description": "masked"})
    buyer_hash = fields.String()
    price = fields.Integer()
    contract_number = fields.String()
    contract_address = fields.String()
    opened = fields.Dict()
    completed = fields.Dict(allow_none=True)
    attestations = fields.List(fields.Nested(AttestationSchema))


class DraftSchema(Schema):
    case_id = fields.String()
    condition = fields.String()
    member = fields.String()
    satisfied = fields.Boolean()
    finding = fields.String()
    evidence = fields.Dict()
    digest = fields.String(metadata={"description": "sign this with the member's SM2 key"})
