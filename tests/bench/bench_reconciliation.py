"""Reconciliation throughput against a bare scan of the same rows, in one run.

Run: .venv/bin/python tests/bench/bench_reconciliation.py [--records N] [--postgres URL]

Closed access records are bulk-inserted into a database with the gateway's schema (SQLite
file by default, or a fresh schema of the PostgreSQL at ``--postgres``) and anchored by the
real :class:`~gateway.evidence.anchoring.Anchorer` in batches of 10 000: real evidence entries,
SM3 Merkle roots and inclusion proofs. The ledger the anchorer sends to is kept in memory, so
the chain side costs one lookup per batch (against a node it is one call per batch, not per
record). Then, on the same rows: the baseline streams every column reconciliation reads (the
I/O floor), and reconciliation runs its full comparison (rows against evidence entries,
leaves rebuilt into each batch's tree, roots against the ledger, sequence chain, outbox).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text

from gateway.evidence.anchoring import Anchorer
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow
from gateway.reconciliation.rows import ANCHORED_COLUMNS
from gateway.reconciliation.service import ReconciliationService, Sources
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade

BATCH = 10_000
START = datetime(2026, 11, 1, tzinfo=UTC)
MEMBERS = ["PSB", "NRD", "TAX", "CIV", "HRSS", "GAO"]
ENTRIES = ["NRD-TITLE", "NRD-HOUSEHOLD", "CIV-MARRIAGE", "TAX-INCOME"]


class MemoryLedger:
    """EvidenceLedger kept in memory: what the anchorer sent, read back by reconciliation."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, int, int, int]] = []

    def anchor_batch(
        self, root: str, count: int, first: int, last: int, prev_root: str
    ) -> tuple[str, int]:
        self.batches.append((root, count, first, last))
        return "0x" + f"{len(self.batches):064x}", len(self.batches)

    def anchor_record(self, digest: str, sequence: int) -> tuple[str, int]:
        raise NotImplementedError

    def next_sequence(self) -> int:
        return (self.batches[-1][3] if self.batches else 0) + 1

    def batch_by_root(self, root: str) -> tuple[int, int, int] | None:
        return None

    def batch_count(self) -> int:
        return len(self.batches)

    def batch_at(self, index: int) -> tuple[str, int, int, int]:
        return self.batches[index]

    def record_sequence(self, digest: str) -> int | None:
        return None


def _digest(i: int) -> str:
    return f"0x{(i * 2654435761) % 2**256:064x}"


def populate(engine: Engine, count: int) -> MemoryLedger:
    upgrade(engine)
    rows = []
    for i in range(count):
        received = START + timedelta(microseconds=37_013 * i)
        denied = i % 10 == 0
        rows.append(
            {
                "request_id": f"req-{i:010d}",
                "entry_id": ENTRIES[i % 4],
                "entry_version": _digest(7),
                "consumer": MEMBERS[i % 6],
                "provider": MEMBERS[(i + 1) % 6],
                "purpose": "M0101",
                "client_id": "client-1",
                "request_digest": _digest(i + 1),
                "response_digest": None if denied else _digest(i + 3),
                "decision": "denied" if denied else "allowed",
                "reason": "not_granted" if denied else None,
                "http_status": 403 if denied else 200,
                "received_at": received,
                "responded_at": received + timedelta(milliseconds=120),
            }
        )
    with engine.begin() as connection:
        for start in range(0, count, 20_000):
            connection.execute(insert(AccessRecordRow), rows[start : start + 20_000])
        connection.execute(
            insert(OutboxRow).from_select(
                ["record_id", "created_at"], select(AccessRecordRow.id, AccessRecordRow.received_at)
            )
        )
    ledger = MemoryLedger()
    Anchorer(engine, ledger, batch_size=BATCH).run_once()
    return ledger


def bare_scan(engine: Engine) -> int:
    rows = 0
    statement = (
        select(*ANCHORED_COLUMNS)
        .where(AccessRecordRow.anchor_id.is_not(None))
        .order_by(AccessRecordRow.anchor_id, AccessRecordRow.leaf_index)
        .execution_options(yield_per=5_000, stream_results=True)
    )
    with engine.connect() as connection:
        for _row in connection.execute(statement):
            rows += 1
        connection.execute(select(AnchorRow.id)).all()
    return rows


def measure(engine: Engine, ledger: MemoryLedger, count: int, workers: int) -> dict[str, Any]:
    single = ReconciliationService(engine, Sources(ledger=lambda: ledger))
    parallel = ReconciliationService(engine, Sources(ledger=lambda: ledger), workers=workers)
    results: dict[str, Any] = {}
    for name, job in (
        ("baseline", lambda: bare_scan(engine)),
        ("reconciliation", single.run),
        ("parallel", parallel.run),
    ):
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            outcome = job()
            best = min(best, time.perf_counter() - began)
        results[name] = best
        if name != "baseline":
            assert outcome["outcome"] == "clean", outcome
            assert outcome["records_checked"] == count
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2, help="processes of the parallel run")
    parser.add_argument("--postgres", help="PostgreSQL URL (a fresh schema is made and dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(args.postgres)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = make_engine(f"{args.postgres}?options=-csearch_path%3D{schema}")
        else:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            began = time.perf_counter()
            ledger = populate(engine, args.records)
            print(
                f"setup: {args.records} records anchored in {len(ledger.batches)} batches "
                f"in {time.perf_counter() - began:.1f} s ({engine.dialect.name})"
            )
            times = measure(engine, ledger, args.records, args.workers)
        finally:
            engine.dispose()
            if args.postgres:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    base, recon, parallel = times["baseline"], times["reconciliation"], times["parallel"]
    print(f"baseline scan (1 process):       {args.records / base:10,.0f} records/s  {base:6.2f} s")
    print(
        f"reconciliation (1 process):      {args.records / recon:10,.0f} records/s  {recon:6.2f} s"
    )
    print(
        f"reconciliation ({args.workers} processes):     "
        f"{args.records / parallel:10,.0f} records/s  {parallel:6.2f} s"
    )
    print(f"ratio reconciliation/scan throughput, 1 process: {base / recon:.2f}")
    best = args.records / min(recon, parallel)
    print(f"goal: >= 50,000 records/s -> {'met' if best >= 50_000 else 'NOT met'} ({best:,.0f}/s)")


if __name__ == "__main__":
    main()
