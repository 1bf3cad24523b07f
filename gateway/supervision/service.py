"""The supervision loop: open cases from rule firings or by hand, move them on chain, record
each transition (tx hash, block, chain time) in the SQL index, and escalate overdue orders.

A transition is sent to the ``Supervision`` contract first and recorded only once the chain
accepted it, so the index never holds a step the chain refused. The detail of a step (the
order's instructions, the report) is kept in SQL; the chain holds its SM3 digest (RFC 8785
canonical JSON), so a reader can check the text against the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.crypto.canonical import message_digest
from gateway.settings import SupervisionSettings
from gateway.supervision.errors import ActorNotAllowed, InvalidCaseRequest, TransitionRefused
from gateway.supervision.ledger import ChainSupervisionLedger, Sent
from gateway.supervision.model import (
    ACTIONS,
    DEPARTMENT_ACTIONS,
    OFFICE_ACTIONS,
    SOURCE_HAND,
    SOURCE_RULE,
    Case,
    CaseStatus,
    Firing,
    Transition,
)
from gateway.supervision.rules import MANUAL, evaluate
from gateway.supervision.store import CaseQuery, SqlCaseStore

log = logging.getLogger(__name__)

SUPERVISOR_ROLE = "supervisor"


def digest_hex(value: object) -> str:
    return "0x" + message_digest(value).hex()


def case_id_of(dedup_key: str) -> str:
    """A case's id: SM3 of its dedup key, so the same firing always names the same case."""
    return digest_hex({"dedup_key": dedup_key})


def evidence_hash_of(evidence: dict[str, Any]) -> str:
    return digest_hex(evidence)


def detail_of(action: str, note: str, due_at: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"action": action, "note": note}
    if due_at is not None:
        detail["due_at"] = due_at
    return detail


def chain_time(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


@dataclass
class RunReport:
    fired: int = 0
    opened: list[str] = field(default_factory=list)
    already_open: int = 0
    overdue: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SupervisionService:
    def __init__(
        self,
        *,
        store: SqlCaseStore,
        ledger: ChainSupervisionLedger,
        settings: SupervisionSettings,
        rules: Callable[[datetime], list[Firing]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.settings = settings
        self.rules = rules
        self.clock = clock

    @property
    def office(self) -> str:
        return self.settings.office

    # -- reads -------------------------------------------------------------------------------

    def get(self, case_id: str) -> Case:
        return self.store.get(case_id)

    def find(self, query: CaseQuery) -> list[Case]:
        return self.store.find(query)

    def notices(self, limit: int = 50) -> list[dict[str, object]]:
        return self.store.notices(limit)

    # -- opening ------------------------------------------------------------------------------

    def open_firing(self, firing: Firing) -> Case | None:
        """Open the firing's case on chain, once: None if it is already open."""
        if self.store.has_dedup_key(firing.dedup_key):
            return None
        case_id = case_id_of(firing.dedup_key)
        evidence_hash = evidence_hash_of(firing.evidence)
        if self.ledger.status_of(case_id) == 0:
            sent = self.ledger.open_by_rule(
                case_id, firing.rule_id, firing.department, evidence_hash
            )
        else:  # opened on chain by a run that stopped before recording it
            sent = self._recover_opening(case_id)
        return self._record_opening(case_id, firing, SOURCE_RULE, evidence_hash, sent)

    def open_by_hand(
        self, department: str, title: str, note: str, evidence: dict[str, Any]
    ) -> Case:
        if not title.strip():
            raise InvalidCaseRequest("a case needs a title", field="title")
        opened = self.clock()
        dedup_key = f"{MANUAL}:{department}:{opened.isoformat()}:{title}"[:200]
        firing = Firing(MANUAL, dedup_key, department, title, {"note": note, **evidence})
        case_id = case_id_of(dedup_key)
        evidence_hash = evidence_hash_of(firing.evidence)
        sent = self.ledger.open_by_hand(self.office, case_id, MANUAL, department, evidence_hash)
        case = self._record_opening(case_id, firing, SOURCE_HAND, evidence_hash, sent)
        assert case is not None  # noqa: S101 - a fresh dedup key
        return case

    def _recover_opening(self, case_id: str) -> Sent:
        first = self.ledger.transitions(case_id)[0]
        return Sent("", 0, first.at_ms, first.actor, first.account)

    def _record_opening(
        self,
        case_id: str,
        firing: Firing,
        source: str,
        evidence_hash: str,
        sent: Sent,
    ) -> Case | None:
        at = chain_time(sent.at_ms)
        case = Case(
            case_id=case_id,
            rule_id=firing.rule_id,
            dedup_key=firing.dedup_key,
            department=firing.department,
            source=source,
            title=firing.title,
            status=CaseStatus.OPEN,
            evidence=firing.evidence,
            evidence_hash=evidence_hash,
            opened_at=at,
            due_at=None,
            updated_at=at,
        )
        first = Transition(
            0,
            None,
            CaseStatus.OPEN,
            sent.actor,
            sent.account,
            {},
            evidence_hash,
            at,
            sent.tx_hash,
            sent.block_number,
        )
        if not self.store.add(case, first):
            return None
        log.info("supervision case %s opened (%s, %s)", case_id, firing.rule_id, firing.department)
        return self.store.get(case_id)

    # -- transitions --------------------------------------------------------------------------

    def act(
        self,
        case_id: str,
        action: str,
        actor: str,
        note: str = "",
        due_at: datetime | None = None,
    ) -> Case:
        """``actor`` (a member code) takes ``action`` on the case; the contract decides."""
        if action not in ACTIONS or action == "overdue":
            raise InvalidCaseRequest(f"unknown action {action!r}", field="action")
        case = self.store.get(case_id)
        if action in OFFICE_ACTIONS and actor != self.office:
            raise ActorNotAllowed(
                f"only the office ({self.office}) may {action} a case", actor=actor
            )
        if action in DEPARTMENT_ACTIONS and actor != case.department:
            raise ActorNotAllowed(
                f"only the case's department ({case.department}) may {action} it", actor=actor
            )
        if action == "order":
            due = due_at or self.clock() + timedelta(days=self.settings.default_due_days)
            due = due if due.tzinfo else due.replace(tzinfo=UTC)
            due_text = due.astimezone(UTC).isoformat(timespec="seconds")
            detail = detail_of(action, note, due_text)
            sent = self.ledger.order(
                actor, case_id, int(due.timestamp() * 1000), digest_hex(detail)
            )
            return self._record(case, sent, detail, due_at=due)
        detail = detail_of(action, note)
        sent = self.ledger.step(ACTIONS[action], actor, case_id, digest_hex(detail))
        return self._record(case, sent, detail)

    def _record(
        self, case: Case, sent: Sent, detail: dict[str, Any], due_at: datetime | None = None
    ) -> Case:
        steps = self.ledger.transitions(case.case_id)
        last = steps[-1]
        step = Transition(
            index=len(steps) - 1,
            from_status=CaseStatus.from_chain(last.from_status) if last.from_status else None,
            to_status=CaseStatus.from_chain(last.to_status),
            actor=sent.actor,
            account=sent.account,
            detail=detail,
            detail_hash=digest_hex(detail),
            at=chain_time(sent.at_ms),
            tx_hash=sent.tx_hash,
            block_number=sent.block_number,
        )
        self.store.record(case.case_id, step, due_at=due_at)
        return self.store.get(case.case_id)

    # -- the scheduled job --------------------------------------------------------------------

    def run(self) -> RunReport:
        """Run the rules, open a case per new firing, then mark and escalate overdue orders."""
        report = RunReport()
        now = self.clock()
        for firing in self.rules(now):
            report.fired += 1
            try:
                case = self.open_firing(firing)
            except TransitionRefused as exc:
                log.warning("supervision rule %s: case not opened: %s", firing.rule_id, exc)
                report.failed.append(firing.dedup_key)
                continue
            if case is None:
                report.already_open += 1
            else:
                report.opened.append(case.case_id)
        report.overdue = self.mark_overdue(now)
        return report

    def mark_overdue(self, now: datetime) -> list[str]:
        marked = []
        for case in self.store.due_before(now):
            note = f"整改期限 {case.due_at.isoformat() if case.due_at else ''} 已过"
            detail = detail_of("overdue", note)
            try:
                sent = self.ledger.step(ACTIONS["overdue"], None, case.case_id, digest_hex(detail))
            except TransitionRefused as exc:
                log.warning("case %s not marked overdue: %s", case.case_id, exc)
                continue
            self._record(case, sent, detail)
            self.store.add_notice(
                case.case_id,
                "overdue",
                SUPERVISOR_ROLE,
                f"案件 {case.title} 已逾期:{case.department} 未在期限内反馈整改情况",
                now,
            )
            marked.append(case.case_id)
        return marked

    def rules_run(self, now: datetime | None = None) -> list[Firing]:
        return self.rules(now or self.clock())


def rule_evaluator(
    engine: Any, settings: SupervisionSettings
) -> Callable[[datetime], list[Firing]]:
    return lambda now: evaluate(engine, settings, now)
