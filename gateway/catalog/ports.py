"""Ports of the catalogue and grant services: the SQL index and the two contracts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gateway.catalog.model import Entry, EntrySpec, EntryStatus, Grant, GrantStatus, SharingClass


@dataclass(frozen=True)
class EntryQuery:
    text: str | None = None
    provider: str | None = None
    sharing_class: SharingClass | None = None
    status: EntryStatus | None = None
    after: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str
    provider: str
    sharing_class: SharingClass
    status: EntryStatus
    version_count: int
    latest_hash: str


@dataclass(frozen=True)
class GrantQuery:
    consumer: str | None = None
    provider: str | None = None
    entry_id: str | None = None
    status: GrantStatus | None = None
    after: str | None = None
    limit: int = 50


class CatalogIndex(Protocol):
    def get(self, entry_id: str) -> Entry | None: ...

    def find(self, query: EntryQuery) -> list[Entry]: ...

    def save_version(
        self,
        spec: EntrySpec,
        number: int,
        version_hash: str,
        previous_hash: str,
        tx_hash: str | None,
        published_by: str,
        at: datetime,
    ) -> None: ...

    def set_status(self, entry_id: str, status: EntryStatus, at: datetime) -> None: ...

    def count(self) -> int: ...

    def all_entries(self) -> list[Entry]: ...


class CatalogLedger(Protocol):
    def publish(
        self, entry_id: str, provider: str, sharing: SharingClass, version_hash: str
    ) -> str: ...

    def revise(
        self, entry_id: str, version_hash: str, previous_hash: str, sharing: SharingClass
    ) -> str: ...

    def retire(self, entry_id: str, reason: str) -> str: ...

    def read(self, entry_id: str) -> LedgerEntry | None: ...

    def entry_ids(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class LedgerGrant:
    grant_id: str
    entry_id: str
    consumer: str
    matter_code: str
    status: GrantStatus
    expires_at: int
    entry_version: str
    allowed_fields: tuple[str, ...]


class GrantIndex(Protocol):
    def get(self, grant_id: str) -> Grant | None: ...

    def find(self, query: GrantQuery) -> list[Grant]: ...

    def save(self, grant: Grant) -> None: ...

    def add_event(
        self, grant_id: str, action: str, actor: str, reason: str, tx_hash: str | None, at: datetime
    ) -> None: ...


class GrantLedger(Protocol):
    def apply(
        self,
        grant_id: str,
        entry_id: str,
        consumer: str,
        matter_code: str,
        purpose: str,
        fields: Sequence[str],
        requested_expiry: int,
    ) -> str: ...

    def approve(self, grant_id: str, fields: Sequence[str], expires_at: int) -> str: ...

    def reject(self, grant_id: str, reason: str) -> str: ...

    def revoke(self, grant_id: str, reason: str) -> str: ...

    def read(self, grant_id: str) -> LedgerGrant | None: ...


class GrantBounds(Protocol):
    """The most a grant may allow. On an entry mirrored from the parent gateway, the parent's
    grant to this gateway bounds every grant here (docs/federation.md): ``check`` raises
    a :class:`gateway.errors.GatewayError` for fields, a matter or an expiry beyond it."""

    def check(
        self, entry: Entry, matter_code: str, fields: Sequence[str], expires_at: datetime
    ) -> None: ...
