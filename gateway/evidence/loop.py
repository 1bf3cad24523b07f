"""Anchoring inside the serving process (embedded default): a thread that runs the job.

Each run takes the anchoring lease (:mod:`gateway.jobs.lease`, shared with ``alliance jobs``)
so that, with a shared Redis, no two processes ever anchor at the same time; a failed run
(chain down) is logged and retried at the next interval while queries go on and records
wait in the outbox.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import redis

from gateway.errors import GatewayError
from gateway.evidence.anchoring import Anchorer
from gateway.jobs.lease import LeaseManager

LEASE_NAME = "anchoring"  # the same lease as the `alliance jobs` anchoring job
log = logging.getLogger(__name__)


class AnchoringLoop:
    def __init__(
        self,
        anchorer: Callable[[], Anchorer],
        lock: redis.Redis,
        interval: float,
        lease_seconds: float = 300.0,
    ) -> None:
        self._anchorer = anchorer
        self._leases = LeaseManager(lock)
        self.interval = interval
        self.lease_seconds = lease_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="anchoring", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> None:
        try:
            lease = self._leases.acquire(LEASE_NAME, self.lease_seconds)
        except redis.RedisError as exc:
            log.warning("anchoring skipped: Redis unavailable (%s)", type(exc).__name__)
            return
        if lease is None:
            return
        try:
            report = self._anchorer().run_once()
            if report.records or report.resumed or report.interrupted:
                log.info(
                    "anchored %d records in %d batches (resumed %d, interrupted %d)",
                    report.records,
                    report.batches,
                    report.resumed,
                    report.interrupted,
                )
        except GatewayError as exc:
            log.warning("anchoring failed, will retry: %s: %s", exc.code, exc.detail)
        finally:
            try:
                self._leases.release(lease)
            except redis.RedisError:
                log.warning("could not release the anchoring lock; its lease will expire")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()
