"""Stuck anchoring transactions are resent with backoff until the chain takes them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.bootstrap import Container, build_container
from gateway.bootstrap.jobs import alliance_jobs
from gateway.errors import ServiceUnavailable
from gateway.evidence.anchoring import Anchorer
from gateway.evidence.retry import StuckBatchRetry
from gateway.evidence.tables import AnchorRow
from gateway.jobs.lease import LeaseManager
from gateway.settings import Settings
from tests.evidence_support import log_closed_record


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FailingChain:
    """The alliance's EvidenceLedger, unreachable for the first ``failures`` transactions."""

    def __init__(self, ledger: Any, failures: int) -> None:
        self.ledger = ledger
        self.failures = failures
        self.sent = 0

    def anchor_batch(self, *args: Any) -> tuple[str, int]:
        self.sent += 1
        if self.sent <= self.failures:
            raise ServiceUnavailable("the chain did not accept the change: connection refused")
        result: tuple[str, int] = self.ledger.anchor_batch(*args)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)


@pytest.fixture
def container(seeded_settings: Settings) -> Iterator[Container]:
    container = build_container(seeded_settings)
    yield container
    container.close()


def _log_records(container: Container, count: int, clock: Clock) -> None:
    for i in range(count):
        log_closed_record(container.evidence_log, f"stuck-{i}", i + 1, clock())


def _anchor(container: Container) -> AnchorRow:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(container.engine) as session:
        anchor = session.scalars(select(AnchorRow)).one()
        session.expunge(anchor)
        return anchor


def test_a_batch_the_chain_refused_is_resent_with_backoff_until_anchored(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    chain = FailingChain(container.anchorer.ledger, failures=4)
    anchorer = Anchorer(container.engine, chain, stuck_after=timedelta(seconds=60), clock=clock)
    _log_records(container, 3, clock)

    with pytest.raises(ServiceUnavailable):
        anchorer.run_once()
    first = _anchor(container)
    assert (first.status, first.attempts) == ("prepared", 1)
    assert first.last_error == (
        "service_unavailable: the chain did not accept the change: connection refused"
    )
    assert first.last_attempt_at is not None

    retry = StuckBatchRetry(
        container.engine,
        anchorer,
        stuck_after=timedelta(seconds=60),
        backoff=timedelta(seconds=10),
        backoff_max=timedelta(seconds=40),
        alert_attempts=4,
        clock=clock,
    )
    assert [retry.delay(timedelta(seconds=s)).total_seconds() for s in (0, 10, 30, 70)] == [
        10,
        20,
        40,
        40,
    ]
    assert retry.run_once().stuck == 0  # prepared a moment ago: not stuck yet

    with pytest.raises(ServiceUnavailable):  # not stuck yet: the anchoring job still tries
        anchorer.run_once()
    assert chain.sent == 2
    clock.advance(60)
    deferred = anchorer.run_once()  # stuck now: left to tx-retry, nothing anchored behind it
    assert (deferred.stuck, deferred.batches, chain.sent) == (1, 0, 2)
    caplog.set_level(logging.WARNING, logger="gateway.evidence.retry")
    second = retry.run_once()  # stuck for 0 s: tried at once, then waits 0 + 10 s
    assert (second.stuck, second.resent, second.failed) == (1, 1, 1)
    assert _anchor(container).attempts == 3
    assert [r.levelname for r in caplog.records] == ["WARNING"]

    clock.advance(9)
    waiting = retry.run_once()
    assert (waiting.resent, waiting.waiting) == (0, 1)
    assert chain.sent == 3

    clock.advance(1)  # stuck for 10 s: tried, then waits 10 + 10 s
    third = retry.run_once()
    assert third.failed == 1 and _anchor(container).attempts == 4
    assert caplog.records[-1].levelname == "ERROR"  # fourth failed attempt: alert
    assert "4 attempts" in caplog.records[-1].getMessage()
    clock.advance(19)
    assert retry.run_once().waiting == 1

    clock.advance(1)  # stuck for 30 s
    done = retry.run_once()
    assert (done.resent, done.anchored, done.records, done.failed) == (1, 1, 3, 0)
    anchored = _anchor(container)
    assert (anchored.status, anchored.attempts) == ("anchored", 5)
    assert anchored.tx_hash and anchored.block_number
    assert container.anchorer.ledger.batch_by_root(anchored.root) == (3, 1, 3)
    assert retry.run_once().stuck == 0
    assert anchorer.run_once().stuck == 0


def test_tx_retry_waits_while_anchoring_holds_the_lease(container: Container) -> None:
    spec = {spec.name: spec for spec in alliance_jobs(container)}["tx-retry"]
    leases = LeaseManager(container.redis)
    held = leases.acquire("anchoring", 30)
    assert held is not None
    try:
        assert spec.run() == {"anchoring_busy": True}
    finally:
        leases.release(held)
    assert spec.run()["stuck"] == 0
