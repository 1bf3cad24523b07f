"""Searching the access log for auditors: every access, allowed or not, with its anchoring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.privacy.masking import redact_identifiers


@dataclass(frozen=True)
class RecordQuery:
    start: datetime | None = None
    end: datetime | None = None
    consumer: str | None = None
    provider: str | None = None
    entry_id: str | None = None
    purpose: str | None = None
    decision: str | None = None
    anchoring: str | None = None  # "anchored" | "pending"
    after: int | None = None  # cursor: the last record id of the previous page
    limit: int = 50


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def find(self, query: RecordQuery) -> list[dict[str, Any]]:
        statement = (
            select(AccessRecordRow, AnchorRow)
            .outerjoin(AnchorRow, AnchorRow.id == AccessRecordRow.anchor_id)
            .order_by(AccessRecordRow.id)
            .limit(query.limit)
        )
        for column, value in (
            (AccessRecordRow.consumer, query.consumer),
            (AccessRecordRow.provider, query.provider),
            (AccessRecordRow.entry_id, query.entry_id),
            (AccessRecordRow.purpose, query.purpose),
            (AccessRecordRow.decision, query.decision),
        ):
            if value:
                statement = statement.where(column == value)
        if query.start:
            statement = statement.where(AccessRecordRow.received_at >= query.start)
        if query.end:
            statement = statement.where(AccessRecordRow.received_at < query.end)
        if query.anchoring == "anchored":
            statement = statement.where(AnchorRow.status == "anchored")
        elif query.anchoring == "pending":
            statement = statement.where(
                (AccessRecordRow.anchor_id.is_(None)) | (AnchorRow.status != "anchored")
            )
        if query.after:
            statement = statement.where(AccessRecordRow.id > query.after)
        with Session(self.engine) as session:
            return [self._view(record, anchor) for record, anchor in session.execute(statement)]

    @staticmethod
    def _view(record: AccessRecordRow, anchor: AnchorRow | None) -> dict[str, Any]:
        anchored = anchor is not None and anchor.status == "anchored"
        return {
            "id": record.id,
            "request_id": record.request_id,
            "received_at": record.received_at,
            "responded_at": record.responded_at,
            "consumer": record.consumer,
            "provider": record.provider,
            "entry_id": record.entry_id,
            "entry_version": record.entry_version,
            "purpose": record.purpose,
            "case_ref": redact_identifiers(record.case_ref),
            "decision": record.decision,
            "reason": record.reason,
            "http_status": record.http_status,
            "request_digest": record.request_digest,
            "response_digest": record.response_digest,
            "anchoring": "anchored" if anchored else "pending",
            "sequence": record.sequence,
            "root": anchor.root if anchor else None,
            "tx_hash": anchor.tx_hash if anchor else None,
            "block_number": anchor.block_number if anchor else None,
        }
