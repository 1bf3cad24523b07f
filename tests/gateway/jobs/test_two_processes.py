"""Two real ``alliance jobs run`` processes on one PostgreSQL, one Redis and one chain.

Both anchor over JSON-RPC to a devnode server holding the seeded alliance's chain. Every job
runs once per tick (the job history has one row per (job, tick), from one process or the
other, and no tick is skipped); when the process holding the anchoring lease is killed with
SIGKILL mid-run, the other takes anchoring over once the lease expires, and every record
logged meanwhile ends up anchored on chain.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gateway.bootstrap import build_container
from gateway.cli.main import main
from gateway.devnode.testing import running_devnode
from gateway.evidence.log import EvidenceLog
from gateway.evidence.tables import AnchorRow, OutboxRow
from gateway.jobs.history import JobRunRow
from gateway.jobs.lease import LeaseManager
from gateway.settings import Settings, load_settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade
from tests.evidence_support import log_closed_record

LEASE_SECONDS = 4.0
INTERVALS = {
    "anchoring": 2.0,
    "members-sync": 2.0,
    "catalog-sync": 2.0,
    "reconciliation": 2.0,
    "retention": 2.0,
    "tx-retry": 2.0,
}
# tx-retry sends anchoring transactions under the anchoring lease, so an anchoring tick that
# falls while tx-retry runs is skipped like one that falls while anchoring still runs.
LEASE_USERS = {"anchoring": ("anchoring", "tx-retry")}
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _config(path: Path, settings: Settings, postgres_url: str, redis_url: str, rpc: str) -> Path:
    intervals = ", ".join(
        f'"{name}" = {seconds}' for name, seconds in INTERVALS.items() if name != "anchoring"
    )
    path.write_text(
        f"""
data_dir = "{settings.data_dir}"
database_url = "{postgres_url}"
redis_url = "{redis_url}"

[log]
format = "text"
level = "INFO"

[chain]
rpc_url = "{rpc}"
timeout = 5.0

[evidence]
interval_seconds = {INTERVALS["anchoring"]}

[jobs]
in_process = false
intervals = {{ {intervals} }}
lease_seconds = {LEASE_SECONDS}
"""
    )
    return path


class Feeder:
    """Logs a closed access record every ``every`` seconds, like a serving gateway would."""

    def __init__(self, engine: Engine, every: float = 0.25) -> None:
        self.log = EvidenceLog(engine)
        self.every = every
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            log_closed_record(self.log, f"two-{self.count}", self.count + 1)
            self.count += 1

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def cluster(
    seeded_settings: Settings, postgres_url: str, redis_url: str, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    engine = make_engine(
        seeded_settings.model_copy(update={"database_url": postgres_url}).sqlalchemy_url
    )
    upgrade(engine)
    with running_devnode(seeded_settings.data_dir / "chain", block_interval=0.1) as (rpc, _):
        config = _config(tmp_path / "jobs.toml", seeded_settings, postgres_url, redis_url, rpc)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for index in range(2):
                with (tmp_path / f"jobs-{index}.log").open("wb") as log:
                    processes.append(
                        subprocess.Popen(
                            [ALLIANCE, "--config", str(config), "jobs", "run"],
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            env=env,
                        )
                    )
            yield {"engine": engine, "config": config, "processes": processes, "redis": redis_url}
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            engine.dispose()


def _runs(engine: Engine) -> list[JobRunRow]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(JobRunRow).order_by(JobRunRow.id)))


def _wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _pid(worker: str) -> int:
    return int(worker.rsplit(":", 1)[1])


def _table(runs: list[JobRunRow], job: str) -> str:
    return "\n".join(
        f"{r.tick} {r.worker} {r.started_at:%H:%M:%S.%f} {r.finished_at} {r.outcome} {r.detail}"
        for r in runs
        if r.job == job
    )


def _assert_every_tick_once(
    runs: list[JobRunRow], workers: set[int], dead: tuple[float, float] | None = None
) -> None:
    """No (job, tick) ran twice, and a tick was skipped only while a run holding the same
    lease was still in progress (its holder keeps the lease; a dead holder's run lasts until
    the next run starts) or, within ``dead``, while a frozen then killed process may still
    have held the job's lease (taken just before it froze, before its run was recorded)."""
    by_job: dict[str, list[JobRunRow]] = defaultdict(list)
    for run in runs:
        assert _pid(run.worker) in workers
        by_job[run.job].append(run)
    assert set(by_job) >= set(INTERVALS)
    for job, job_runs in by_job.items():
        ticks = Counter(int(run.tick) for run in job_runs)
        assert [t for t, n in ticks.items() if n > 1] == [], f"{job} ran a tick twice"
        spans = []
        for holder in LEASE_USERS.get(job, (job,)):
            ordered = sorted(by_job[holder], key=lambda run: run.started_at)
            for index, run in enumerate(ordered):
                following = ordered[index + 1].started_at if index + 1 < len(ordered) else None
                end = run.finished_at or following or datetime.now(UTC)
                spans.append((run.started_at.timestamp(), end.timestamp()))
        for tick in range(min(ticks), max(ticks) + 1):
            at = tick * INTERVALS[job]
            if tick not in ticks:
                busy = any(start <= at + 0.05 and end >= at - 0.2 for start, end in spans)
                busy = busy or (dead is not None and dead[0] <= at <= dead[1])
                assert busy, f"{job} skipped tick {tick} while idle:\n{_table(runs, job)}"


def _freeze_anchoring_holder(engine: Engine, leases: LeaseManager) -> tuple[JobRunRow, float]:
    """SIGSTOP the process while it holds the anchoring lease in the middle of a run."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [r for r in _runs(engine) if r.job == "anchoring" and r.outcome == "running"]
        if running and leases.holder("anchoring") == running[-1].fencing_token:
            run = running[-1]
            frozen_at = time.time()
            os.kill(_pid(run.worker), signal.SIGSTOP)
            still = [r for r in _runs(engine) if r.id == run.id and r.outcome == "running"]
            if still and leases.holder("anchoring") == run.fencing_token:
                return run, frozen_at
            os.kill(_pid(run.worker), signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("never caught the anchoring lease holder in the middle of a run")


def test_two_jobs_processes_run_each_tick_once_and_hand_over_a_dead_holders_lease(
    cluster: dict[str, Any],
) -> None:
    engine: Engine = cluster["engine"]
    processes: list[subprocess.Popen[bytes]] = cluster["processes"]
    pids = {process.pid for process in processes}
    leases = LeaseManager(redis.Redis.from_url(cluster["redis"]))

    with Feeder(engine) as feeder:
        _wait_for(
            "six anchoring runs",
            lambda: sum(r.job == "anchoring" and r.outcome == "ok" for r in _runs(engine)) >= 6,
            90,
        )
        assert all(process.poll() is None for process in processes)
        before = _runs(engine)
        _assert_every_tick_once(before, pids)
        assert {_pid(r.worker) for r in before} <= pids

        frozen, frozen_at = _freeze_anchoring_holder(engine, leases)
        victim = _pid(frozen.worker)
        os.kill(victim, signal.SIGKILL)
        next(p for p in processes if p.pid == victim).wait(10)
        survivor = (pids - {victim}).pop()

        def taken_over() -> JobRunRow | None:
            later = [
                r
                for r in _runs(engine)
                if r.job == "anchoring" and r.fencing_token > frozen.fencing_token
            ]
            return later[0] if later else None

        successor = _wait_for("the survivor to anchor", taken_over, LEASE_SECONDS + 20)
        assert _pid(successor.worker) == survivor
        waited = (successor.started_at - frozen.started_at).total_seconds()
        assert waited >= LEASE_SECONDS - 0.5, f"lease handed over after {waited:.2f} s"
        time.sleep(3)  # the survivor alone for a while, the feeder still logging

    def drained() -> bool:
        with Session(engine) as session:
            waiting = session.scalar(select(func.count()).select_from(OutboxRow))
            prepared = session.scalar(
                select(func.count()).select_from(AnchorRow).where(AnchorRow.status != "anchored")
            )
        return waiting == 0 and prepared == 0

    _wait_for("every record anchored", drained, 30)
    runs = _runs(engine)
    killed = next(r for r in runs if r.id == frozen.id)
    assert killed.outcome == "abandoned" and killed.finished_at is None
    after = [r for r in runs if r.id > frozen.id and r.outcome != "running"]
    assert {_pid(r.worker) for r in after if r.started_at > successor.started_at} == {survivor}
    _assert_every_tick_once(runs, pids, dead=(frozen_at - 0.5, frozen_at + LEASE_SECONDS + 0.5))
    assert {r.outcome for r in runs if r.job != "reconciliation"} <= {"ok", "abandoned", "running"}

    settings = load_settings(cluster["config"], environ={})
    container = build_container(settings)
    try:
        with Session(engine) as session:
            anchors = session.scalars(select(AnchorRow).order_by(AnchorRow.id)).all()
            logged = session.scalar(select(func.max(AnchorRow.last_sequence)))
        assert logged == feeder.count
        assert container.anchorer.ledger.batch_count() == len(anchors)
        for anchor in anchors:
            on_chain = container.anchorer.ledger.batch_by_root(anchor.root)
            assert on_chain == (anchor.count, anchor.first_sequence, anchor.last_sequence)
    finally:
        container.close()

    shown = CliRunner().invoke(
        main,
        [
            "--config",
            str(cluster["config"]),
            "jobs",
            "history",
            "--job",
            "anchoring",
            "--limit",
            "1000",
        ],
    )
    assert shown.exit_code == 0, shown.output
    history = {run["id"]: run for run in json.loads(shown.output)}
    assert history[killed.id]["outcome"] == "abandoned"
    assert history[successor.id]["worker"].endswith(f":{survivor}")
    assert history[successor.id]["started_at"] and history[successor.id]["finished_at"]
    assert "records" in history[successor.id]["detail"]
