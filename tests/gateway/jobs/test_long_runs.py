"""Long runs: a live holder keeps its lease; an anchoring run ends however busy the gateway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from gateway.bootstrap import Container, build_container
from gateway.evidence.anchoring import Anchorer
from gateway.jobs.history import JobHistory
from gateway.jobs.lease import LeaseManager
from gateway.jobs.runner import JobRunner, JobSpec
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade
from tests.evidence_support import log_closed_record


@pytest.mark.redis
def test_a_run_longer_than_its_lease_keeps_the_lease(settings: Settings, redis_url: str) -> None:
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    other = LeaseManager(redis.Redis.from_url(redis_url))
    stolen: list[bool] = []
    started = threading.Event()

    def slow() -> dict[str, Any]:
        started.set()
        time.sleep(1.5)
        return {}

    def intruder() -> None:
        assert started.wait(10)
        for _ in range(6):
            time.sleep(0.2)
            stolen.append(other.acquire("anchoring", 5) is not None)

    thread = threading.Thread(target=intruder)
    thread.start()
    runner = JobRunner(LeaseManager(redis.Redis.from_url(redis_url)), JobHistory(engine), "a")
    assert runner.run_tick(JobSpec("anchoring", 2.0, slow, lease=0.5)) == "ran"
    thread.join()
    assert stolen == [False] * 6  # the lease lives 0.5 s but the 1.5 s run kept it
    assert other.holder("anchoring") is None  # and released it at the end
    engine.dispose()


class BusyLedger:
    """The real EvidenceLedger, while every anchoring transaction sees a new access logged."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.ledger = container.anchorer.ledger
        self.logged = 0

    def anchor_batch(self, *args: Any) -> tuple[str, int]:
        if self.logged < 5:  # bounded, so a run that chased new records would show, not hang
            log_record(self.container, f"busy-{self.logged}")
            self.logged += 1
        result: tuple[str, int] = self.ledger.anchor_batch(*args)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)


def log_record(container: Container, request_id: str) -> None:
    log_closed_record(container.evidence_log, request_id, 0xCD)


@pytest.fixture
def container(seeded_settings: Settings) -> Iterator[Container]:
    container = build_container(seeded_settings)
    yield container
    container.close()


def test_an_anchoring_run_anchors_what_waited_when_it_started(container: Container) -> None:
    log_record(container, "first")
    ledger = BusyLedger(container)
    anchorer = Anchorer(container.engine, ledger)
    first = anchorer.run_once()
    assert (first.batches, first.records) == (1, 1)  # the record logged meanwhile waits
    assert container.evidence_log.unanchored_count() == 1
    second = anchorer.run_once()
    assert (second.batches, second.records) == (1, 1)
    assert ledger.logged == 2
