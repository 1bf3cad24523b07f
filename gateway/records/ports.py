"""Ports of the record service: the SQL store of sealed versions and ``RecordStore``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gateway.records.model import ChainVersion, RecordQuery, RecordVersion


@dataclass(frozen=True)
class StoredVersion:
    """A version as the store holds it: its facts and the SM4-GCM sealed content."""

    version: RecordVersion
    sealed_content: bytes


@dataclass(frozen=True)
class Written:
    """Where ``RecordStore`` put a version."""

    index: int
    tx_hash: str
    block_number: int


class RecordIndex(Protocol):
    def versions(self, key: str) -> list[StoredVersion]: ...

    def latest(self, key: str) -> StoredVersion | None: ...

    def add(self, stored: StoredVersion, key_hash: str) -> None: ...

    def find(self, query: RecordQuery) -> list[RecordVersion]: ...

    def record_keys(self) -> list[str]: ...


class RecordLedger(Protocol):
    def put_version(
        self,
        key_hash: str,
        content_hash: str,
        uploader: str,
        organisation: str,
        data_source: str,
        record_type: str,
        tombstone: bool,
    ) -> Written: ...

    def version_count(self, key_hash: str) -> int: ...

    def version(self, key_hash: str, index: int) -> ChainVersion: ...

    def describe(self) -> dict[str, Any]: ...
