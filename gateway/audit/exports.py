"""Audit export jobs: signed workbooks written in the background of a serving replica.

``start`` checks the period and member, records the job as ``queued`` and hands it to a small
pool of worker threads (``audit.export_workers``); further jobs wait their turn. A worker
streams the records into a scratch file ``<data_dir>/exports/<id>.xlsx`` with
:func:`gateway.audit.workbook.export_workbook`, writing its progress to the job row at most
once per ``progress_every`` seconds, and ends ``done`` (the workbook stored in the database
in the same transaction, the scratch file removed) or ``failed`` (with the error). Job rows
and workbooks live in the database every replica shares, so any replica reports the progress
and serves the download. Each write also refreshes ``updated_at``: a ``queued`` or
``running`` job not refreshed for ``stale_after`` belongs to a process that stopped, and
:meth:`AuditExports.fail_abandoned` marks it failed.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from gateway.audit.export_query import (
    ExportNotFound,
    ExportNotReady,
    ExportPeriodTooLong,
    ExportQuery,
    InvalidExportPeriod,
    InvalidExportRequest,
    UnknownExportMember,
    _aware,
    _moment,
)
from gateway.audit.tables import AuditExportFileRow, AuditExportRow
from gateway.audit.workbook import ExportResult, export_workbook
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.errors import GatewayError

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
LedgerInfo = Callable[[], tuple[str | None, str]]
"""``() -> (EvidenceLedger address or None, chain suite name)``, recorded in the manifest."""
Writer = Callable[..., ExportResult]


class AuditExports:
    def __init__(
        self,
        engine: Engine,
        directory: Path,
        *,
        signer: Callable[[], Sm2PrivateKey],
        ledger: LedgerInfo,
        member_exists: Callable[[str], bool],
        workers: int = 2,
        max_days: int = 366,
        stale_after: timedelta = timedelta(minutes=15),
        progress_every: float = 1.0,
        writer: Writer = export_workbook,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.signer = signer
        self.ledger = ledger
        self.member_exists = member_exists
        self.workers = workers
        self.max_days = max_days
        self.stale_after = stale_after
        self.progress_every = progress_every
        self.writer = writer
        self.clock = clock
        self._queue: queue.Queue[str] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._owned: set[str] = set()

    # -- requests ------------------------------------------------------------------------

    def parse(self, query: dict[str, Any]) -> ExportQuery:
        unknown = sorted(set(query) - {"from", "to", "member"})
        if unknown:
            raise InvalidExportRequest(f"unknown keys: {', '.join(unknown)}", keys=unknown)
        start, end = _moment(query.get("from"), "from"), _moment(query.get("to"), "to")
        if end <= start:
            raise InvalidExportPeriod(
                f"to ({end.isoformat()}) must be after from ({start.isoformat()})"
            )
        if end - start > timedelta(days=self.max_days):
            raise ExportPeriodTooLong(
                f"an export covers at most {self.max_days} days", max_days=self.max_days
            )
        member = query.get("member") or None
        if member is not None and not (isinstance(member, str) and self.member_exists(member)):
            raise UnknownExportMember(f"no member with code {member!r}", member=member)
        return ExportQuery(start, end, member)

    def start(self, query: dict[str, Any], requested_by: str) -> str:
        """Check ``query`` (``from``, ``to``, optional ``member``), queue the export; its id."""
        parsed = self.parse(query)
        export_id = uuid.uuid4().hex
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            session.add(
                AuditExportRow(
                    id=export_id,
                    requested_by=requested_by,
                    query=parsed.to_json(),
                    state=QUEUED,
                    rows_done=0,
                    file_name=parsed.file_name(),
                    created_at=now,
                    updated_at=now,
                )
            )
        with self._lock:
            self._owned.add(export_id)
            self._ensure_workers()
        self._queue.put(export_id)
        return export_id

    def status(self, export_id: str) -> dict[str, Any]:
        with Session(self.engine) as session:
            row = session.get(AuditExportRow, export_id)
            if row is None:
                raise ExportNotFound(f"no export {export_id!r}", export_id=export_id)
            return self._view(row)

    def content(self, export_id: str) -> bytes:
        """The finished workbook."""
        status = self.status(export_id)
        if status["state"] != DONE:
            raise ExportNotReady(
                f"export {export_id} is {status['state']}",
                export_id=export_id,
                state=status["state"],
            )
        with Session(self.engine) as session:
            content = session.scalar(
                select(AuditExportFileRow.content).where(AuditExportFileRow.export_id == export_id)
            )
        if content is None:
            raise ExportNotFound(f"the workbook of export {export_id} is no longer stored")
        return content

    def list(self, requested_by: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        statement = select(AuditExportRow).order_by(AuditExportRow.created_at.desc()).limit(limit)
        if requested_by is not None:
            statement = statement.where(AuditExportRow.requested_by == requested_by)
        with Session(self.engine) as session:
            return [self._view(row) for row in session.scalars(statement)]

    # -- housekeeping --------------------------------------------------------------------

    def fail_abandoned(self) -> int:
        """Mark failed the unfinished exports of processes that stopped; returns how many."""
        now = self.clock()
        with self._lock:
            owned = set(self._owned)
        statement = (
            update(AuditExportRow)
            .where(AuditExportRow.state.in_((QUEUED, RUNNING)))
            .where(
                func.coalesce(AuditExportRow.updated_at, AuditExportRow.created_at)
                < now - self.stale_after
            )
            .values(
                state=FAILED,
                error="abandoned: the process writing it stopped",
                finished_at=now,
                updated_at=now,
            )
            .returning(AuditExportRow.id)
        )
        if owned:
            statement = statement.where(AuditExportRow.id.not_in(owned))
        with Session(self.engine) as session, session.begin():
            failed = list(session.scalars(statement))
        self._remove_files(failed)
        if failed:
            log.warning(
                "%d audit exports abandoned by a stopped process marked failed", len(failed)
            )
        return len(failed)

    def purge(self, older_than: datetime) -> tuple[int, int]:
        """Delete finished exports created before ``older_than`` with their workbooks;
        returns (rows, files) deleted."""
        with Session(self.engine) as session, session.begin():
            ids = list(
                session.scalars(
                    delete(AuditExportRow)
                    .where(AuditExportRow.created_at < older_than)
                    .where(AuditExportRow.state.in_((DONE, FAILED)))
                    .returning(AuditExportRow.id)
                )
            )
            files = session.execute(
                delete(AuditExportFileRow).where(AuditExportFileRow.export_id.in_(ids))
            ).rowcount  # type: ignore[attr-defined]
        self._remove_files(ids)
        return len(ids), int(files or 0)

    # -- workers -------------------------------------------------------------------------

    def _ensure_workers(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(
                target=self._work, name=f"audit-export-{len(self._threads) + 1}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while True:
            export_id = self._queue.get()
            try:
                self._run(export_id)
            finally:
                with self._lock:
                    self._owned.discard(export_id)

    def _run(self, export_id: str) -> None:
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(AuditExportRow, export_id, with_for_update=True)
            if row is None or row.state != QUEUED:
                return
            row.state, row.started_at, row.updated_at = RUNNING, now, now
            query = ExportQuery.from_json(row.query)
        out = self._file(export_id)
        try:
            out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            evidence_ledger, suite = self.ledger()
            result = self.writer(
                self.engine,
                out,
                start=query.start,
                end=query.end,
                member=query.member,
                signer=self.signer(),
                evidence_ledger=evidence_ledger,
                chain_suite=suite,
                progress=self._progress(export_id),
            )
        except Exception as exc:  # any failure is recorded on the job, never lost
            log.error("audit export %s failed", export_id, exc_info=True)
            self._remove_files([export_id])
            detail = f"{exc.code}: {exc.detail}" if isinstance(exc, GatewayError) else str(exc)
            self._finish(export_id, state=FAILED, error=detail or type(exc).__name__)
            return
        try:
            self._finish(
                export_id,
                workbook=out.read_bytes(),
                state=DONE,
                rows_done=result.rows,
                rows_total=result.rows,
                manifest_digest=result.manifest_digest,
            )
        finally:
            self._remove_files([export_id])

    def _progress(self, export_id: str) -> Callable[[int, int], None]:
        last = [0.0]

        def report(done: int, total: int) -> None:
            moment = time.monotonic()
            if moment - last[0] < self.progress_every and done < total:
                return
            last[0] = moment
            now = self.clock()
            with self._lock:
                waiting = [i for i in self._owned if i != export_id]
            with Session(self.engine) as session, session.begin():
                session.execute(
                    update(AuditExportRow)
                    .where(AuditExportRow.id == export_id)
                    .where(AuditExportRow.state == RUNNING)
                    .values(rows_done=done, rows_total=total, updated_at=now)
                )
                if waiting:  # this process is alive: its queued exports are not abandoned
                    session.execute(
                        update(AuditExportRow)
                        .where(AuditExportRow.id.in_(waiting))
                        .where(AuditExportRow.state == QUEUED)
                        .values(updated_at=now)
                    )

        return report

    def _finish(self, export_id: str, workbook: bytes | None = None, **values: Any) -> bool:
        """End a running export; a finished workbook is stored in the same transaction."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AuditExportRow)
                .where(AuditExportRow.id == export_id)
                .where(AuditExportRow.state == RUNNING)
                .values(finished_at=now, updated_at=now, **values)
            )
            finished = bool(result.rowcount)  # type: ignore[attr-defined]
            if finished and workbook is not None:
                session.add(
                    AuditExportFileRow(export_id=export_id, content=workbook, size=len(workbook))
                )
            return finished

    def _file(self, export_id: str) -> Path:
        return self.directory / f"{export_id}.xlsx"

    def _remove_files(self, ids: Iterable[str]) -> int:
        """Remove this host's scratch files of ``ids``; returns how many workbooks."""
        removed = 0
        for export_id in ids:
            path = self._file(export_id)
            for candidate in (path, path.with_name(path.name + ".partial")):
                if candidate.exists():
                    candidate.unlink()
                    removed += candidate == path
        return removed

    @staticmethod
    def _view(row: AuditExportRow) -> dict[str, Any]:
        query = json.loads(row.query)
        if row.state == DONE:
            percent = 100.0
        elif row.rows_total:
            percent = round(100.0 * row.rows_done / row.rows_total, 1)
        else:
            percent = 0.0
        return {
            "id": row.id,
            "state": row.state,
            "rows_done": row.rows_done,
            "rows_total": row.rows_total,
            "percent": percent,
            "error": row.error,
            "requested_by": row.requested_by,
            "period_start": query["from"],
            "period_end": query["to"],
            "member": query.get("member"),
            "file_name": row.file_name,
            "manifest_digest": row.manifest_digest,
            "created_at": _aware(row.created_at),
            "started_at": _aware(row.started_at),
            "finished_at": _aware(row.finished_at),
        }
