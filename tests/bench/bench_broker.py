"""Brokered queries with evidence on and off, and anchoring throughput, in one run.

Run: .venv/bin/python tests/bench/bench_broker.py [--queries 400] [--records 20000]

A seeded alliance (``alliance init`` into a temporary directory) with the provider simulators
on loopback; queries go through the Flask app in-process with a real bearer token and a real
signed HTTP exchange with the simulator. "Evidence off" is the same service with an evidence
log that writes nothing (receipts are still signed); the difference is the cost of logging
first. Anchoring: closed records are written straight into the log, then one anchoring run
(leaves, Merkle tree, every proof, the batch and proofs committed, one chain transaction).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from gateway import create_app
from gateway.bootstrap import build_container
from gateway.evidence.tables import AccessRecordRow, OutboxRow
from gateway.instance import initialise
from gateway.members.ports import MemberQuery
from gateway.providers.runner import running_simulators
from gateway.providers.samples import sample_queries
from gateway.settings import load_settings


class NullEvidenceLog:
    """Evidence off: nothing is written."""

    def open(self, opening: Any) -> int:
        return 0

    def close(self, record_id: int, closing: Any) -> None:
        return None

    def by_idempotency_key(self, consumer: str, key: str) -> None:
        return None


def commit_latency(engine: Any, count: int = 200) -> list[float]:
    """Baseline: ms per durable commit of one small row, on the gateway's own database
    connection settings (WAL, ``synchronous=FULL``), in a scratch table."""
    times = []
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_commit (v TEXT)")
        connection.commit()
        for _ in range(count):
            started = time.perf_counter()
            connection.exec_driver_sql("INSERT INTO bench_commit VALUES (?)", ("x" * 500,))
            connection.commit()
            times.append((time.perf_counter() - started) * 1000)
        connection.exec_driver_sql("DROP TABLE bench_commit")
        connection.commit()
    return times


def raw_insert_rate(engine: Any, rows: list[dict[str, Any]]) -> float:
    """Baseline: records/s of a bare driver ``executemany`` INSERT of the same records'
    columns into a scratch table, committed (what writing a batch costs at least)."""
    columns = list(rows[0])
    with engine.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE TABLE bench_insert ({', '.join(c + ' TEXT' for c in columns)})"
        )
        connection.commit()
        cursor = connection.connection.cursor()
        values = [tuple(str(row[c]) for c in columns) for row in rows]
        started = time.perf_counter()
        cursor.executemany(
            f"INSERT INTO bench_insert VALUES ({', '.join('?' for _ in columns)})",  # noqa: S608
            values,
        )
        connection.connection.commit()
        elapsed = time.perf_counter() - started
        connection.exec_driver_sql("DROP TABLE bench_insert")
        connection.commit()
    return len(rows) / elapsed


def raw_sm3_rate(count: int) -> float:
    """Baseline: records/s of one bare ``hashlib`` SM3 per 542-byte leaf (a real leaf's size)."""
    leaves = [b"\x00" + uuid.uuid4().hex.encode() * 17 for _ in range(count)]
    new = hashlib.new
    started = time.perf_counter()
    for leaf in leaves:
        new("sm3", leaf).digest()
    return count / (time.perf_counter() - started)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        environ = {
            "ALLIANCE_DATA_DIR": str(Path(directory) / "var"),
            "ALLIANCE_LOG_LEVEL": "WARNING",
            "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
            "ALLIANCE_OAUTH_API_RATE_LIMIT": "1000000/minute",
            "ALLIANCE_OAUTH_QUERY_RATE_LIMIT": "1000000/minute",
        }
        settings = load_settings(environ=environ)
        container = build_container(settings)
        initialise(container)
        container.close()
        app = create_app(settings)
        services = app.extensions["alliance"]
        index = services.members.index
        with running_simulators(None, settings.data_dir / "credentials") as urls:
            for member in index.find(MemberQuery(limit=100)):
                if member.code in urls:
                    profile = dataclasses.replace(member.profile, endpoint=urls[member.code])
                    index.save(dataclasses.replace(member, profile=profile))
            sample = next(q for q in sample_queries() if q["entry_id"] == "NRD-TITLE")
            cred = json.loads(
                (settings.data_dir / "credentials" / f"{sample['consumer']}.json").read_text()
            )
            client = app.test_client()
            basic = base64.b64encode(
                f"{cred['client_id']}:{cred['client_secret']}".encode()
            ).decode()
            token = client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {basic}"},
            ).get_json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            body = {"purpose": sample["purpose"], "params": sample["params"]}
            broker = services.broker
            real_log = broker.log
            timings: dict[str, list[float]] = {"on": [], "off": []}
            for _ in range(20):
                client.post("/api/v1/query/NRD-TITLE", json=body, headers=headers)
            rounds = 10
            for _round in range(rounds):
                for mode in ("on", "off"):
                    broker.log = real_log if mode == "on" else NullEvidenceLog()
                    for _ in range(args.queries // rounds):
                        started = time.perf_counter()
                        response = client.post(
                            "/api/v1/query/NRD-TITLE", json=body, headers=headers
                        )
                        timings[mode].append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200, response.get_data(as_text=True)
            broker.log = real_log
        print(
            f"brokered NRD-TITLE queries, {len(timings['on'])} per mode, "
            f"interleaved in {rounds} rounds"
        )
        print(f"{'evidence':>9} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        figures = {}
        for mode in ("on", "off"):
            values = timings[mode]
            rate = len(values) / (sum(values) / 1000)
            figures[mode] = (rate, statistics.median(values), _percentile(values, 0.99))
            print(f"{mode:>9} {rate:>8.1f} {figures[mode][1]:>8.2f} {figures[mode][2]:>8.2f}")
        print(
            f"throughput ratio on/off: {figures['on'][0] / figures['off'][0]:.2f} (goal >= 0.85); "
            f"added p99: {figures['on'][2] - figures['off'][2]:.2f} ms (goal <= 5)"
        )
        commits = commit_latency(services.engine)
        commit_ms = statistics.median(commits)
        off_ms = 1000 / figures["off"][0]
        print(
            f"baseline: one durable SQLite commit {commit_ms:.2f} ms median, "
            f"{_percentile(commits, 0.99):.2f} ms p99 (logging first costs two per query); "
            f"ratio with only those two commits added: {off_ms / (off_ms + 2 * commit_ms):.2f}"
        )

        services.anchorer.run_once()  # anchor what the queries logged
        now = datetime.now(UTC)
        rows = [
            {
                "request_id": uuid.uuid4().hex,
                "entry_id": "NRD-TITLE",
                "entry_version": "0x" + "ab" * 32,
                "consumer": "TAX",
                "provider": "NRD",
                "purpose": "000163002000",
                "client_id": "bench",
                "request_digest": "0x" + uuid.uuid4().hex * 2,
                "response_digest": "0x" + uuid.uuid4().hex * 2,
                "decision": "allowed",
                "http_status": 200,
                "received_at": now,
                "responded_at": now,
            }
            for _ in range(args.records)
        ]
        with services.engine.begin() as connection:
            result = connection.execute(insert(AccessRecordRow).returning(AccessRecordRow.id), rows)
            ids = [row[0] for row in result]
            connection.execute(
                insert(OutboxRow), [{"record_id": i, "created_at": now} for i in ids]
            )
        started = time.perf_counter()
        report = services.anchorer.run_once()
        elapsed = time.perf_counter() - started
        rate = report.records / elapsed
        print(
            f"anchoring: {report.records} records in {report.batches} batch(es), {elapsed:.2f} s, "
            f"{rate:,.0f} records/s (goal >= 10,000/s)"
        )
        insert_rate = raw_insert_rate(services.engine, rows)
        sm3_rate = raw_sm3_rate(len(rows))
        print(
            f"baselines: raw SQL insert {insert_rate:,.0f} records/s "
            f"(ratio {rate / insert_rate:.2f}); "
            f"raw SM3 {sm3_rate:,.0f} leaves/s (ratio {rate / sm3_rate:.2f})"
        )
        services.close()


if __name__ == "__main__":
    main()
