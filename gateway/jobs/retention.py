"""Retention: what the gateway stores for convenience is kept for a set number of days.

Cleared or deleted after their ``[retention]`` days (0 keeps them): the sealed answers kept
for Idempotency-Key replays (``access_records.reply``), audit export workbooks and their job
rows, job history and the federation's events, reconciliation reports with their findings.
Access records and anchors are the evidence and are never deleted. Unfinished exports
abandoned by a stopped process are marked failed on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from gateway.audit.exports import AuditExports
from gateway.evidence.tables import AccessRecordRow
from gateway.federation.events import FederationEvents
from gateway.jobs.history import JobHistory
from gateway.reconciliation.tables import FindingRow, ReportRow
from gateway.settings import RetentionSettings


class Retention:
    def __init__(
        self,
        engine: Engine,
        settings: RetentionSettings,
        exports: AuditExports,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.exports = exports
        self.clock = clock

    def _cutoff(self, days: int) -> datetime | None:
        return self.clock() - timedelta(days=days) if days > 0 else None

    def run_once(self) -> dict[str, Any]:
        counts: dict[str, Any] = {"exports_abandoned": self.exports.fail_abandoned()}
        counts["replies_cleared"] = self._clear_replies(self._cutoff(self.settings.reply_days))
        exports_before = self._cutoff(self.settings.exports_days)
        rows, files = self.exports.purge(exports_before) if exports_before else (0, 0)
        counts["exports_deleted"], counts["export_files_deleted"] = rows, files
        history_before = self._cutoff(self.settings.job_history_days)
        counts["job_runs_deleted"] = (
            JobHistory(self.engine).purge(history_before) if history_before else 0
        )
        counts["federation_events_deleted"] = (
            FederationEvents(self.engine).purge(history_before) if history_before else 0
        )
        reports, findings = self._purge_reports(self._cutoff(self.settings.reconciliation_days))
        counts["reconciliation_reports_deleted"] = reports
        counts["reconciliation_findings_deleted"] = findings
        return counts

    def _clear_replies(self, before: datetime | None) -> int:
        if before is None:
            return 0
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AccessRecordRow)
                .where(AccessRecordRow.reply.is_not(None))
                .where(AccessRecordRow.received_at < before)
                .values(reply=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _purge_reports(self, before: datetime | None) -> tuple[int, int]:
        if before is None:
            return 0, 0
        with Session(self.engine) as session, session.begin():
            old = select(ReportRow.id).where(ReportRow.started_at < before)
            findings = session.execute(delete(FindingRow).where(FindingRow.report_id.in_(old)))
            reports = session.execute(delete(ReportRow).where(ReportRow.started_at < before))
            return (
                int(reports.rowcount or 0),  # type: ignore[attr-defined]
                int(findings.rowcount or 0),  # type: ignore[attr-defined]
            )
