"""What reconciliation reports: kinds of finding, and a tally of one pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of finding (docs/reconciliation.md, Findings).
ROW_CHANGED = "row_changed_after_anchoring"
EVIDENCE_MISMATCH = "digest_mismatch"
RECORDS_MISSING = "records_missing"
MISSING_ANCHOR = "missing_anchor"
ANCHOR_NOT_ON_CHAIN = "anchor_not_on_chain"
ANCHOR_WITHOUT_RECORDS = "anchor_without_records"
SEQUENCE_GAP = "sequence_gap"


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: dict[str, Any]


@dataclass
class EvidenceTally:
    records: int = 0
    anchors: int = 0
    findings: list[Finding] = field(default_factory=list)
