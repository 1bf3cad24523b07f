"""Schemas of the records API (marshmallow; documented in OpenAPI)."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from gateway.storage.tables import SQL_INT_MAX

TYPES = ["register", "certificate", "archive", "电子登记簿", "电子证照", "电子档案"]


class RecordBodySchema(Schema):
    """A new version: any JSON (or text) content, its type, source and organisation."""

    content = fields.Raw(required=True, allow_none=False)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    data_source = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation = fields.String(validate=validate.Length(min=2, max=16))
    metadata = fields.Dict(keys=fields.String())
    expected_version = fields.Integer(validate=validate.Range(min=0, max=SQL_INT_MAX))


class DeleteQuerySchema(Schema):
    reason = fields.String(validate=validate.Length(max=200), load_default="")


class RecordQuerySchema(Schema):
    key_prefix = fields.String(validate=validate.Length(min=1, max=128))
    from_ = fields.AwareDateTime(data_key="from", default_timezone=UTC)
    to = fields.AwareDateTime(default_timezone=UTC)
    uploader = fields.String(validate=validate.Length(min=1, max=100))
    organisation = fields.String(validate=validate.Length(min=1, max=16))
    data_source = fields.String(validate=validate.Length(min=1, max=100))
    type = fields.String(validate=validate.OneOf(TYPES))
    include_deleted = fields.Boolean(load_default=True)
    after = fields.String(validate=validate.Length(min=1, max=128))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RecordVersionSchema(Schema):
    key = fields.String()
    index = fields.Integer()
    content_hash = fields.String()
    type = fields.String()
    type_zh = fields.String()
    data_source = fields.String()
    organisation = fields.String()
    uploader = fields.String()
    metadata = fields.Dict()
    created_at = fields.String()
    tx_hash = fields.String(allow_none=True)
    block_number = fields.Integer(allow_none=True)
    deleted = fields.Boolean()
    origin = fields.Dict(allow_none=True)


class RecordPageSchema(Schema):
    items = fields.List(fields.Nested(RecordVersionSchema))
    next_cursor = fields.String(allow_none=True)


class VerifiedRecordSchema(RecordVersionSchema):
    content = fields.Raw(allow_none=True)
    verified = fields.Boolean()
    problem = fields.String(allow_none=True)
    problem_detail = fields.String(allow_none=True)
    chain = fields.Dict(allow_none=True)
