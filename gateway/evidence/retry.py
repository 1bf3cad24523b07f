"""Retry of stuck anchoring transactions: batches left ``prepared`` are resent with backoff.

A batch is stuck when it is still ``prepared`` ``stuck_after`` after it was prepared: its
transaction keeps failing or timing out, or the process sending it died (the anchoring runs
then leave it here). Batches continue each other's sequence range on ``EvidenceLedger``, so
they are resent strictly in order and a run stops at the first one that fails or is still
waiting out its backoff. After a failed attempt a batch waits as long as it has been stuck,
plus ``backoff``, at most ``backoff_max``: the waits double (b, 2b, 4b, …) whoever tried it
before it got stuck. Retries never stop; from ``alert_attempts`` failed attempts on, every
failure is logged at error level so that someone looks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.errors import GatewayError
from gateway.evidence.anchoring import Anchorer
from gateway.evidence.tables import AnchorRow

log = logging.getLogger(__name__)


@dataclass
class RetryReport:
    stuck: int = 0
    resent: int = 0
    anchored: int = 0
    failed: int = 0
    waiting: int = 0
    records: int = 0


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class StuckBatchRetry:
    def __init__(
        self,
        engine: Engine,
        anchorer: Anchorer,
        *,
        stuck_after: timedelta,
        backoff: timedelta,
        backoff_max: timedelta,
        alert_attempts: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.anchorer = anchorer
        self.stuck_after = stuck_after
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.alert_attempts = alert_attempts
        self.clock = clock

    def delay(self, stuck_for: timedelta) -> timedelta:
        """The wait after an attempt made ``stuck_for`` after the batch got stuck."""
        return min(max(stuck_for, timedelta(0)) + self.backoff, self.backoff_max)

    def next_attempt_at(self, anchor: AnchorRow) -> datetime:
        stuck_since = _aware(anchor.prepared_at) + self.stuck_after
        if anchor.last_attempt_at is None or _aware(anchor.last_attempt_at) < stuck_since:
            return stuck_since
        last = _aware(anchor.last_attempt_at)
        return last + self.delay(last - stuck_since)

    def run_once(self) -> RetryReport:
        now = self.clock()
        with Session(self.engine, expire_on_commit=False) as session:
            stuck = list(
                session.scalars(
                    select(AnchorRow)
                    .where(AnchorRow.status == "prepared")
                    .where(AnchorRow.prepared_at <= now - self.stuck_after)
                    .order_by(AnchorRow.id)
                )
            )
        report = RetryReport(stuck=len(stuck))
        for position, anchor in enumerate(stuck):
            if self.next_attempt_at(anchor) > now:
                report.waiting = len(stuck) - position
                break
            report.resent += 1
            try:
                report.records += self.anchorer.resend(anchor.id)
            except GatewayError as exc:
                report.failed += 1
                report.waiting = len(stuck) - position - 1
                self._log_failure(anchor, exc)
                break
            report.anchored += 1
            log.info(
                "stuck batch %s (sequences %d-%d) anchored at attempt %d",
                anchor.root,
                anchor.first_sequence,
                anchor.last_sequence,
                anchor.attempts + 1,
            )
        return report

    def _log_failure(self, anchor: AnchorRow, exc: GatewayError) -> None:
        attempts = anchor.attempts + 1
        level = logging.ERROR if attempts >= self.alert_attempts else logging.WARNING
        log.log(
            level,
            "batch %s (sequences %d-%d) still not anchored after %d attempts, next in %s: %s: %s",
            anchor.root,
            anchor.first_sequence,
            anchor.last_sequence,
            attempts,
            self.delay(self.clock() - _aware(anchor.prepared_at) - self.stuck_after),
            exc.code,
            exc.detail,
        )
