"""Checking a stored version against ``RecordStore``: what differs, as a stable code.

Order matters: the on-chain hash is the truth, so the decrypted content (with its metadata)
is hashed and compared with it first; only then is the store's own hash column compared, and
then the other on-chain fields.
"""

from __future__ import annotations

from typing import Any

from gateway.records.model import (
    ChainVersion,
    RecordVersion,
    VerifiedRecord,
    key_hash,
    record_digest,
)
from gateway.records.ports import StoredVersion
from gateway.records.vault import ContentUnreadable, ContentVault

NOT_ON_CHAIN = "record_not_on_chain"
CONTENT_UNREADABLE = "content_unreadable"
CONTENT_MISMATCH = "content_mismatch"
STORED_HASH_MISMATCH = "stored_hash_mismatch"
CHAIN_FIELDS_MISMATCH = "chain_fields_mismatch"
MISSING_FROM_STORE = "missing_from_store"
CHAIN_AHEAD = "chain_ahead"

_UNREADABLE = object()
_FIELDS = ("uploader", "organisation", "data_source", "record_type", "tombstone")


def _problem(stored: RecordVersion, chain: ChainVersion | None, content: Any) -> tuple[str, str]:
    if chain is None:
        return NOT_ON_CHAIN, f"RecordStore has no version {stored.index} of this key"
    if content is _UNREADABLE:
        return (
            CONTENT_UNREADABLE,
            "the stored ciphertext does not decrypt: it was altered, moved or sealed under "
            "another storage key",
        )
    digest = record_digest(content, stored.metadata)
    if digest != chain.content_hash:
        return (
            CONTENT_MISMATCH,
            f"the stored content and metadata hash to {digest}, the chain holds "
            f"{chain.content_hash}",
        )
    if stored.content_hash != chain.content_hash:
        return (
            STORED_HASH_MISMATCH,
            f"the store's hash {stored.content_hash} differs from the chain's {chain.content_hash}",
        )
    differing = [name for name in _FIELDS if getattr(stored, name) != getattr(chain, name)]
    if differing:
        return CHAIN_FIELDS_MISMATCH, "differs from the chain: " + ", ".join(differing)
    return "", ""


def verify_version(
    stored: StoredVersion, chain: ChainVersion | None, vault: ContentVault
) -> VerifiedRecord:
    version = stored.version
    try:
        content: Any = vault.open(key_hash(version.key), version.index, stored.sealed_content)
    except ContentUnreadable:
        content = _UNREADABLE
    problem, detail = _problem(version, chain, content)
    return VerifiedRecord(
        key=version.key,
        index=version.index,
        content=None if content is _UNREADABLE else content,
        content_hash=version.content_hash,
        uploader=version.uploader,
        organisation=version.organisation,
        data_source=version.data_source,
        record_type=version.record_type,
        metadata=version.metadata,
        created_at=version.created_at,
        tx_hash=version.tx_hash,
        block_number=version.block_number,
        verified=not problem,
        problem=problem or None,
        problem_detail=detail or None,
        deleted=version.tombstone,
        chain=chain,
        origin=version.origin,
    )


def missing_version(key: str, index: int, chain: ChainVersion) -> VerifiedRecord:
    """A version the chain holds and the store lost."""
    return VerifiedRecord(
        key=key,
        index=index,
        content=None,
        content_hash=chain.content_hash,
        uploader=chain.uploader,
        organisation=chain.organisation,
        data_source=chain.data_source,
        record_type=chain.record_type,
        metadata={},
        created_at=None,
        tx_hash=None,
        block_number=None,
        verified=False,
        problem=MISSING_FROM_STORE,
        problem_detail=f"RecordStore holds version {index}, the store does not",
        deleted=chain.tombstone,
        chain=chain,
    )
