"""``DataCatalog`` and ``AccessGrants`` on chain as the catalogue's ledger ports."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.catalog.model import EntryStatus, GrantStatus, SharingClass
from gateway.catalog.ports import LedgerEntry, LedgerGrant
from gateway.onchain.bound import BoundContract, bytes32_to_text, hash_to_bytes32, text_to_bytes32

_ENTRY_STATUS = {1: EntryStatus.PUBLISHED, 2: EntryStatus.RETIRED}


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class ChainCatalogLedger:
    def __init__(self, catalog: BoundContract) -> None:
        self.catalog = catalog

    def publish(
        self, entry_id: str, provider: str, sharing: SharingClass, version_hash: str
    ) -> str:
        return self.catalog.transact(
            "publishEntry",
            text_to_bytes32(entry_id),
            text_to_bytes32(provider),
            sharing.chain_value,
            hash_to_bytes32(version_hash),
        )

    def revise(
        self, entry_id: str, version_hash: str, previous_hash: str, sharing: SharingClass
    ) -> str:
        return self.catalog.transact(
            "reviseEntry",
            text_to_bytes32(entry_id),
            hash_to_bytes32(version_hash),
            hash_to_bytes32(previous_hash),
            sharing.chain_value,
        )

    def retire(self, entry_id: str, reason: str) -> str:
        return self.catalog.transact("retireEntry", text_to_bytes32(entry_id), reason)

    def read(self, entry_id: str) -> LedgerEntry | None:
        key = text_to_bytes32(entry_id)
        if self.catalog.call("statusOf", key) == 0:
            return None
        provider, sharing, status, count, latest, _updated = self.catalog.call("getEntry", key)
        return LedgerEntry(
            entry_id=entry_id,
            provider=bytes32_to_text(provider),
            sharing_class=list(SharingClass)[sharing],
            status=_ENTRY_STATUS[status],
            version_count=int(count),
            latest_hash=_hex(latest),
        )

    def version_hashes(self, entry_id: str) -> list[tuple[str, str]]:
        """(version hash, previous hash) of every version, oldest first."""
        key = text_to_bytes32(entry_id)
        count = int(self.catalog.call("getEntry", key)[3])
        versions = []
        for index in range(count):
            version_hash, previous, *_ = self.catalog.call("getVersion", key, index)
            versions.append((_hex(version_hash), _hex(previous)))
        return versions

    def entry_ids(self) -> Sequence[str]:
        count = int(self.catalog.call("entryCount"))
        return [bytes32_to_text(self.catalog.call("entryIdAt", i)) for i in range(count)]


class ChainGrantLedger:
    def __init__(self, grants: BoundContract) -> None:
        self.grants = grants

    def apply(
        self,
        grant_id: str,
        entry_id: str,
        consumer: str,
        matter_code: str,
        purpose: str,
        fields: Sequence[str],
        requested_expiry: int,
    ) -> str:
        return self.grants.transact(
            "applyForAccess",
            text_to_bytes32(grant_id),
            text_to_bytes32(entry_id),
            text_to_bytes32(consumer),
            text_to_bytes32(matter_code),
            purpose,
            [text_to_bytes32(f) for f in fields],
            requested_expiry,
        )

    def approve(self, grant_id: str, fields: Sequence[str], expires_at: int) -> str:
        return self.grants.transact(
            "approveGrant",
            text_to_bytes32(grant_id),
            [text_to_bytes32(f) for f in fields],
            expires_at,
        )

    def reject(self, grant_id: str, reason: str) -> str:
        return self.grants.transact("rejectGrant", text_to_bytes32(grant_id), reason)

    def revoke(self, grant_id: str, reason: str) -> str:
        return self.grants.transact("revokeGrant", text_to_bytes32(grant_id), reason)

    def read(self, grant_id: str) -> LedgerGrant | None:
        key = text_to_bytes32(grant_id)
        if self.grants.call("statusOf", key) == 0:
            return None
        entry_id, consumer, matter, _purpose, status, expires, version = self.grants.call(
            "getGrant", key
        )
        allowed = self.grants.call("allowedFields", key)
        return LedgerGrant(
            grant_id=grant_id,
            entry_id=bytes32_to_text(entry_id),
            consumer=bytes32_to_text(consumer),
            matter_code=bytes32_to_text(matter),
            status=list(GrantStatus)[status - 1],
            expires_at=int(expires),
            entry_version=_hex(version),
            allowed_fields=tuple(bytes32_to_text(f) for f in allowed),
        )

    def is_usable(self, grant_id: str) -> bool:
        return bool(self.grants.call("isUsable", text_to_bytes32(grant_id)))
