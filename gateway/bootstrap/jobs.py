"""The scheduled jobs wired to the container's services (``alliance jobs``, ``alliance serve``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from gateway.bootstrap.container import Container
from gateway.jobs.lease import ANCHORING_LEASE, LeaseManager
from gateway.jobs.runner import JobRunner, JobSpec
from gateway.jobs.upkeep import configured, upkeep_jobs

SYNC_INTERVAL_SECONDS = 300.0
CHECKPOINT_INTERVAL_SECONDS = 60.0


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

    def checkpoints() -> dict[str, Any]:
        return container.checkpoints.run_once().to_dict()

    def federation() -> dict[str, Any]:
        return container.federation.sync.run_once().to_dict()

    settings = container.settings
    specs = [
        JobSpec(ANCHORING_LEASE, settings.evidence.interval_seconds, anchoring),
        JobSpec("members-sync", SYNC_INTERVAL_SECONDS, members_sync),
        JobSpec("catalog-sync", SYNC_INTERVAL_SECONDS, catalog_sync),
        JobSpec("reconciliation", settings.reconciliation.interval_seconds, reconciliation),
        JobSpec("supervision", settings.supervision.interval_seconds, supervision),
    ]
    if settings.witness.members:
        specs.append(JobSpec("checkpoints", CHECKPOINT_INTERVAL_SECONDS, checkpoints))
    if settings.federation.node:
        specs.append(JobSpec("federation", settings.federation.interval_seconds, federation))
    upkeep = upkeep_jobs(
        settings,
        container.engine,
        LeaseManager(container.redis),
        container.audit_exports,
        container.anchorer,
    )
    return configured([*specs, *upkeep], settings.jobs)


def job_runner(container: Container) -> JobRunner:
    from gateway.jobs.history import JobHistory

    return JobRunner(LeaseManager(container.redis), JobHistory(container.engine))


def start_in_process(container: Container) -> BackgroundScheduler:
    """The same jobs on a background scheduler inside a serving process (embedded default),
    under the same leases and history as ``alliance jobs``."""
    from gateway.jobs.schedule import start_background

    return start_background(job_runner(container), alliance_jobs(container))
