"""Schemas of the catalogue and grants API (marshmallow; documented in OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

SHARING = ["unconditional", "conditional", "not_shared"]
GRANT_STATUS = ["applied", "approved", "rejected", "revoked"]


class FieldSchema(Schema):
    name = fields.String(required=True)
    type = fields.String(required=True)
    description = fields.String()
    data_class = fields.String(
        metadata={"description": "what the field carries; personal classes are masked"}
    )
    personal = fields.Boolean(metadata={"description": "older form of data_class"})
    masking = fields.String(metadata={"description": "older form of data_class"})


class ParameterSchema(Schema):
    name = fields.String(required=True)
    type = fields.String(required=True)
    description = fields.String()
    required = fields.Boolean()
    personal = fields.Boolean()


class ServiceSchema(Schema):
    connector = fields.String(required=True)
    path = fields.String(required=True)


class EntryDocumentSchema(Schema):
    """An entry definition as a provider publishes it (checked against the JSON Schema)."""

    id = fields.String(required=True)
    provider = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String()
    description = fields.String()
    sharing_class = fields.String(required=True, validate=validate.OneOf(SHARING))
    update_frequency = fields.String()
    service = fields.Nested(ServiceSchema, required=True)
    parameters = fields.List(fields.Nested(ParameterSchema))
    fields_ = fields.List(fields.Nested(FieldSchema), data_key="fields", required=True)


class EntrySchema(EntryDocumentSchema):
    sharing_class_zh = fields.String()
    status = fields.String()
    version = fields.Integer()
    version_hash = fields.String()
    previous_hash = fields.String()
    updated_at = fields.String()


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    next_cursor = fields.String(allow_none=True)


class EntryQuerySchema(Schema):
    q = fields.String(validate=validate.Length(min=1, max=100))
    provider = fields.String(validate=validate.Length(max=16))
    sharing_class = fields.String(validate=validate.OneOf(SHARING))
    status = fields.String(validate=validate.OneOf(["published", "retired"]))
    after = fields.String(validate=validate.Length(max=32))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class VersionSchema(Schema):
    number = fields.Integer()
    version_hash = fields.String()
    previous_hash = fields.String()
    tx_hash = fields.String(allow_none=True)
    published_at = fields.String()
    published_by = fields.String()


class ReasonRequiredSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ExportQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "dcat"]))


class CatalogSyncSchema(Schema):
    updated = fields.List(fields.String())
    unchanged = fields.List(fields.String())
    missing_documents = fields.List(fields.String())
    not_on_chain = fields.List(fields.String())


class GrantSchema(Schema):
    id = fields.String()
    entry_id = fields.String()
    consumer = fields.String()
    provider = fields.String()
    matter_code = fields.String()
    purpose = fields.String()
    requested_fields = fields.List(fields.String())
    allowed_fields = fields.List(fields.String())
    requested_expiry = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    status = fields.Function(lambda grant: grant.status.value)
    entry_version = fields.String(allow_none=True)
    reason = fields.String()
    last_tx_hash = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class GrantPageSchema(Schema):
    items = fields.List(fields.Nested(GrantSchema))
    next_cursor = fields.String(allow_none=True)


class GrantQuerySchema(Schema):
    consumer = fields.String(validate=validate.Length(max=16))
    provider = fields.String(validate=validate.Length(max=16))
    entry_id = fields.String(validate=validate.Length(max=32))
    status = fields.String(validate=validate.OneOf(GRANT_STATUS))
    after = fields.String(validate=validate.Length(max=32))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class GrantApplicationSchema(Schema):
    entry_id = fields.String(required=True, validate=validate.Length(min=1, max=32))
    consumer = fields.String(
        validate=validate.Length(max=16),
        metadata={"description": "Defaults to the caller's member; only the office may differ"},
    )
    matter_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "事项编码 of the administrative matter that is the legal basis"},
    )
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=500))
    fields_ = fields.List(
        fields.String(), data_key="fields", required=True, validate=validate.Length(min=1)
    )
    expires_at = fields.AwareDateTime(required=True, default_timezone=None)


class GrantApproveSchema(Schema):
    fields_ = fields.List(fields.String(), data_key="fields", load_default=None)
    expires_at = fields.AwareDateTime(load_default=None)


class GrantEventSchema(Schema):
    action = fields.String()
    actor = fields.String()
    reason = fields.String()
    tx_hash = fields.String(allow_none=True)
    at = fields.DateTime()
