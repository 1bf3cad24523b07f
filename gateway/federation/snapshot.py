"""A parent's catalogue as one child sees it: entries with their version hashes, and the
grants the parent gave that child, signed with the parent's gateway key.

``digest`` is SM3 of the canonical ``{"entries", "grants"}``: what changed since a child last
pulled is told by comparing digests (``alliance sync status``). Entries that are not shared
(不予共享) are left out, and so is anything the child itself provides: a child never mirrors
its own entries back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gateway.catalog.model import Entry, Grant, SharingClass
from gateway.catalog.ports import GrantQuery
from gateway.crypto.canonical import message_digest
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.federation.documents import sign_document, stamp
from gateway.federation.identity import origin_of
from gateway.federation.tables import ChildRow

MAX_GRANTS = 100_000


def entry_document(entry: Entry) -> dict[str, Any]:
    return {
        "entry_id": entry.id,
        "version": entry.version,
        "version_hash": entry.version_hash,
        "previous_hash": entry.previous_hash,
        "status": entry.status.value,
        "document": entry.spec.document(),
    }


def grant_document(grant: Grant) -> dict[str, Any]:
    return {
        "grant_id": grant.id,
        "entry_id": grant.entry_id,
        "matter_code": grant.matter_code,
        "purpose": grant.purpose,
        "allowed_fields": list(grant.allowed_fields),
        "expires_at": stamp(grant.expires_at) if grant.expires_at else None,
        "status": grant.status.value,
        "entry_version": grant.entry_version,
    }


class CatalogSnapshots:
    def __init__(
        self,
        engine: Engine,
        entries: Callable[[], list[Entry]],
        grants: Callable[[GrantQuery], list[Grant]],
        node: str,
        key: Callable[[], Sm2PrivateKey],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.entries = entries
        self.grants = grants
        self.node = node
        self.key = key
        self.clock = clock

    def content(self, child: str) -> dict[str, Any]:
        entries = [
            entry_document(entry)
            for entry in sorted(self.entries(), key=lambda e: e.id)
            if entry.spec.sharing_class is not SharingClass.NOT_SHARED
            and entry.spec.provider != child
            and origin_of(entry.id) != child
        ]
        shared = {item["entry_id"] for item in entries}
        grants = [
            grant_document(grant)
            for grant in sorted(
                self.grants(GrantQuery(consumer=child, limit=MAX_GRANTS)), key=lambda g: g.id
            )
            if grant.entry_id in shared
        ]
        return {"entries": entries, "grants": grants}

    def digest(self, child: str) -> str:
        return "0x" + message_digest(self.content(child)).hex()

    def snapshot(self, child: str) -> dict[str, Any]:
        """The signed snapshot for ``child``; remembers what it was given and when."""
        content = self.content(child)
        digest = "0x" + message_digest(content).hex()
        now = self.clock()
        body = {
            "snapshot_version": 1,
            "node": self.node,
            "child": child,
            "issued_at": stamp(now),
            "digest": digest,
            **content,
        }
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(ChildRow)
                .where(ChildRow.node == child)
                .values(catalog_digest=digest, catalog_pulled_at=now, last_seen_at=now)
            )
        return sign_document(body, self.key())
