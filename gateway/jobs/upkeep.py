"""The upkeep jobs (retention, tx-retry) and the ``[jobs]`` settings applied to every job.

``tx-retry`` resends stuck anchoring transactions (:mod:`gateway.evidence.retry`) while
holding the anchoring lease, so it never sends at the same time as the anchoring job.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from gateway.jobs.lease import ANCHORING_LEASE, LeaseManager
from gateway.jobs.runner import JobSpec, LeaseKeeper
from gateway.settings import JobsSettings, Settings, SettingsError

if TYPE_CHECKING:
    from gateway.audit.exports import AuditExports
    from gateway.evidence.anchoring import Anchorer

RETENTION_INTERVAL_SECONDS = 3600.0
TX_RETRY_INTERVAL_SECONDS = 60.0
ANCHORING_HOLD_SECONDS = 300.0


def upkeep_jobs(
    settings: Settings,
    engine: Engine,
    leases: LeaseManager,
    exports: AuditExports,
    anchorer: Anchorer,
) -> list[JobSpec]:
    def retention() -> dict[str, Any]:
        from gateway.jobs.retention import Retention

        return Retention(engine, settings.retention, exports).run_once()

    def tx_retry() -> dict[str, Any]:
        from gateway.evidence.retry import StuckBatchRetry

        hold = settings.jobs.lease_seconds or ANCHORING_HOLD_SECONDS
        lease = leases.acquire(ANCHORING_LEASE, hold)
        if lease is None:
            return {"anchoring_busy": True}
        keeper = LeaseKeeper(leases, lease, hold)
        keeper.start()
        try:
            evidence = settings.evidence
            retry = StuckBatchRetry(
                engine,
                anchorer,
                stuck_after=timedelta(seconds=evidence.stuck_after_seconds),
                backoff=timedelta(seconds=evidence.retry_backoff_seconds),
                backoff_max=timedelta(seconds=evidence.retry_backoff_max_seconds),
                alert_attempts=evidence.retry_alert_attempts,
            )
            return dataclasses.asdict(retry.run_once())
        finally:
            keeper.stop()
            leases.release(lease)

    return [
        JobSpec("retention", RETENTION_INTERVAL_SECONDS, retention),
        JobSpec("tx-retry", TX_RETRY_INTERVAL_SECONDS, tx_retry),
    ]


def configured(specs: list[JobSpec], settings: JobsSettings) -> list[JobSpec]:
    """``specs`` with the intervals and lease lifetime of the ``[jobs]`` settings."""
    names = {spec.name for spec in specs}
    unknown = sorted(set(settings.intervals) - names)
    if unknown:
        raise SettingsError(
            f"invalid setting jobs.intervals: no job named {', '.join(unknown)} "
            f"(jobs: {', '.join(sorted(names))})"
        )
    return [
        dataclasses.replace(
            spec,
            interval_seconds=settings.intervals.get(spec.name, spec.interval_seconds),
            lease=settings.lease_seconds,
        )
        for spec in specs
    ]
