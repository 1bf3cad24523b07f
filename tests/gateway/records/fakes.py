"""An in-memory ``RecordStore`` with the contract's rules, for the service and store tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from gateway.records.errors import RecordLedgerRefused
from gateway.records.model import ChainVersion
from gateway.records.ports import Written

WRITER = "0x" + "ab" * 20


@dataclass
class FakeRecordLedger:
    versions: dict[str, list[ChainVersion]] = field(default_factory=dict)
    block: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put_version(
        self,
        key_hash: str,
        content_hash: str,
        uploader: str,
        organisation: str,
        data_source: str,
        record_type: str,
        tombstone: bool,
    ) -> Written:
        with self.lock:
            return self._put(
                key_hash, content_hash, uploader, organisation, data_source, record_type, tombstone
            )

    def _put(
        self,
        key_hash: str,
        content_hash: str,
        uploader: str,
        organisation: str,
        data_source: str,
        record_type: str,
        tombstone: bool,
    ) -> Written:
        history = self.versions.setdefault(key_hash, [])
        if tombstone and (not history or history[-1].tombstone):
            raise RecordLedgerRefused("RecordStore: record does not exist or is deleted")
        self.block += 1
        history.append(
            ChainVersion(
                content_hash,
                uploader,
                organisation,
                data_source,
                record_type,
                tombstone,
                1_700_000_000_000 + self.block,
                WRITER,
            )
        )
        return Written(len(history) - 1, "0x" + f"{self.block:064x}", self.block)

    def version_count(self, key_hash: str) -> int:
        return len(self.versions.get(key_hash, []))

    def version(self, key_hash: str, index: int) -> ChainVersion:
        return self.versions[key_hash][index]

    def describe(self) -> dict[str, Any]:
        return {"suite": "sm", "chain_id": "fake", "group_id": "1", "record_store": WRITER}


class ActiveMembers:
    def __init__(self, *codes: str) -> None:
        self.codes = set(codes)

    def is_active(self, code: str) -> bool:
        return code in self.codes
