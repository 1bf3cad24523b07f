"""Closed access records written straight to the evidence log, as a serving gateway would."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.evidence.log import AccessClosing, AccessOpening, EvidenceLog


def log_closed_record(
    log: EvidenceLog, request_id: str, index: int = 1, at: datetime | None = None
) -> int:
    """An allowed TAX → NRD title inquiry, logged and closed; returns the record id."""
    now = at or datetime.now(UTC)
    record_id = log.open(
        AccessOpening(
            request_id=request_id,
            entry_id="NRD-TITLE",
            entry_version="0x" + "ab" * 32,
            consumer="TAX",
            provider="NRD",
            purpose="P1",
            grant_id=None,
            case_ref=None,
            client_id="c-tax",
            idempotency_key=None,
            request_digest="0x" + f"{index:064x}",
            received_at=now,
        )
    )
    log.close(
        record_id, AccessClosing("allowed", None, 200, "0x" + "ee" * 32, None, now, "{}", None)
    )
    return record_id
