"""Throughput of 3 replicas vs 1 through HAProxy, measured in the same run.

    .venv/bin/python tests/bench/bench_ha.py [--seconds 20] [--concurrency 12]

Starts the cluster of deploy/ha/cluster.py (private PostgreSQL and Redis), drives brokered
queries through the balancer with all replicas up, then stops all but one (HAProxy takes
them out) and drives the same load again. Prints both rates and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.faults.ha_campaign import (  # noqa: E402
    Load,
    _samples,
    _tokens,
    load_cluster_module,
    percentile,
)
from tests.faults.servers import private_postgres, private_redis  # noqa: E402


def _measure(cluster: object, samples: list, tokens: dict, concurrency: int, seconds: float):
    load = Load(cluster.balancer_url, samples, tokens, concurrency)  # type: ignore[attr-defined]
    load.start()
    time.sleep(2.0)  # warm up
    start = len(load.outcomes)
    time.sleep(seconds)
    window = load.outcomes[start:]
    load.stop()
    ok = [o for o in window if o.status == 200]
    return {
        "queries_per_second": round(len(ok) / seconds, 1),
        "errors": len(window) - len(ok),
        "p50_ms": percentile([o.latency for o in ok], 0.5),
        "p99_ms": percentile([o.latency for o in ok], 0.99),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=12)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="alliance-ha-bench-"))
    with (
        private_postgres() as pg,
        private_redis() as rd,
        load_cluster_module().Cluster(workdir, pg.url, rd.url, 3) as cluster,
    ):
        samples = _samples(cluster)
        tokens = _tokens(cluster, {s["consumer"] for s in samples})
        three = _measure(cluster, samples, tokens, args.concurrency, args.seconds)
        for replica in cluster.members[1:]:
            os.killpg(replica.process.pid, signal.SIGTERM)
            replica.process.wait()
        time.sleep(3.0)  # HAProxy marks them down
        one = _measure(cluster, samples, tokens, args.concurrency, args.seconds)
    ratio = round(three["queries_per_second"] / max(one["queries_per_second"], 0.1), 2)
    print(
        json.dumps(
            {
                "cpus": os.cpu_count(),
                "concurrency": args.concurrency,
                "one_replica": one,
                "three_replicas": three,
                "ratio_3_vs_1": ratio,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
