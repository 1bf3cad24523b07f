"""Reconciliation runs, their stored reports, and the alerts they raise.

A run compares the three sources (SQL access records, the evidence log with its proofs, the
chain's anchors) and the registries (members, catalogue) with their contracts, and stores one
report with every finding. A report with findings is an alert: logged at error level, shown on
``/readyz`` and in the console, until a later run comes back clean.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gateway.errors import GatewayError, NotFound
from gateway.reconciliation.chain_checks import (
    EvidenceLedgerReader,
    anchor_findings,
    catalog_findings,
    membership_findings,
)
from gateway.reconciliation.evidence_checks import EvidenceChecker
from gateway.reconciliation.findings import EvidenceTally, Finding
from gateway.reconciliation.pending import unanchored_findings
from gateway.reconciliation.tables import FindingRow, ReportRow

log = logging.getLogger(__name__)
CLEAN = "clean"
MISMATCH = "mismatch"
FAILED = "failed"


class ReportNotFound(NotFound):
    code = "reconciliation_report_not_found"
    title = "No such reconciliation report"


@dataclass(frozen=True)
class Sources:
    """What a run reads besides the database; each may be None (that check is skipped)."""

    ledger: Callable[[], EvidenceLedgerReader] | None = None
    members: Callable[[], Any] | None = None
    catalog: Callable[[], Any] | None = None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ReconciliationService:
    def __init__(
        self,
        engine: Engine,
        sources: Sources,
        *,
        anchor_within: timedelta = timedelta(minutes=5),
        workers: int = 1,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.sources = sources
        self.anchor_within = anchor_within
        self.workers = workers
        self.clock = clock

    # -- running -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """One full comparison; stores and returns the report (without its findings)."""
        started_at = self.clock()
        started = time.perf_counter()
        checker = EvidenceChecker(self.engine, self.workers)
        tally = EvidenceTally()
        skipped: dict[str, str] = {}
        anchors = checker.anchors()
        checker.check(anchors, tally)
        tally.findings.extend(unanchored_findings(self.engine, started_at - self.anchor_within))
        for name, source, check in (
            ("chain", self.sources.ledger, lambda s: anchor_findings(anchors, s)),
            ("members", self.sources.members, membership_findings),
            ("catalog", self.sources.catalog, catalog_findings),
        ):
            if source is None:
                skipped[name] = "not configured"
                continue
            try:
                tally.findings.extend(check(source()))
            except GatewayError as exc:
                skipped[name] = f"{exc.code}: {exc.detail}"
        seconds = time.perf_counter() - started
        outcome = MISMATCH if tally.findings else (FAILED if "chain" in skipped else CLEAN)
        by_kind = dict(Counter(finding.kind for finding in tally.findings))
        summary = {
            "by_kind": by_kind,
            "skipped": skipped,
            "seconds": round(seconds, 3),
            "records_per_second": round(tally.records / seconds) if seconds > 0 else None,
        }
        report_id = self._store(started_at, outcome, tally, summary)
        if tally.findings:
            log.error(
                "reconciliation report %s: %d findings (%s)",
                report_id,
                len(tally.findings),
                ", ".join(f"{kind} {count}" for kind, count in by_kind.items()),
            )
        elif skipped:
            log.warning("reconciliation report %s: checks skipped: %s", report_id, skipped)
        return self.report(report_id, with_findings=False)

    def _store(
        self, started_at: datetime, outcome: str, tally: EvidenceTally, summary: dict[str, Any]
    ) -> int:
        with Session(self.engine) as session, session.begin():
            report = ReportRow(
                started_at=started_at,
                finished_at=self.clock(),
                outcome=outcome,
                records_checked=tally.records,
                anchors_checked=tally.anchors,
                findings_count=len(tally.findings),
                summary=json.dumps(summary, ensure_ascii=False),
            )
            session.add(report)
            session.flush()
            session.add_all(
                FindingRow(
                    report_id=report.id,
                    kind=finding.kind,
                    subject=finding.subject[:120],
                    detail=json.dumps(finding.detail, ensure_ascii=False, default=str),
                )
                for finding in tally.findings
            )
            return report.id

    # -- reading -------------------------------------------------------------------------

    @staticmethod
    def _view(row: ReportRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "started_at": _aware(row.started_at),
            "finished_at": _aware(row.finished_at),
            "outcome": row.outcome,
            "records_checked": row.records_checked,
            "anchors_checked": row.anchors_checked,
            "findings_count": row.findings_count,
            "summary": json.loads(row.summary),
        }

    def reports(self, limit: int = 50, before: int | None = None) -> list[dict[str, Any]]:
        statement = select(ReportRow).order_by(ReportRow.id.desc()).limit(limit)
        if before is not None:
            statement = statement.where(ReportRow.id < before)
        with Session(self.engine) as session:
            return [self._view(row) for row in session.scalars(statement)]

    def report(self, report_id: int, *, with_findings: bool = True) -> dict[str, Any]:
        with Session(self.engine) as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReportNotFound(f"no reconciliation report {report_id}")
            view = self._view(row)
            if with_findings:
                view["findings"] = [
                    {
                        "kind": finding.kind,
                        "subject": finding.subject,
                        "detail": json.loads(finding.detail),
                    }
                    for finding in session.scalars(
                        select(FindingRow)
                        .where(FindingRow.report_id == report_id)
                        .order_by(FindingRow.id)
                    )
                ]
            return view

    def latest(self) -> dict[str, Any] | None:
        found = self.reports(limit=1)
        return found[0] if found else None

    def open_alerts(self) -> list[dict[str, Any]]:
        """The findings of the latest report, if it found any: what is wrong right now."""
        latest = self.latest()
        if latest is None or latest["outcome"] != MISMATCH:
            return []
        report = self.report(latest["id"])
        return [{**finding, "report_id": latest["id"]} for finding in report["findings"]]

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(ReportRow)) or 0)


def findings_of(report: dict[str, Any]) -> list[Finding]:
    return [
        Finding(item["kind"], item["subject"], item["detail"])
        for item in report.get("findings", [])
    ]
