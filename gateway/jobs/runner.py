"""Running a job's tick once, cluster-wide: a lease first, then a unique (job, tick) row.

Every ``alliance jobs`` process fires the same ticks (intervals aligned to the epoch). For
each tick the first process to take the job's lease runs it; the others skip. The history
table's unique (job, tick) key makes a second run of the same tick impossible even if a lease
expired under a slow holder.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from sqlalchemy.exc import IntegrityError

from gateway.errors import GatewayError
from gateway.jobs.history import JobHistory
from gateway.jobs.lease import Lease, LeaseManager

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    interval_seconds: float
    run: Callable[[], dict[str, Any]]
    lease: float = 0.0
    """Lease lifetime in seconds; 0 means five intervals, at least 30 s."""

    @property
    def lease_seconds(self) -> float:
        return self.lease or max(self.interval_seconds * 5, 30.0)


class LeaseKeeper:
    """Renews a lease every third of its lifetime while its job runs, so a run longer than
    the lease is not joined by another process; a holder that dies (or freezes) stops
    renewing and the lease expires."""

    def __init__(self, leases: LeaseManager, lease: Lease, ttl_seconds: float) -> None:
        self.leases = leases
        self.lease = lease
        self.ttl = ttl_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if not self.leases.renew(self.lease, self.ttl):
                    log.warning("lost the %s lease while running", self.lease.name)
                    return
            except redis.RedisError as exc:
                log.warning("could not renew the %s lease: %s", self.lease.name, exc)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRunner:
    def __init__(
        self,
        leases: LeaseManager,
        history: JobHistory,
        worker: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.leases = leases
        self.history = history
        self.worker = worker or default_worker_id()
        self.clock = clock

    def tick_of(self, spec: JobSpec, at: float | None = None) -> str:
        moment = self.clock() if at is None else at
        return str(int(moment // spec.interval_seconds))

    def run_tick(self, spec: JobSpec, at: float | None = None) -> str:
        """Run ``spec`` for the tick containing ``at`` (now); returns what happened."""
        tick = self.tick_of(spec, at)
        lease = self.leases.acquire(spec.name, spec.lease_seconds)
        if lease is None:
            return "skipped"
        keeper = LeaseKeeper(self.leases, lease, spec.lease_seconds)
        keeper.start()
        try:
            try:
                run_id = self.history.start(spec.name, tick, lease.token, self.worker)
            except IntegrityError:
                return "duplicate"
            self.history.abandon_before(spec.name, lease.token)
            try:
                detail = spec.run()
            except GatewayError as exc:
                log.error("job %s failed: %s: %s", spec.name, exc.code, exc.detail)
                self.history.finish(run_id, "failed", {"code": exc.code, "detail": exc.detail})
                return "failed"
            self.history.finish(run_id, "ok", detail)
            return "ran"
        finally:
            keeper.stop()
            self.leases.release(lease)
