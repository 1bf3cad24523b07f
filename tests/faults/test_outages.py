"""PostgreSQL restarted and Redis lost under a running gateway, on private servers.

The database going away answers 503 ``database_unavailable`` (problem+json) and writes
nothing; once it is back the same process serves again. Redis going away fails closed
(503 ``service_unavailable``, docs/broker.md) and stops anchoring (no lease can be taken);
when an empty Redis comes back, two replicas anchoring at once anchor every record once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.bootstrap import build_container
from gateway.bootstrap.jobs import alliance_jobs
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.instance import initialise
from gateway.jobs.history import JobHistory
from gateway.jobs.lease import LeaseManager
from gateway.jobs.runner import JobRunner
from gateway.settings import Settings, load_settings
from tests.alliance_support import Alliance, start_alliance
from tests.conftest import FAST_CHAIN
from tests.faults.servers import PrivatePostgres, PrivateRedis, private_postgres, private_redis

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
PROBLEM = "application/problem+json"


@pytest.fixture
def servers() -> Iterator[tuple[PrivatePostgres, PrivateRedis]]:
    with private_postgres() as postgres, private_redis() as redis_server:
        yield postgres, redis_server


@pytest.fixture
def alliance(servers: tuple[PrivatePostgres, PrivateRedis], tmp_path: Path) -> Iterator[Alliance]:
    postgres, redis_server = servers
    environ = {
        "ALLIANCE_DATA_DIR": str(tmp_path / "var"),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_DATABASE_URL": postgres.url,
        "ALLIANCE_REDIS_URL": redis_server.url,
        **{f"ALLIANCE_{k.upper()}": v for k, v in FAST_CHAIN.items()},
    }
    settings: Settings = load_settings(environ=environ)
    container = build_container(settings)
    try:
        initialise(container)
    finally:
        container.close()
    context = start_alliance(settings)
    yield next(context)
    next(context, None)


def _query(alliance: Alliance, token: str) -> Any:
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    return alliance.query(
        token, "NRD-TITLE", {"purpose": sample["purpose"], "params": sample["params"]}
    )


def _records(alliance: Alliance) -> tuple[int, int]:
    """(access records, of which still pending)."""
    with Session(alliance.container.engine) as session:
        total = session.scalar(select(func.count(AccessRecordRow.id))) or 0
        pending = session.scalar(select(func.count()).where(AccessRecordRow.responded_at.is_(None)))
    return total, int(pending or 0)


def test_a_database_restart_answers_503_meanwhile_and_service_resumes_by_itself(
    alliance: Alliance, servers: tuple[PrivatePostgres, PrivateRedis]
) -> None:
    postgres, _ = servers
    token = alliance.token("TAX")
    assert _query(alliance, token).status_code == 200
    before = _records(alliance)

    postgres.stop()
    during = _query(alliance, token)
    assert during.status_code == 503
    assert during.content_type == PROBLEM
    assert during.get_json()["code"] == "database_unavailable"
    assert during.headers["Retry-After"]
    ready = alliance.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"]["status"] != "ok"

    postgres.start()
    deadline = time.monotonic() + 30
    after = _query(alliance, token)
    while after.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        after = _query(alliance, token)
    assert after.status_code == 200  # the same process, no restart
    total, pending = _records(alliance)
    assert (total, pending) == (before[0] + 1, 0)  # the refused query left nothing behind


def _anchoring_runner(alliance: Alliance, container: Any) -> tuple[JobRunner, Any]:
    spec = next(s for s in alliance_jobs(container) if s.name == "anchoring")
    return JobRunner(LeaseManager(container.redis), JobHistory(container.engine)), spec


def test_redis_lost_fails_closed_and_an_empty_redis_back_anchors_each_record_once(
    alliance: Alliance, servers: tuple[PrivatePostgres, PrivateRedis]
) -> None:
    _, redis_server = servers
    token = alliance.token("TAX")
    assert [_query(alliance, token).status_code for _ in range(3)] == [200, 200, 200]
    second = build_container(alliance.settings)  # a second replica's container
    replicas = [
        _anchoring_runner(alliance, alliance.container),
        _anchoring_runner(alliance, second),
    ]
    ledger = alliance.container.chain.contract("EvidenceLedger")
    try:
        redis_server.kill()
        refused = _query(alliance, token)
        assert refused.status_code == 503
        assert refused.get_json()["code"] == "service_unavailable"
        for runner, spec in replicas:
            with pytest.raises(redis.ConnectionError):
                runner.run_tick(spec)
        assert ledger.call("lastSequence") == 0  # nothing anchored without a lease

        redis_server.start()  # empty: leases, fencing counters and tokens are gone
        outcomes: list[str] = []

        def tick(runner: JobRunner, spec: Any, at: float) -> None:
            outcomes.append(runner.run_tick(spec, at=at))

        now = time.time()
        for offset in range(3):
            threads = [
                threading.Thread(target=tick, args=(runner, spec, now + offset * 10))
                for runner, spec in replicas
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert "ran" in outcomes
        assert ledger.call("lastSequence") == 3  # each record once
        with Session(alliance.container.engine) as session:
            batches = session.execute(
                select(AnchorRow.first_sequence, AnchorRow.last_sequence).where(
                    AnchorRow.status == "anchored"
                )
            ).all()
        covered = sorted(s for first, last in batches for s in range(first, last + 1))
        assert covered == [1, 2, 3]
        # Tokens lived in the lost Redis: clients take new ones and carry on.
        assert _query(alliance, token).status_code == 401
        assert _query(alliance, alliance.token("TAX")).status_code == 200
    finally:
        second.close()
