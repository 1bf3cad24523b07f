"""Forwarded queries through one and two levels vs the same query at the province, one run.

Run: .venv/bin/python tests/bench/bench_federation.py [--queries 200] [--concurrency 4]

Three seeded alliances (``alliance init`` into a temporary directory: province, city, county),
each served by a werkzeug server on loopback in this process and linked parent to child; the
province's departments are simulated. The baseline is the tax bureau's title inquiry asked at
the province (its own NRD); then the same inquiry of ``R320000:NRD-TITLE`` asked at the city
(forwarded once) and at the county (forwarded twice). Every call is real HTTP with a bearer
token; every level logs, receipts and checks the receipt of the level above. Prints queries
per second, p50 and p99 per mode, and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gateway.providers.samples import sample_queries  # noqa: E402
from tests.federation_support import (  # noqa: E402
    TITLE_FIELDS,
    TITLE_MATTER,
    Level,
    hierarchy,
    initialise_templates,
)

MIRRORED = "R320000:NRD-TITLE"


def _measure(level: Level, entry_id: str, body: dict[str, Any], queries: int, workers: int):
    token = level.token("TAX")
    session = requests.Session()

    def one(_: int) -> float:
        started = time.perf_counter()
        answer = session.post(
            f"{level.url}/api/v1/query/{entry_id}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return (time.perf_counter() - started) * 1000

    for warm in range(5):
        one(warm)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        latencies = sorted(pool.map(one, range(queries)))
    elapsed = time.perf_counter() - started
    return {
        "queries": queries,
        "per_second": round(queries / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    sample = next(
        q for q in sample_queries(2026) if q["entry_id"] == "NRD-TITLE" and q["consumer"] == "TAX"
    )
    body = {"purpose": TITLE_MATTER, "params": sample["params"]}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        templates = initialise_templates(root / "templates")
        with hierarchy(templates, root / "levels") as (province, city, county):
            province.grant("TAX", "NRD-TITLE", TITLE_FIELDS, days=30)
            province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
            city.sync()
            city.grant("TAX", MIRRORED, TITLE_FIELDS, days=20)
            city.grant("R320102", MIRRORED, TITLE_FIELDS, days=20)
            county.sync()
            county.grant("TAX", MIRRORED, TITLE_FIELDS, days=10)
            modes = {
                "province (baseline)": _measure(
                    province, "NRD-TITLE", body, args.queries, args.concurrency
                ),
                "city, forwarded once": _measure(
                    city, MIRRORED, body, args.queries, args.concurrency
                ),
                "county, forwarded twice": _measure(
                    county, MIRRORED, body, args.queries, args.concurrency
                ),
            }
    baseline = modes["province (baseline)"]
    for result in modes.values():
        result["throughput_ratio"] = round(result["per_second"] / baseline["per_second"], 2)
        result["added_p50_ms"] = round(result["p50_ms"] - baseline["p50_ms"], 2)
    print(
        json.dumps({"concurrency": args.concurrency, "modes": modes}, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
