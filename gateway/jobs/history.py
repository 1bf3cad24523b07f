"""Job history: every run that held the lease, with its outcome and counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.storage.tables import Base


class JobRunRow(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    tick: Mapped[str] = mapped_column(String(40), nullable=False)
    fencing_token: Mapped[int] = mapped_column(Integer, nullable=False)
    worker: Mapped[str] = mapped_column(String(100), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class JobHistory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, job: str, tick: str, token: int, worker: str) -> int:
        with Session(self.engine) as session, session.begin():
            row = JobRunRow(
                job=job,
                tick=tick,
                fencing_token=token,
                worker=worker,
                started_at=datetime.now(UTC),
                outcome="running",
                detail="{}",
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(self, run_id: int, outcome: str, detail: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(JobRunRow, run_id)
            if row is not None:
                row.outcome = outcome
                row.finished_at = datetime.now(UTC)
                row.detail = json.dumps(detail, ensure_ascii=False, default=str)

    def abandon_before(self, job: str, token: int) -> int:
        """Mark runs of ``job`` still ``running`` under an older fencing token ``abandoned``:
        whoever holds the lease with ``token`` proves their holder lost it (it died or its
        lease expired mid-run)."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(JobRunRow)
                .where(JobRunRow.job == job)
                .where(JobRunRow.outcome == "running")
                .where(JobRunRow.fencing_token < token)
                .values(outcome="abandoned")
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def purge(self, older_than: datetime) -> int:
        """Delete the runs started before ``older_than`` (retention)."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(JobRunRow).where(JobRunRow.started_at < older_than))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def recent(self, job: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        statement = select(JobRunRow).order_by(JobRunRow.id.desc()).limit(limit)
        if job:
            statement = statement.where(JobRunRow.job == job)
        with Session(self.engine) as session:
            return [
                {
                    "id": row.id,
                    "job": row.job,
                    "tick": row.tick,
                    "fencing_token": row.fencing_token,
                    "worker": row.worker,
                    "started_at": row.started_at,
                    "finished_at": row.finished_at,
                    "outcome": row.outcome,
                    "detail": json.loads(row.detail),
                }
                for row in session.scalars(statement)
            ]
