"""The record service: put, read and verify, list history, delete by tombstone, search.

A version is written on ``RecordStore`` first (the event gives its index), then sealed with
SM4-GCM and stored. Every read decrypts, re-hashes with SM3 and compares with the chain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from gateway.records.errors import (
    InvalidRecord,
    NotRecordOrganisation,
    RecordDeleted,
    RecordNotFound,
    RecordVersionMismatch,
)
from gateway.records.model import (
    RecordActor,
    RecordDraft,
    RecordQuery,
    RecordType,
    RecordVersion,
    VerifiedRecord,
    check_key,
    draft,
    key_hash,
)
from gateway.records.ports import RecordIndex, RecordLedger, StoredVersion
from gateway.records.vault import ContentVault
from gateway.records.verify import CHAIN_AHEAD, missing_version, verify_version


class Organisations(Protocol):
    """Which organisations (member codes) may own records."""

    def is_active(self, code: str) -> bool: ...


@dataclasses.dataclass(frozen=True)
class Preconditions:
    """``If-Match`` (the latest index must be one of ``indices``) and ``If-None-Match: *``."""

    indices: tuple[int, ...] | None = None
    must_exist: bool = False
    must_not_exist: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


class RecordService:
    def __init__(
        self,
        index: RecordIndex,
        ledger: RecordLedger,
        vault: ContentVault,
        organisations: Organisations,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.index = index
        self.ledger = ledger
        self.vault = vault
        self.organisations = organisations
        self.clock = clock

    # writing

    def put(
        self,
        key: str,
        *,
        content: Any,
        record_type: str | RecordType,
        data_source: str,
        organisation: str,
        uploader: str,
        metadata: dict[str, Any] | None = None,
        actor: RecordActor | None = None,
        preconditions: Preconditions | None = None,
    ) -> RecordVersion:
        """Write a new version of ``key`` (the first one creates the record)."""
        new = draft(
            key,
            content=content,
            record_type=record_type,
            data_source=data_source,
            organisation=organisation,
            uploader=uploader,
            metadata=metadata,
        )
        if not self.organisations.is_active(new.organisation):
            raise InvalidRecord(f"{new.organisation} is not an active member", field="organisation")
        latest = self.index.latest(new.key)
        self._check_preconditions(new.key, latest, preconditions)
        if actor is not None:
            self._check_actor(actor, new.organisation, latest)
        return self._append(new)

    def delete(
        self,
        key: str,
        uploader: str,
        reason: str = "",
        *,
        actor: RecordActor | None = None,
        preconditions: Preconditions | None = None,
    ) -> RecordVersion:
        """Append a tombstone version; the history stays on chain and in the store."""
        latest = self.index.latest(check_key(key))
        if latest is None:
            raise RecordNotFound(f"no record {key!r}", key=key)
        current = latest.version
        if current.tombstone:
            raise RecordDeleted(f"record {key!r} is already deleted", **_tombstone_facts(current))
        self._check_preconditions(key, latest, preconditions)
        if actor is not None:
            self._check_actor(actor, current.organisation, latest)
        tombstone = RecordDraft(
            key=key,
            content=None,
            record_type=RecordType(current.record_type),
            data_source=current.data_source,
            organisation=current.organisation,
            uploader=uploader,
            metadata={"reason": reason} if reason else {},
            tombstone=True,
        )
        return self._append(tombstone)

    def _append(
        self,
        new: RecordDraft,
        *,
        created_at: datetime | None = None,
        origin: dict[str, Any] | None = None,
    ) -> RecordVersion:
        hashed_key = key_hash(new.key)
        written = self.ledger.put_version(
            hashed_key,
            new.content_hash,
            new.uploader,
            new.organisation,
            new.data_source,
            new.record_type.value,
            new.tombstone,
        )
        version = RecordVersion(
            key=new.key,
            index=written.index,
            content_hash=new.content_hash,
            uploader=new.uploader,
            organisation=new.organisation,
            data_source=new.data_source,
            record_type=new.record_type.value,
            metadata=new.metadata,
            created_at=created_at or self.clock(),
            tx_hash=written.tx_hash,
            block_number=written.block_number,
            tombstone=new.tombstone,
            origin=origin,
        )
        sealed = self.vault.seal(hashed_key, written.index, new.content)
        self.index.add(StoredVersion(version, sealed), hashed_key)
        return version

    def restore_version(
        self, new: RecordDraft, *, created_at: datetime, origin: dict[str, Any]
    ) -> RecordVersion:
        """Replay a version from a backup bundle (already verified) with its original time."""
        return self._append(new, created_at=created_at, origin=origin)

    @staticmethod
    def _check_actor(actor: RecordActor, organisation: str, latest: StoredVersion | None) -> None:
        if not actor.acts_for(organisation):
            raise NotRecordOrganisation(
                f"{actor.member} may not write records for {organisation}",
                organisation=organisation,
            )
        if latest is not None and not actor.acts_for(latest.version.organisation):
            raise NotRecordOrganisation(
                f"record {latest.version.key!r} belongs to {latest.version.organisation}",
                organisation=latest.version.organisation,
            )

    @staticmethod
    def _check_preconditions(
        key: str, latest: StoredVersion | None, preconditions: Preconditions | None
    ) -> None:
        if preconditions is None:
            return
        current = None if latest is None else latest.version.index
        live = latest is not None and not latest.version.tombstone
        if preconditions.must_not_exist and live:
            raise RecordVersionMismatch(
                f"record {key!r} exists (version {current})", key=key, current_version=current
            )
        if preconditions.must_exist and not live:
            raise RecordVersionMismatch(f"record {key!r} does not exist", key=key)
        if preconditions.indices is not None and current not in preconditions.indices:
            raise RecordVersionMismatch(
                f"record {key!r} is at version {current}", key=key, current_version=current
            )

    # reading

    def get(self, key: str, *, actor: RecordActor | None = None) -> VerifiedRecord:
        """The latest version, decrypted and verified against ``RecordStore``.

        A deleted record is returned with ``deleted`` set (its tombstone version)."""
        latest = self.index.latest(check_key(key))
        if latest is None or (actor is not None and not self._may_read(actor, latest)):
            raise RecordNotFound(f"no record {key!r}", key=key)
        hashed_key = key_hash(key)
        count = self.ledger.version_count(hashed_key)
        index = latest.version.index
        chain = self.ledger.version(hashed_key, index) if index < count else None
        record = verify_version(latest, chain, self.vault)
        if record.verified and count > index + 1:
            return dataclasses.replace(
                record,
                verified=False,
                problem=CHAIN_AHEAD,
                problem_detail=f"RecordStore holds {count} versions, the store {index + 1}",
            )
        return record

    def history(self, key: str, *, actor: RecordActor | None = None) -> list[VerifiedRecord]:
        """Every version in order, each verified; versions the store lost are listed too."""
        stored = {s.version.index: s for s in self.index.versions(check_key(key))}
        if not stored or (actor is not None and not self._may_read(actor, stored[max(stored)])):
            raise RecordNotFound(f"no record {key!r}", key=key)
        hashed_key = key_hash(key)
        count = self.ledger.version_count(hashed_key)
        versions = []
        for index in range(max(count, max(stored) + 1)):
            chain = self.ledger.version(hashed_key, index) if index < count else None
            if index in stored:
                versions.append(verify_version(stored[index], chain, self.vault))
            elif chain is not None:
                versions.append(missing_version(key, index, chain))
        return versions

    def search(
        self, query: RecordQuery, *, actor: RecordActor | None = None
    ) -> list[RecordVersion]:
        """Each matching record's latest version (not verified: open one to verify it)."""
        if actor is not None and not actor.sees_all:
            if query.organisation not in (None, actor.member):
                return []
            query = dataclasses.replace(query, organisation=actor.member)
        return self.index.find(query)

    @staticmethod
    def _may_read(actor: RecordActor, latest: StoredVersion) -> bool:
        return actor.acts_for(latest.version.organisation)


def _tombstone_facts(version: RecordVersion) -> dict[str, Any]:
    return {
        "key": version.key,
        "version": version.index,
        "tx_hash": version.tx_hash,
        "block_number": version.block_number,
        "deleted_at": version.created_at.isoformat(),
        "reason": version.metadata.get("reason", ""),
    }


def tombstone_facts(record: VerifiedRecord) -> dict[str, Any]:
    """What a 410 ``record_deleted`` answer tells about the deletion."""
    return {
        "key": record.key,
        "version": record.index,
        "tx_hash": record.tx_hash,
        "block_number": record.block_number,
        "deleted_at": record.created_at.isoformat() if record.created_at else None,
        "reason": record.metadata.get("reason", ""),
        "verified": record.verified,
    }
