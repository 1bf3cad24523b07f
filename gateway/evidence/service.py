"""What the gateway can show about one access: the record, its receipt and its proof."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gateway.errors import NotFound
from gateway.evidence.anchoring import evidence_fields
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.evidence.verify import inclusion_proof_document


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"
    title = "No such request"


def _from_hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


class EvidenceService:
    def __init__(self, engine: Engine, ledger_address: Any) -> None:
        self.engine = engine
        self.ledger_address = ledger_address

    def record(self, request_id: str) -> AccessRecordRow:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.query(AccessRecordRow).filter_by(request_id=request_id).one_or_none()
        if row is None:
            raise EvidenceNotFound(f"no request {request_id!r}", request_id=request_id)
        return row

    def evidence(self, request_id: str) -> dict[str, Any]:
        row = self.record(request_id)
        anchor = None
        if row.anchor_id is not None:
            with Session(self.engine) as session:
                anchor = session.get(AnchorRow, row.anchor_id)
        status = "anchored" if anchor is not None and anchor.status == "anchored" else "pending"
        body: dict[str, Any] = {
            "request_id": row.request_id,
            "status": status,
            "decision": row.decision,
            "reason": row.reason,
            "entry_id": row.entry_id,
            "entry_version": row.entry_version,
            "consumer": row.consumer,
            "provider": row.provider,
            "purpose": row.purpose,
            "request_digest": row.request_digest,
            "response_digest": row.response_digest,
            "received_at": row.received_at,
            "responded_at": row.responded_at,
            "receipt": json.loads(row.receipt) if row.receipt else None,
            "sequence": row.sequence,
            "root": None,
            "tx_hash": None,
            "block_number": None,
            "proof": None,
        }
        if anchor is not None and row.sequence is not None and row.leaf_index is not None:
            body.update(root=anchor.root, tx_hash=anchor.tx_hash, block_number=anchor.block_number)
            body["proof"] = inclusion_proof_document(
                evidence_fields(row, row.sequence),
                row.leaf_index,
                anchor.count,
                [_from_hex(node) for node in json.loads(row.proof or "[]")],
                _from_hex(anchor.root),
                anchor={
                    "contract": self.ledger_address(),
                    "mode": "direct" if anchor.prev_root == "direct" else "batch",
                    "first_sequence": anchor.first_sequence,
                    "tx_hash": anchor.tx_hash,
                    "block_number": anchor.block_number,
                    "status": anchor.status,
                },
            )
        return body
