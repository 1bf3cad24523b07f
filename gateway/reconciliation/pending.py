"""Records and batches that should be on chain by now and are not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from gateway.evidence.log import PENDING
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow
from gateway.reconciliation.findings import MISSING_ANCHOR, Finding
from gateway.reconciliation.rows import stamp


def unanchored_findings(engine: Engine, older_than: datetime) -> list[Finding]:
    """Closed records waiting too long, or lost from the outbox altogether."""
    findings: list[Finding] = []
    with engine.connect() as connection:
        late = connection.execute(
            select(AccessRecordRow.id, AccessRecordRow.request_id, OutboxRow.created_at)
            .join(OutboxRow, OutboxRow.record_id == AccessRecordRow.id)
            .where(AccessRecordRow.decision != PENDING)
            .where(OutboxRow.created_at < older_than)
            .order_by(AccessRecordRow.id)
            .limit(1000)
        ).all()
        lost = connection.execute(
            select(AccessRecordRow.id, AccessRecordRow.request_id)
            .outerjoin(OutboxRow, OutboxRow.record_id == AccessRecordRow.id)
            .where(AccessRecordRow.anchor_id.is_(None))
            .where(AccessRecordRow.decision != PENDING)
            .where(OutboxRow.record_id.is_(None))
            .order_by(AccessRecordRow.id)
            .limit(1000)
        ).all()
        stuck = connection.execute(
            select(AnchorRow.id, AnchorRow.root, AnchorRow.prepared_at)
            .where(AnchorRow.status == "prepared")
            .where(AnchorRow.prepared_at < older_than)
        ).all()
    for record_id, request_id, waiting_since in late:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"record:{record_id}",
                {
                    "request_id": request_id,
                    "problem": "closed but not anchored in time",
                    "waiting_since": stamp(waiting_since),
                },
            )
        )
    for record_id, request_id in lost:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"record:{record_id}",
                {
                    "request_id": request_id,
                    "problem": "closed, not anchored and not queued for anchoring",
                },
            )
        )
    for anchor_id, root, prepared_at in stuck:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"anchor:{anchor_id}",
                {
                    "root": root,
                    "problem": "batch prepared but not anchored on chain",
                    "prepared_at": stamp(prepared_at),
                },
            )
        )
    return findings
