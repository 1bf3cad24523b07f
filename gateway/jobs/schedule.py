"""The jobs of ``alliance jobs`` and their APScheduler schedule."""

from __future__ import annotations

import dataclasses
import logging
import math
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from gateway.bootstrap import Container
from gateway.jobs.lease import ANCHORING_LEASE
from gateway.jobs.runner import JobRunner, JobSpec
from gateway.jobs.upkeep import configured, upkeep_jobs

log = logging.getLogger(__name__)
SYNC_INTERVAL_SECONDS = 300.0


def alliance_jobs(container: Container) -> list[JobSpec]:
    def anchoring() -> dict[str, Any]:
        return dataclasses.asdict(container.anchorer.run_once())

    def members_sync() -> dict[str, Any]:
        return dataclasses.asdict(container.members.sync())

    def catalog_sync() -> dict[str, Any]:
        return dataclasses.asdict(container.catalog.sync())

    def reconciliation() -> dict[str, Any]:
        report = container.reconciliation.run()
        return {key: report[key] for key in ("id", "outcome", "records_checked", "findings_count")}

    def supervision() -> dict[str, Any]:
        return dataclasses.asdict(container.supervision.run())

    specs = [
        JobSpec(ANCHORING_LEASE, container.settings.evidence.interval_seconds, anchoring),
        JobSpec("members-sync", SYNC_INTERVAL_SECONDS, members_sync),
        JobSpec("catalog-sync", SYNC_INTERVAL_SECONDS, catalog_sync),
        JobSpec(
            "reconciliation", container.settings.reconciliation.interval_seconds, reconciliation
        ),
        JobSpec("supervision", container.settings.supervision.interval_seconds, supervision),
    ]
    return configured([*specs, *upkeep_jobs(container)], container.settings.jobs)


def aligned_start(interval: float, now: float) -> datetime:
    """The next multiple of ``interval`` since the epoch, so every process fires together."""
    return datetime.fromtimestamp(math.ceil(now / interval) * interval, UTC)


def add_jobs(scheduler: BaseScheduler, runner: JobRunner, jobs: list[JobSpec]) -> None:
    """Every job on its epoch-aligned interval; a late tick is coalesced, never doubled."""
    now = runner.clock()
    for spec in jobs:
        scheduler.add_job(
            runner.run_tick,
            IntervalTrigger(
                seconds=spec.interval_seconds, start_date=aligned_start(spec.interval_seconds, now)
            ),
            args=[spec],
            id=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(int(spec.interval_seconds), 1),
        )
        log.info("scheduled %s every %.1f s", spec.name, spec.interval_seconds)


def run_scheduler(runner: JobRunner, jobs: list[JobSpec]) -> None:
    """``alliance jobs run``: the scheduler in the foreground until interrupted."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_jobs(scheduler, runner, jobs)
    scheduler.start()


def start_in_process(container: Container) -> BackgroundScheduler:
    """The same jobs on a background scheduler inside a serving process (embedded default),
    under the same leases and history as ``alliance jobs``."""
    from gateway.jobs.history import JobHistory
    from gateway.jobs.lease import LeaseManager

    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    runner = JobRunner(LeaseManager(container.redis), JobHistory(container.engine))
    add_jobs(scheduler, runner, alliance_jobs(container))
    scheduler.start()
    return scheduler
