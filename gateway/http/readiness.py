"""Readiness checks: each dependency answers a cheap probe, reported with detail."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from gateway.storage.migrate import current_revision, head_revision

Probe = Callable[[], dict[str, Any]]


@dataclass
class Readiness:
    """Named probes run in order; a probe raising an expected error reports ``error``."""

    probes: dict[str, Probe] = field(default_factory=dict)

    def add(self, name: str, probe: Probe) -> None:
        self.probes[name] = probe

    def run(self) -> dict[str, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        for name, probe in self.probes.items():
            started = time.perf_counter()
            try:
                detail = probe()
            except ProbeFailed as exc:
                detail = {"status": "error", "error": str(exc)}
            detail.setdefault("status", "ok")
            detail["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
            results[name] = detail
        return results


ALERT = "alert"
"""A probe status that reports a problem without taking the gateway out of service."""


class ProbeFailed(Exception):
    """A dependency did not answer its probe; the message says how."""


def database_probe(engine: Engine) -> Probe:
    def probe() -> dict[str, Any]:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            revision, head = current_revision(engine), head_revision(engine)
        except SQLAlchemyError as exc:
            raise ProbeFailed(
                f"{type(exc).__name__}: {exc.__class__.__doc__ or ''}".strip()
            ) from exc
        detail: dict[str, Any] = {
            "backend": engine.dialect.name,
            "revision": revision,
            "head": head,
        }
        if revision != head:
            detail["status"] = "error"
            detail["error"] = "schema is not at the latest migration; run `alliance db upgrade`"
        return detail

    return probe


def redis_probe(client: redis.Redis, embedded: bool) -> Probe:
    def probe() -> dict[str, Any]:
        try:
            client.ping()
        except redis.RedisError as exc:
            raise ProbeFailed(f"{type(exc).__name__}: {exc}") from exc
        return {"backend": "embedded" if embedded else "redis"}

    return probe


def evidence_probe(engine: Engine, max_lag_seconds: float) -> Probe:
    """Anchoring lag: records waiting in the outbox and batches prepared but not anchored."""
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from gateway.evidence.tables import AnchorRow, OutboxRow

    def probe() -> dict[str, Any]:
        try:
            with engine.connect() as connection:
                waiting, oldest = connection.execute(
                    select(func.count(), func.min(OutboxRow.created_at))
                ).one()
                prepared = connection.execute(
                    select(func.count(), func.min(AnchorRow.prepared_at)).where(
                        AnchorRow.status == "prepared"
                    )
                ).one()
        except SQLAlchemyError as exc:
            raise ProbeFailed(f"{type(exc).__name__}") from exc
        now = datetime.now(UTC)
        stamps = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in (oldest, prepared[1]) if t]
        lag = max(((now - t).total_seconds() for t in stamps), default=0.0)
        detail: dict[str, Any] = {
            "unanchored": int(waiting),
            "prepared_batches": int(prepared[0]),
            "lag_seconds": round(lag, 1),
            "max_lag_seconds": max_lag_seconds,
        }
        if lag > max_lag_seconds:
            detail["status"] = "error"
            detail["error"] = "evidence anchoring is behind its limit; is the chain reachable?"
        return detail

    return probe


def reconciliation_probe(engine: Engine) -> Probe:
    """The latest reconciliation report: ``alert`` while it holds findings (still ready)."""
    from sqlalchemy import select

    from gateway.reconciliation.tables import ReportRow

    def probe() -> dict[str, Any]:
        try:
            with engine.connect() as connection:
                latest = connection.execute(
                    select(
                        ReportRow.id,
                        ReportRow.outcome,
                        ReportRow.findings_count,
                        ReportRow.started_at,
                    )
                    .order_by(ReportRow.id.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise ProbeFailed(f"{type(exc).__name__}") from exc
        if latest is None:
            return {"latest_report": None}
        detail: dict[str, Any] = {
            "latest_report": latest.id,
            "outcome": latest.outcome,
            "findings": latest.findings_count,
            "at": latest.started_at.isoformat() if latest.started_at else None,
        }
        if latest.outcome == "mismatch":
            detail["status"] = ALERT
            detail["error"] = (
                f"reconciliation report {latest.id} found {latest.findings_count} mismatches; "
                f"see /api/v1/reconciliation/reports/{latest.id}"
            )
        return detail

    return probe
