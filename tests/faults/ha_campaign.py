"""Fault campaign: brokered queries through HAProxy while replicas are killed with SIGKILL.

    .venv/bin/python tests/faults/ha_campaign.py [--duration 60] [--replicas 3]
        [--kill-every 4] [--concurrency 8] [--baseline 10] [--database-url URL --redis-url URL]

Starts the cluster of ``deploy/ha/cluster.py`` (on a private PostgreSQL cluster and a private
``redis-server`` unless URLs are given), drives brokered queries from ``--concurrency``
threads, first ``--baseline`` seconds without faults, then for ``--duration`` seconds kills a
random replica every ``--kill-every`` seconds (SIGKILL to its whole process group) and
restarts it a second later. Then it waits until every evidence record is anchored and
checks, from the shared database, the chain and the answers received:

- every answer that carries a receipt has its evidence record, logged with the same
  response digest (evidence first: the receipt is issued only after the record is written);
- no sequence number anchored twice and none missing (sequence numbers 1..n each in exactly
  one anchored batch, n equal to the chain's ``nextSequence - 1``); every record anchored;
- every receipt verifies (signature, response digest for data answers, Merkle inclusion
  proof, and the batch root as held by ``EvidenceLedger`` on the chain);
- ``alliance reconciliation run --fail-on-mismatch`` reports clean.

Prints one JSON summary and exits 1 when an invariant does not hold.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.faults.campaign_evidence import (  # noqa: E402
    Outcome,
    check_evidence,
    load_cluster_module,
)
from tests.faults.servers import private_postgres, private_redis  # noqa: E402


@dataclass
class Load:
    """Threads sending brokered queries through the balancer until stopped."""

    url: str
    samples: list[dict[str, Any]]
    tokens: dict[str, str]
    concurrency: int
    phase: str = "baseline"
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _worker(self, offset: int) -> None:
        session = requests.Session()
        for sample in itertools.islice(itertools.cycle(self.samples), offset, None):
            if self._stop.is_set():
                session.close()
                return
            body = {"purpose": sample["purpose"], "params": sample["params"]}
            headers = {
                "Authorization": f"Bearer {self.tokens[sample['consumer']]}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            phase, started = self.phase, time.monotonic()
            try:
                answer = session.post(
                    f"{self.url}/api/v1/query/{sample['entry_id']}",
                    json=body,
                    headers=headers,
                    timeout=30,
                )
                status = answer.status_code
                document = answer.json() if answer.content.startswith(b"{") else None
            except requests.RequestException as exc:
                status, document = 0, {"exception": type(exc).__name__, "detail": str(exc)}
                session.close()
                session = requests.Session()
            outcome = Outcome(phase, status, time.monotonic() - started, document)
            with self._lock:
                self.outcomes.append(outcome)

    def start(self) -> None:
        for index in range(self.concurrency):
            thread = threading.Thread(target=self._worker, args=(index * 3,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def _tokens(cluster: Any, consumers: set[str]) -> dict[str, str]:
    tokens = {}
    for code in consumers:
        creds = json.loads((cluster.data_dir / "credentials" / f"{code}.json").read_text())
        for _ in range(20):
            answer = requests.post(
                cluster.balancer_url + "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(creds["client_id"], creds["client_secret"]),
                timeout=10,
            )
            if answer.status_code == 200:
                tokens[code] = answer.json()["access_token"]
                break
            time.sleep(0.5)
    return tokens


def _samples(cluster: Any) -> list[dict[str, Any]]:
    out = subprocess.run(
        [load_cluster_module().ALLIANCE, "demo", "samples"],
        env=cluster.env(),
        check=True,
        capture_output=True,
    ).stdout
    return list(json.loads(out))


def _serving(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


class Killer:
    """Every ``every`` seconds: SIGKILL a random replica, restart it a second later. A kill
    is held back while fewer than two replicas serve (a restarted replica needs some
    seconds to load), so the campaign tests failover, not a total outage."""

    def __init__(self, cluster: Any, every: float, seed: int) -> None:
        self.cluster = cluster
        self.every = every
        self.random = random.Random(seed)  # noqa: S311 - picks a victim, not a secret
        self.kills = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            serving = [r.index for r in self.cluster.members if r.alive and _serving(r.url)]
            if len(serving) < 2:
                continue
            victim = self.random.choice(serving)
            self.cluster.kill(victim)
            self.kills += 1
            if self._stop.wait(1.0):
                self.cluster.restart(victim, wait=False)
                return
            self.cluster.restart(victim, wait=False)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def _servers(database_url: str | None, redis_url: str | None) -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        if not database_url:
            database_url = stack.enter_context(private_postgres()).url
        if not redis_url:
            redis_url = stack.enter_context(private_redis()).url
        yield database_url, redis_url


def run_campaign(
    *,
    duration: float = 60.0,
    replicas: int = 3,
    kill_every: float = 4.0,
    concurrency: int = 8,
    baseline: float = 10.0,
    database_url: str | None = None,
    redis_url: str | None = None,
    seed: int = 15,
    workdir: Path | None = None,
) -> dict[str, Any]:
    cluster_cls = load_cluster_module().Cluster
    workdir = workdir or Path(tempfile.mkdtemp(prefix="alliance-ha-"))
    with ExitStack() as stack:
        db, rd = stack.enter_context(_servers(database_url, redis_url))
        with cluster_cls(workdir, db, rd, replicas) as cluster:
            samples = _samples(cluster)
            tokens = _tokens(cluster, {s["consumer"] for s in samples})
            load = Load(cluster.balancer_url, samples, tokens, concurrency)
            load.start()
            time.sleep(baseline)
            load.phase = "kills"
            killer = Killer(cluster, kill_every, seed)
            killer.start()
            time.sleep(duration)
            killer.stop()
            load.stop()
            evidence = check_evidence(cluster, load.outcomes)
            restarts = sum(r.starts - 1 for r in cluster.members)
    outcomes = load.outcomes
    statuses = Counter(o.status for o in outcomes)
    answered = sum(n for status, n in statuses.items() if 200 <= status < 500)
    summary = {
        "replicas": replicas,
        "duration_seconds": duration,
        "baseline_seconds": baseline,
        "kills": killer.kills,
        "restarts": restarts,
        "requests_sent": len(outcomes),
        "answered": answered,
        "answered_by_status": {str(k): v for k, v in sorted(statuses.items()) if 0 < k < 500},
        "failed": len(outcomes) - answered,
        "failed_by_status": {
            ("connection_closed" if k == 0 else str(k)): v
            for k, v in sorted(statuses.items())
            if k == 0 or k >= 500
        },
        "p50_ms": {
            phase: percentile([o.latency for o in outcomes if o.phase == phase], 0.50)
            for phase in ("baseline", "kills")
        },
        "p99_ms": {
            phase: percentile([o.latency for o in outcomes if o.phase == phase], 0.99)
            for phase in ("baseline", "kills")
        },
        **evidence,
        "workdir": str(workdir),
    }
    summary["connection_errors"] = dict(
        Counter(str(o.body.get("detail"))[:120] for o in outcomes if o.status == 0 and o.body)
    )
    summary["ok"] = invariants_hold(summary)
    return summary


def invariants_hold(summary: dict[str, Any]) -> bool:
    return bool(
        summary["duplicates"] == 0
        and summary["missing"] == 0
        and summary["answered_without_evidence"] == 0
        and summary["receipts_failed"] == 0
        and summary["receipts_verified"] == summary["answered_with_receipt"] > 0
        and summary["reconciliation_clean"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of kills")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds without kills")
    parser.add_argument("--database-url", help="default: a private PostgreSQL cluster")
    parser.add_argument("--redis-url", help="default: a private redis-server")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    summary = run_campaign(
        duration=args.duration,
        replicas=args.replicas,
        kill_every=args.kill_every,
        concurrency=args.concurrency,
        baseline=args.baseline,
        database_url=args.database_url,
        redis_url=args.redis_url,
        seed=args.seed,
    )
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
