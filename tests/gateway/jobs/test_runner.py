"""Jobs run once per tick across processes; a dead holder's lease passes on after expiry."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import Engine

from gateway.infra.redis import make_redis
from gateway.jobs.history import JobHistory
from gateway.jobs.lease import LeaseManager
from gateway.jobs.runner import JobRunner, JobSpec
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade


@pytest.fixture
def engine(make_settings: Callable[..., Settings], postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(make_settings(database_url=postgres_url).sqlalchemy_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_run_each_tick_once(engine: Engine, redis_url: str) -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def work() -> dict[str, Any]:
        with lock:
            calls.append(threading.current_thread().name)
        time.sleep(0.05)
        return {"records": 1}

    spec = JobSpec("anchoring", 10.0, work)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def process(name: str) -> None:
        runner = JobRunner(
            LeaseManager(redis.Redis.from_url(redis_url)), JobHistory(engine), worker=name
        )
        for tick in range(5):
            start.wait()
            outcomes.append(runner.run_tick(spec, at=1_000_000.0 + tick * 10))

    threads = [threading.Thread(target=process, args=(f"w{i}",), name=f"w{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runs = JobHistory(engine).recent("anchoring")
    assert len(runs) == 5
    assert sorted(r["tick"] for r in runs) == [str(100_000 + t) for t in range(5)]
    assert all(r["outcome"] == "ok" and r["detail"] == {"records": 1} for r in runs)
    assert len(calls) == 5
    assert sorted(outcomes).count("ran") == 5
    assert set(outcomes) <= {"ran", "skipped", "duplicate"}


@pytest.mark.postgres
def test_a_tick_that_already_ran_is_not_run_again(engine: Engine) -> None:
    spec = JobSpec("members-sync", 300.0, lambda: {})
    runner = JobRunner(LeaseManager(make_redis("")), JobHistory(engine), worker="a")
    assert runner.run_tick(spec, at=3000.0) == "ran"
    assert runner.run_tick(spec, at=3100.0) == "duplicate"
    assert runner.run_tick(spec, at=3300.0) == "ran"


@pytest.mark.redis
def test_a_dead_holders_lease_expires_and_the_next_holder_has_a_larger_fence(
    redis_url: str,
) -> None:
    leases = LeaseManager(redis.Redis.from_url(redis_url))
    crashed = leases.acquire("anchoring", ttl_seconds=0.3)
    assert crashed is not None
    assert leases.acquire("anchoring", ttl_seconds=0.3) is None
    time.sleep(0.4)
    successor = leases.acquire("anchoring", ttl_seconds=5)
    assert successor is not None
    assert successor.token > crashed.token
    assert leases.release(crashed) is False  # the old holder cannot release the new lease
    assert leases.holder("anchoring") == successor.token
    assert leases.release(successor) is True


def test_failed_runs_are_recorded(settings: Settings) -> None:
    from gateway.errors import ServiceUnavailable

    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)

    def down() -> dict[str, Any]:
        raise ServiceUnavailable("the chain is unreachable")

    runner = JobRunner(LeaseManager(make_redis("")), JobHistory(engine), worker="a")
    assert runner.run_tick(JobSpec("anchoring", 2.0, down), at=10.0) == "failed"
    run = JobHistory(engine).recent()[0]
    assert run["outcome"] == "failed"
    assert run["detail"]["code"] == "service_unavailable"
    engine.dispose()
