"""Cases, their statuses and transitions as the ``Supervision`` contract numbers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class CaseStatus(Enum):
    OPEN = "open"
    ORDERED = "ordered"
    RECTIFYING = "rectifying"
    REPORTED = "reported"
    ACCEPTED = "accepted"
    REOPENED = "reopened"
    OVERDUE = "overdue"

    @property
    def chain_value(self) -> int:
        return _CHAIN_ORDER.index(self) + 1

    @classmethod
    def from_chain(cls, value: int) -> CaseStatus:
        if not 1 <= value <= len(_CHAIN_ORDER):
            raise ValueError(f"no case status {value}")
        return _CHAIN_ORDER[value - 1]

    @property
    def label_zh(self) -> str:
        return STATUS_LABELS_ZH[self]


_CHAIN_ORDER = list(CaseStatus)

STATUS_LABELS_ZH = {
    CaseStatus.OPEN: "已立案",
    CaseStatus.ORDERED: "已下达",
    CaseStatus.RECTIFYING: "整改中",
    CaseStatus.REPORTED: "已反馈",
    CaseStatus.ACCEPTED: "已验收",
    CaseStatus.REOPENED: "已退回",
    CaseStatus.OVERDUE: "已逾期",
}

SOURCE_RULE = "rule"
SOURCE_HAND = "hand"

ACTIONS = {
    "order": "order",
    "rectify": "startRectification",
    "report": "report",
    "accept": "accept",
    "reopen": "reopen",
    "overdue": "markOverdue",
}
"""Action name (API, CLI) → contract function."""

OFFICE_ACTIONS = frozenset({"order", "accept", "reopen", "overdue"})
DEPARTMENT_ACTIONS = frozenset({"rectify", "report"})


@dataclass(frozen=True)
class Transition:
    index: int
    from_status: CaseStatus | None
    to_status: CaseStatus
    actor: str
    account: str
    detail: dict[str, Any]
    """What the step's detail hash commits to: ``{"action", "note"[, "due_at"]}``; empty for
    the opening step, whose detail hash is the case's evidence hash."""
    detail_hash: str
    at: datetime
    tx_hash: str
    block_number: int

    @property
    def note(self) -> str:
        return str(self.detail.get("note", ""))

    @property
    def due_at(self) -> str | None:
        due = self.detail.get("due_at")
        return str(due) if due else None


@dataclass(frozen=True)
class Case:
    case_id: str
    rule_id: str
    dedup_key: str
    department: str
    source: str
    title: str
    status: CaseStatus
    evidence: dict[str, Any]
    evidence_hash: str
    opened_at: datetime
    due_at: datetime | None
    updated_at: datetime
    transitions: tuple[Transition, ...] = field(default=())


@dataclass(frozen=True)
class Firing:
    """One rule firing: what a new case is opened with."""

    rule_id: str
    dedup_key: str
    department: str
    title: str
    evidence: dict[str, Any]
