"""Records as the API and the CLI show them."""

from __future__ import annotations

from typing import Any

from gateway.records.model import RecordVersion, VerifiedRecord


def version_view(version: RecordVersion) -> dict[str, Any]:
    return {
        "key": version.key,
        "index": version.index,
        "content_hash": version.content_hash,
        "type": version.record_type,
        "type_zh": version.record_type_zh,
        "data_source": version.data_source,
        "organisation": version.organisation,
        "uploader": version.uploader,
        "metadata": version.metadata,
        "created_at": version.created_at.isoformat(),
        "tx_hash": version.tx_hash,
        "block_number": version.block_number,
        "deleted": version.tombstone,
        "origin": version.origin,
    }


def record_view(record: VerifiedRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "index": record.index,
        "content": record.content,
        "content_hash": record.content_hash,
        "type": record.record_type,
        "type_zh": record.record_type_zh,
        "data_source": record.data_source,
        "organisation": record.organisation,
        "uploader": record.uploader,
        "metadata": record.metadata,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "tx_hash": record.tx_hash,
        "block_number": record.block_number,
        "deleted": record.deleted,
        "origin": record.origin,
        "verified": record.verified,
        "problem": record.problem,
        "problem_detail": record.problem_detail,
        "chain": record.chain.document() if record.chain else None,
    }
