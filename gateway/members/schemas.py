"""Request and response schemas of the members API (marshmallow, documented in OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

ROLE_NAMES = ["provider", "consumer", "office", "auditor"]
STATUS_NAMES = ["applied", "active", "suspended", "revoked"]


class MemberSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    credit_code = fields.String()
    roles = fields.List(fields.String(validate=validate.OneOf(ROLE_NAMES)))
    status = fields.String(validate=validate.OneOf(STATUS_NAMES))
    contact = fields.String()
    endpoint = fields.String()
    public_key = fields.String(metadata={"description": "SM2 public key, 128 hex digits (X‖Y)"})
    account = fields.String(metadata={"description": "Chain address derived from the key"})
    updated_at = fields.DateTime()
    last_tx_hash = fields.String(allow_none=True)


class MemberPageSchema(Schema):
    items = fields.List(fields.Nested(MemberSchema))
    next_cursor = fields.String(allow_none=True)


class MemberQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUS_NAMES))
    role = fields.String(validate=validate.OneOf(ROLE_NAMES))
    q = fields.String(validate=validate.Length(min=1, max=100))
    after = fields.String(validate=validate.Length(max=16))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class MemberApplicationSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{1,15}$"))
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(load_default="", validate=validate.Length(max=200))
    credit_code = fields.String(required=True, validate=validate.Length(equal=18))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLE_NAMES)),
        required=True,
        validate=validate.Length(min=1),
    )
    contact = fields.String(load_default="", validate=validate.Length(max=200))
    endpoint = fields.String(load_default="", validate=validate.Length(max=500))
    public_key = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^(0x)?[0-9a-fA-F]{128}$"),
        metadata={"description": "The department's own SM2 public key; omit to have one made"},
    )


class ReasonSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class RequiredReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RotateKeySchema(Schema):
    public_key = fields.String(
        load_default=None, validate=validate.Regexp(r"^(0x)?[0-9a-fA-F]{128}$")
    )


class CredentialsSchema(Schema):
    client_id = fields.String()
    client_secret = fields.String(metadata={"description": "Shown once; store it now"})
    scopes = fields.List(fields.String())


class ApprovalSchema(Schema):
    member = fields.Nested(MemberSchema)
    credentials = fields.Nested(CredentialsSchema)


class MemberEventSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    reason = fields.String()
    tx_hash = fields.String(allow_none=True)
    at = fields.DateTime()


class SyncReportSchema(Schema):
    added = fields.List(fields.String())
    updated = fields.List(fields.String())
    unchanged = fields.List(fields.String())
