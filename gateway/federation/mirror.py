"""A child taking its parent's catalogue snapshot: entries mirrored, grants kept as bounds.

Each shared entry ``E`` of parent ``P`` becomes ``P:E`` here (an id already qualified keeps
it), provided by ``P`` (a member of this alliance since ``alliance sync join``), answered
through the ``upstream`` connector, and published, revised or retired on this gateway's own
``DataCatalog`` like any entry, so evidence here cites a version anchored here. A version
whose hash does not match its definition is refused. Applying a snapshot twice changes
nothing; a child that was offline for hours applies the latest and is current.

The grants the parent gave this gateway are kept as they are (``upstream_grants``): they bound
what a grant here may allow on the parent's entries (:mod:`gateway.federation.bounds`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gateway.catalog.actors import Actor
from gateway.catalog.model import UPSTREAM_CONNECTOR, EntryStatus
from gateway.catalog.seed import CatalogSeedError, entry_from_mapping
from gateway.catalog.service import CatalogService, version_hash
from gateway.federation.documents import open_document, parse_stamp
from gateway.federation.errors import MalformedFederationDocument
from gateway.federation.identity import ENTRY_ID_LIMIT, ParentLink, origin_of, qualify
from gateway.federation.tables import UpstreamEntryRow, UpstreamGrantRow

QUERY_PATH = "/api/v1/query/"


@dataclass
class MirrorReport:
    digest: str = ""
    published: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    grants: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "published": self.published,
            "revised": self.revised,
            "retired": self.retired,
            "unchanged": len(self.unchanged),
            "skipped": self.skipped,
            "grants": self.grants,
        }


def _items(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = body.get(name)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedFederationDocument(f"{name} must be a list of objects")
    return items


class CatalogMirror:
    def __init__(
        self,
        engine: Engine,
        catalog: CatalogService,
        node: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.catalog = catalog
        self.node = node
        self.clock = clock

    def apply(self, document: object, link: ParentLink) -> MirrorReport:
        signed = open_document(document, "snapshot_version", expected_key=link.public_key)
        body = signed.body
        if body.get("node") != link.parent or body.get("child") != self.node:
            raise MalformedFederationDocument(
                f"the snapshot is {body.get('node')}'s for {body.get('child')}, "
                f"not {link.parent}'s for {self.node}"
            )
        report = MirrorReport(digest=str(body.get("digest", "")))
        actor = Actor(member=link.parent, is_office=True, label=f"federation:{link.parent}")
        offered = set()
        for item in _items(body, "entries"):
            local_id = self._mirror_entry(item, link, actor, report)
            if local_id is not None:
                offered.add(local_id)
        self._withdraw_missing(offered, actor, report)
        report.grants = self._replace_grants(_items(body, "grants"), link)
        return report

    def _mirror_entry(
        self, item: dict[str, Any], link: ParentLink, actor: Actor, report: MirrorReport
    ) -> str | None:
        parent_id = str(item.get("entry_id", ""))
        local_id = qualify(link.parent, parent_id)
        reason = self._refusal(item, local_id)
        if reason is not None:
            report.skipped.append({"entry_id": local_id, "reason": reason})
            return None
        desired = {
            **item["document"],
            "id": local_id,
            "provider": link.parent,
            "service": {"connector": UPSTREAM_CONNECTOR, "path": QUERY_PATH + parent_id},
        }
        current = self.catalog.index.get(local_id)
        parent_retired = item.get("status") == EntryStatus.RETIRED.value
        if current is None:
            if parent_retired:
                return None
            self.catalog.publish(desired, actor, mirrored=True)
            report.published.append(local_id)
        elif not (current.spec.service.upstream and current.spec.provider == link.parent):
            report.skipped.append({"entry_id": local_id, "reason": "id_taken"})
            return None
        elif current.status is EntryStatus.RETIRED:
            report.unchanged.append(local_id)
        elif parent_retired:
            self.catalog.retire(local_id, "retired by the parent gateway", actor, mirrored=True)
            report.retired.append(local_id)
        elif current.spec != entry_from_mapping(desired):
            self.catalog.revise(local_id, desired, actor, mirrored=True)
            report.revised.append(local_id)
        else:
            report.unchanged.append(local_id)
        self._remember(local_id, parent_id, item)
        return local_id

    def _refusal(self, item: dict[str, Any], local_id: str) -> str | None:
        if not isinstance(item.get("document"), dict) or not isinstance(item.get("version"), int):
            return "malformed"
        if len(local_id) > ENTRY_ID_LIMIT:
            return "id_too_long"
        if origin_of(local_id) == self.node:
            return "own_entry"
        try:
            spec = entry_from_mapping(item["document"])
        except CatalogSeedError:
            return "malformed"
        if spec.id != item.get("entry_id"):
            return "malformed"
        expected = version_hash(spec, item["version"], str(item.get("previous_hash")))
        if expected != item.get("version_hash"):
            return "version_hash_mismatch"
        return None

    def _remember(self, local_id: str, parent_id: str, item: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(
                UpstreamEntryRow(
                    entry_id=local_id,
                    parent_entry_id=parent_id,
                    parent_version=int(item["version"]),
                    parent_version_hash=str(item["version_hash"]),
                    parent_status=str(item.get("status")),
                    synced_at=self.clock(),
                )
            )

    def _withdraw_missing(self, offered: set[str], actor: Actor, report: MirrorReport) -> None:
        """An entry the parent no longer shares with this gateway is retired here too."""
        with Session(self.engine) as session:
            known = list(session.scalars(select(UpstreamEntryRow)))
        for row in known:
            if row.entry_id in offered or row.parent_status == "withdrawn":
                continue
            current = self.catalog.index.get(row.entry_id)
            if current is not None and current.status is EntryStatus.PUBLISHED:
                self.catalog.retire(
                    row.entry_id, "no longer shared by the parent gateway", actor, mirrored=True
                )
                report.retired.append(row.entry_id)
            with Session(self.engine) as session, session.begin():
                stored = session.get(UpstreamEntryRow, row.entry_id)
                if stored is not None:
                    stored.parent_status = "withdrawn"
                    stored.synced_at = self.clock()

    def _replace_grants(self, grants: list[dict[str, Any]], link: ParentLink) -> int:
        now = self.clock()
        rows = []
        for grant in grants:
            fields = grant.get("allowed_fields")
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise MalformedFederationDocument("a grant's allowed_fields is a list of names")
            rows.append(
                UpstreamGrantRow(
                    grant_id=str(grant.get("grant_id")),
                    entry_id=qualify(link.parent, str(grant.get("entry_id"))),
                    matter_code=str(grant.get("matter_code")),
                    allowed_fields=json.dumps(fields),
                    expires_at=None
                    if grant.get("expires_at") is None
                    else parse_stamp(grant["expires_at"], "a grant's expires_at"),
                    status=str(grant.get("status")),
                    synced_at=now,
                )
            )
        with Session(self.engine) as session, session.begin():
            session.execute(delete(UpstreamGrantRow))
            session.add_all(rows)
        return len(rows)
