"""The APScheduler schedule of the jobs; the job list is wired in :mod:`gateway.bootstrap.jobs`."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from gateway.jobs.runner import JobRunner, JobSpec
from gateway.logs import demote_to_debug

log = logging.getLogger(__name__)
RUN_LINES_LOGGER = "apscheduler.executors.default"
"""Where APScheduler logs "Running job …" and "… executed successfully" for every run; the
job history (``alliance jobs history``) records each run, so those lines go to DEBUG."""


def aligned_start(interval: float, now: float) -> datetime:
    """The next multiple of ``interval`` since the epoch, so every process fires together."""
    return datetime.fromtimestamp(math.ceil(now / interval) * interval, UTC)


def add_jobs(scheduler: BaseScheduler, runner: JobRunner, jobs: list[JobSpec]) -> None:
    """Every job on its epoch-aligned interval; a late tick is coalesced, never doubled."""
    demote_to_debug(RUN_LINES_LOGGER)
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


def start_background(runner: JobRunner, jobs: list[JobSpec]) -> BackgroundScheduler:
    """The jobs on a background scheduler inside a serving process."""
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_jobs(scheduler, runner, jobs)
    scheduler.start()
    return scheduler
