"""``/api/v1/records``: put, read (verified), history, delete (tombstone) and search."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.oauth.resource import current_token, require_token
from gateway.records.errors import RecordDeleted
from gateway.records.model import RecordActor, RecordQuery, RecordType
from gateway.records.schemas import (
    DeleteQuerySchema,
    RecordBodySchema,
    RecordPageSchema,
    RecordQuerySchema,
    RecordVersionSchema,
    VerifiedRecordSchema,
)
from gateway.records.service import Preconditions, RecordService, tombstone_facts
from gateway.records.views import record_view, version_view

blp = Blueprint(
    "records", __name__, url_prefix="/records", description="On-chain records (上链记录)"
)

READ = "records:read"
WRITE = "records:write"


def _service() -> RecordService:
    return current_app.extensions["alliance"].records


def _actor() -> RecordActor:
    """The calling member; the office sees and writes every organisation's records."""
    token = current_token()
    directory = current_app.extensions["alliance"].member_directory
    return RecordActor(
        member=token.member_code,
        sees_all=directory.is_office(token.member_code),
        label=f"{token.member_code}/{token.client_id}",
    )


def _etag(index: int) -> dict[str, str]:
    return {"ETag": f'"v{index}"'}


def _preconditions(expected_version: int | None) -> Preconditions | None:
    """``If-Match: "v<n>"`` / ``*``, ``If-None-Match: *`` and the body's ``expected_version``."""
    indices: tuple[int, ...] | None = None
    if request.if_match and not request.if_match.star_tag:
        indices = tuple(
            int(tag[1:])
            for tag in request.if_match.as_set()
            if tag[1:].isdigit() and tag[:1] == "v"
        )
    if expected_version is not None:
        indices = (expected_version,) if indices is None or expected_version in indices else ()
    must_exist = bool(request.if_match and request.if_match.star_tag)
    must_not_exist = bool(request.if_none_match and request.if_none_match.star_tag)
    if indices is None and not must_exist and not must_not_exist:
        return None
    return Preconditions(indices=indices, must_exist=must_exist, must_not_exist=must_not_exist)


@blp.route("")
class Records(MethodView):
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, RecordPageSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> Any:
        """Search records (their latest versions) in key order, with a cursor (``after``)."""
        query = RecordQuery(
            key_prefix=args.get("key_prefix"),
            start=args.get("from_"),
            end=args.get("to"),
            uploader=args.get("uploader"),
            organisation=args.get("organisation"),
            data_source=args.get("data_source"),
            record_type=RecordType.parse(args["type"]).value if "type" in args else None,
            include_deleted=args["include_deleted"],
            after=args.get("after"),
            limit=args["limit"] + 1,
        )
        found = _service().search(query, actor=_actor())
        page = found[: args["limit"]]
        return {
            "items": [version_view(v) for v in page],
            "next_cursor": page[-1].key if len(found) > args["limit"] else None,
        }


@blp.route("/<key>")
class Record(MethodView):
    @blp.response(200, VerifiedRecordSchema)
    @require_token(READ)
    def get(self, key: str) -> Any:
        """The latest version with its content, verified against RecordStore.

        ``verified: false`` with a ``problem`` code when the store and the chain disagree;
        ``410 record_deleted`` (with the tombstone's transaction) after a delete."""
        record = _service().get(key, actor=_actor())
        if record.deleted:
            raise RecordDeleted(f"record {key!r} was deleted", **tombstone_facts(record))
        return record_view(record), 200, _etag(record.index)

    @blp.arguments(RecordBodySchema)
    @blp.response(200, RecordVersionSchema)
    @blp.alt_response(201, schema=RecordVersionSchema)
    @require_token(WRITE)
    def put(self, body: dict[str, Any], key: str) -> Any:
        """Write a new version (201 for the first).

        Send ``If-Match: "v<n>"`` to update only version n, ``If-None-Match: *`` to create
        only; ``412 record_version_mismatch`` otherwise."""
        actor = _actor()
        version = _service().put(
            key,
            content=body["content"],
            record_type=body["type"],
            data_source=body["data_source"],
            organisation=body.get("organisation") or actor.member,
            uploader=actor.label,
            metadata=body.get("metadata"),
            actor=actor,
            preconditions=_preconditions(body.get("expected_version")),
        )
        status = 201 if version.index == 0 else 200
        return version_view(version), status, _etag(version.index)

    @blp.arguments(DeleteQuerySchema, location="query")
    @blp.response(200, RecordVersionSchema)
    @require_token(WRITE)
    def delete(self, args: dict[str, Any], key: str) -> Any:
        """Delete by appending a tombstone version; the history is kept."""
        actor = _actor()
        version = _service().delete(
            key,
            actor.label,
            args["reason"],
            actor=actor,
            preconditions=_preconditions(None),
        )
        return version_view(version), 200, _etag(version.index)


@blp.route("/<key>/history")
class History(MethodView):
    @blp.response(200, VerifiedRecordSchema(many=True))
    @require_token(READ)
    def get(self, key: str) -> Any:
        """Every version in order, with its transaction and block, each verified."""
        return [record_view(v) for v in _service().history(key, actor=_actor())]
