"""The catalogue service: providers publish, revise and retire entries; everyone browses.

Every version is hash-linked: its hash is the SM3 digest of the canonical JSON of
``{"entry": <definition>, "version": n, "previous": <hash of version n-1>}`` and is written to
``DataCatalog``, which accepts a revision only on top of its current head.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.catalog.actors import Actor, MemberDirectory
from gateway.catalog.errors import (
    EntryExists,
    EntryMirrored,
    EntryNotFound,
    EntryRetired,
    InvalidEntry,
    NotEntryOwner,
    StaleVersion,
)
from gateway.catalog.model import NODE_SEPARATOR, Entry, EntrySpec, EntryStatus
from gateway.catalog.ports import CatalogIndex, CatalogLedger, EntryQuery
from gateway.catalog.seed import entry_from_mapping
from gateway.catalog.validation import validate_entry_document
from gateway.crypto.canonical import message_digest

ZERO_HASH = "0x" + "00" * 32


def version_hash(spec: EntrySpec, number: int, previous: str) -> str:
    return (
        "0x"
        + message_digest({"entry": spec.document(), "version": number, "previous": previous}).hex()
    )


@dataclass
class CatalogSyncReport:
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    not_on_chain: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


class CatalogService:
    def __init__(
        self,
        index: CatalogIndex,
        ledger: CatalogLedger,
        members: MemberDirectory,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.index = index
        self.ledger = ledger
        self.members = members
        self.clock = clock

    def get(self, entry_id: str) -> Entry:
        entry = self.index.get(entry_id)
        if entry is None:
            raise EntryNotFound(f"no catalogue entry {entry_id!r}", entry_id=entry_id)
        return entry

    def find(self, query: EntryQuery) -> list[Entry]:
        return self.index.find(query)

    def _spec(self, document: dict[str, Any]) -> EntrySpec:
        validate_entry_document(document)
        return entry_from_mapping(document)

    def _check_provider(self, spec: EntrySpec, actor: Actor) -> None:
        if not actor.acts_for(spec.provider):
            raise NotEntryOwner(
                f"{actor.member} may not publish for {spec.provider}", entry_id=spec.id
            )
        if not (
            self.members.is_active(spec.provider)
            and self.members.has_role(spec.provider, "provider")
        ):
            raise InvalidEntry(
                f"{spec.provider} is not an active provider member", entry_id=spec.id
            )

    @staticmethod
    def _check_mirroring(spec: EntrySpec, mirrored: bool) -> None:
        """Only the federation sync writes a parent's entries, and only those."""
        if spec.mirrored and not mirrored:
            raise EntryMirrored(
                f"{spec.id} is a parent gateway's entry; it changes only with the parent",
                entry_id=spec.id,
            )
        if mirrored and not (spec.service.upstream and NODE_SEPARATOR in spec.id):
            raise InvalidEntry("a mirrored entry is CODE:ENTRY with the upstream connector")

    def publish(self, document: dict[str, Any], actor: Actor, *, mirrored: bool = False) -> Entry:
        spec = self._spec(document)
        self._check_mirroring(spec, mirrored)
        self._check_provider(spec, actor)
        if self.index.get(spec.id) is not None or self.ledger.read(spec.id) is not None:
            raise EntryExists(f"entry {spec.id} already exists", entry_id=spec.id)
        digest = version_hash(spec, 0, ZERO_HASH)
        tx_hash = self.ledger.publish(spec.id, spec.provider, spec.sharing_class, digest)
        self.index.save_version(spec, 0, digest, ZERO_HASH, tx_hash, actor.label, self.clock())
        return self.get(spec.id)

    def revise(
        self,
        entry_id: str,
        document: dict[str, Any],
        actor: Actor,
        if_match: str | None = None,
        *,
        mirrored: bool = False,
    ) -> Entry:
        current = self.get(entry_id)
        self._check_mirroring(current.spec, mirrored)
        if current.status is EntryStatus.RETIRED:
            raise EntryRetired(f"entry {entry_id} is retired", entry_id=entry_id)
        if not actor.acts_for(current.spec.provider):
            raise NotEntryOwner(
                f"{actor.member} does not own {entry_id} (provider {current.spec.provider})",
                entry_id=entry_id,
            )
        if if_match is not None and if_match != current.version_hash:
            raise StaleVersion(
                f"entry {entry_id} is at version {current.version} ({current.version_hash})",
                entry_id=entry_id,
                current_version=current.version,
                current_hash=current.version_hash,
            )
        spec = self._spec({**document, "id": entry_id})
        self._check_mirroring(spec, mirrored)
        if spec.provider != current.spec.provider:
            raise InvalidEntry("an entry's provider cannot change", entry_id=entry_id)
        number = current.version + 1
        digest = version_hash(spec, number, current.version_hash)
        tx_hash = self.ledger.revise(entry_id, digest, current.version_hash, spec.sharing_class)
        self.index.save_version(
            spec, number, digest, current.version_hash, tx_hash, actor.label, self.clock()
        )
        return self.get(entry_id)

    def retire(self, entry_id: str, reason: str, actor: Actor, *, mirrored: bool = False) -> Entry:
        current = self.get(entry_id)
        self._check_mirroring(current.spec, mirrored)
        if current.status is EntryStatus.RETIRED:
            raise EntryRetired(f"entry {entry_id} is already retired", entry_id=entry_id)
        if not actor.acts_for(current.spec.provider):
            raise NotEntryOwner(f"{actor.member} does not own {entry_id}", entry_id=entry_id)
        self.ledger.retire(entry_id, reason)
        self.index.set_status(entry_id, EntryStatus.RETIRED, self.clock())
        return self.get(entry_id)

    def sync(self) -> CatalogSyncReport:
        """Reconcile the index with ``DataCatalog``: status from the chain, documents checked.

        The chain holds version hashes, not documents; an on-chain version whose document the
        index lacks is reported, never invented.
        """
        report = CatalogSyncReport()
        on_chain = set(self.ledger.entry_ids())
        for entry_id in sorted(on_chain):
            remote = self.ledger.read(entry_id)
            local = self.index.get(entry_id)
            if remote is None:
                continue
            if local is None or local.version_hash != remote.latest_hash:
                report.missing_documents.append(entry_id)
                continue
            if local.status is not remote.status:
                self.index.set_status(entry_id, remote.status, self.clock())
                report.updated.append(entry_id)
            else:
                report.unchanged.append(entry_id)
        report.not_on_chain = sorted(e.id for e in self.index.all_entries() if e.id not in on_chain)
        return report
