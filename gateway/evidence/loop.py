"""Anchoring inside the serving process (embedded default): a thread that runs the job.

Each run takes a Redis lock with a lease so that, with a shared Redis, several gateway
processes never anchor at the same time; a failed run (chain down) is logged and retried at
the next interval while queries go on and records wait in the outbox.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

import redis

from gateway.errors import GatewayError
from gateway.evidence.anchoring import Anchorer

LOCK_KEY = "alliance:lock:anchoring"
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
        self._redis = lock
        self.interval = interval
        self.lease_ms = int(lease_seconds * 1000)
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
        token = uuid.uuid4().hex
        try:
            if not self._redis.set(LOCK_KEY, token, nx=True, px=self.lease_ms):
                return
        except redis.RedisError as exc:
            log.warning("anchoring skipped: Redis unavailable (%s)", type(exc).__name__)
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
                if self._redis.get(LOCK_KEY) == token.encode():
                    self._redis.delete(LOCK_KEY)
            except redis.RedisError:
                log.warning("could not release the anchoring lock; its lease will expire")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()
