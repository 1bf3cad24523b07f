"""``/api/v1/catalog``: browse, search, publish, revise, retire and export entries."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.catalog.export import dcat_catalog, json_catalog
from gateway.catalog.model import EntryStatus, SharingClass
from gateway.catalog.ports import EntryQuery
from gateway.catalog.schemas import (
    CatalogSyncSchema,
    EntryDocumentSchema,
    EntryPageSchema,
    EntryQuerySchema,
    EntrySchema,
    ExportQuerySchema,
    ReasonRequiredSchema,
    VersionSchema,
)
from gateway.crypto.hashing import sm3
from gateway.http.api.catalog_support import current_actor, entry_document, entry_view, services
from gateway.oauth.resource import require_token

blp = Blueprint("catalog", __name__, url_prefix="/catalog", description="The shared data catalogue")

READ = "catalog:read"
WRITE = ("catalog:write", "catalog:admin")


def _with_etag(body: Any, etag: str, status: int = 200) -> Any:
    """Answer 304 when the client already has this representation (RFC 9110 §13.1.2)."""
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    return body, status, {"ETag": f'"{etag}"'}


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(EntryQuerySchema, location="query")
    @blp.response(200, EntryPageSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> Any:
        """Search (Chinese or English text) and filter entries, in pages ordered by id."""
        query = EntryQuery(
            text=args.get("q"),
            provider=args.get("provider"),
            sharing_class=SharingClass(args["sharing_class"]) if "sharing_class" in args else None,
            status=EntryStatus(args["status"]) if "status" in args else None,
            after=args.get("after"),
            limit=args["limit"] + 1,
        )
        found = services().catalog.find(query)
        page = found[: args["limit"]]
        body = {
            "items": [entry_view(e) for e in page],
            "next_cursor": page[-1].id if len(found) > args["limit"] else None,
        }
        etag = sm3("|".join(f"{e.id}:{e.version_hash}:{e.status.value}" for e in found).encode())
        return _with_etag(body, etag.hex()[:32])

    @blp.arguments(EntryDocumentSchema)
    @blp.response(201, EntrySchema)
    @require_token(any_of=WRITE)
    def post(self, body: dict[str, Any]) -> Any:
        """Publish a new entry as version 0 (written to DataCatalog)."""
        entry = services().catalog.publish(entry_document(body), current_actor())
        return entry_view(entry), 201, {"ETag": f'"{entry.version_hash}"'}


@blp.route("/entries/<entry_id>")
class EntryDetail(MethodView):
    @blp.response(200, EntrySchema)
    @require_token(READ)
    def get(self, entry_id: str) -> Any:
        """One entry; its ETag is the current version hash."""
        entry = services().catalog.get(entry_id)
        return _with_etag(entry_view(entry), entry.version_hash)

    @blp.arguments(EntryDocumentSchema)
    @blp.response(200, EntrySchema)
    @require_token(any_of=WRITE)
    def put(self, body: dict[str, Any], entry_id: str) -> Any:
        """Revise: a new version hash-linked to the current one. Send ``If-Match``."""
        if_match = next(iter(request.if_match), None) if request.if_match else None
        entry = services().catalog.revise(entry_id, entry_document(body), current_actor(), if_match)
        return entry_view(entry), 200, {"ETag": f'"{entry.version_hash}"'}


@blp.route("/entries/<entry_id>/retire")
class Retire(MethodView):
    @blp.arguments(ReasonRequiredSchema)
    @blp.response(200, EntrySchema)
    @require_token(any_of=WRITE)
    def post(self, body: dict[str, Any], entry_id: str) -> Any:
        """Retire an entry (final)."""
        return entry_view(services().catalog.retire(entry_id, body["reason"], current_actor()))


@blp.route("/entries/<entry_id>/versions")
class Versions(MethodView):
    @blp.response(200, VersionSchema(many=True))
    @require_token(READ)
    def get(self, entry_id: str) -> Any:
        """Every version with its hash, the previous hash it commits to, and its transaction."""
        return list(services().catalog.get(entry_id).versions)


_EXPORT_RESPONSE = {
    "description": "The catalogue: JSON, or JSON-LD with format=dcat",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/ld+json": {"schema": {"type": "object"}},
    },
}


@blp.route("/export")
class Export(MethodView):
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.doc(responses={"200": _EXPORT_RESPONSE})
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> Any:
        """The whole catalogue as JSON, or as DCAT-style JSON-LD (``format=dcat``)."""
        entries = services().catalog.index.all_entries()
        if args["format"] == "dcat":
            return (
                dcat_catalog(entries, services().settings.base_url),
                200,
                {"Content-Type": "application/ld+json"},
            )
        return json_catalog(entries)


@blp.route("/sync")
class Sync(MethodView):
    @blp.response(200, CatalogSyncSchema)
    @require_token("catalog:admin")
    def post(self) -> Any:
        """Reconcile the index with DataCatalog."""
        return services().catalog.sync()
