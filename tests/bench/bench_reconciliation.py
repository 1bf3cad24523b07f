"""Reconciliation throughput against a bare scan of the same rows, in one run.

Run: .venv/bin/python tests/bench/bench_reconciliation.py [--records N] [--postgres URL]
     [--rounds 3] [--workers 1]

Closed access records are bulk-inserted into a database with the gateway's schema (SQLite
file by default, or a fresh schema of the PostgreSQL at ``--postgres``) and anchored by the
real :class:`~gateway.evidence.anchoring.Anchorer` in batches of 10 000: real evidence entries,
SM3 Merkle roots and inclusion proofs. The ledger the anchorer sends to is kept in memory, so
the chain side costs one lookup per batch (against a node it is one call per batch, not per
record). Then, on the same rows and in one child process (whose peak RSS is reported):
baselines (a bare scan of every column reconciliation reads, as driver tuples: the I/O floor;
the same scan through SQLAlchemy rows; one raw hashlib SM3 per evidence entry) and
reconciliation's full comparison (rows against evidence entries, leaves rebuilt into each
batch's tree, roots against the ledger, sequence chain, outbox), interleaved, best of rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import resource
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text

from gateway.evidence.anchoring import Anchorer
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow
from gateway.reconciliation.rows import ANCHORED_COLUMNS, anchored_rows
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
    """The I/O floor: every column reconciliation reads, in its order, as driver tuples."""
    rows = 0
    for _row in anchored_rows(engine, None, None):
        rows += 1
    with engine.connect() as connection:
        connection.execute(select(AnchorRow.id)).all()
    return rows


def orm_scan(engine: Engine) -> int:
    """The same scan through SQLAlchemy rows (how reconciliation read before)."""
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
    return rows


def bare_sm3(engine: Engine) -> tuple[float, float]:
    """Raw SM3: one ``hashlib`` SM3 per stored evidence entry (its leaf), nothing else; the
    entries are read in chunks of 5,000 and only the hashing is timed (wall, CPU)."""
    new = hashlib.new
    wall = cpu = 0.0
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=5_000).execute(
            select(AccessRecordRow.evidence).where(AccessRecordRow.anchor_id.is_not(None))
        )
        for chunk in result.partitions():
            entries = [b"\x00" + entry.encode() for (entry,) in chunk]
            began, began_cpu = time.perf_counter(), time.process_time()
            for entry in entries:
                new("sm3", entry).digest()
            wall += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
    return wall, cpu


def measure(url: str, count: int, rounds: int) -> dict[str, Any]:
    """In a child process (so its peak RSS is its own): best of ``rounds`` each, interleaved;
    wall-clock and process CPU seconds (the machine is shared, so CPU time is steadier)."""
    engine = make_engine(url)
    ledger = MemoryLedger()
    ledger.batches = LEDGER
    single = ReconciliationService(engine, Sources(ledger=lambda: ledger))
    results: dict[str, Any] = {}

    def keep(name: str, wall: float, cpu: float) -> None:
        results[name] = min(results.get(name, float("inf")), wall)
        results[name + " cpu"] = min(results.get(name + " cpu", float("inf")), cpu)

    jobs = (
        ("scan", lambda: bare_scan(engine)),
        ("orm scan", lambda: orm_scan(engine)),
        ("reconciliation", single.run),
    )
    for _ in range(rounds):
        for name, job in jobs:
            began, began_cpu = time.perf_counter(), time.process_time()
            outcome = job()
            keep(name, time.perf_counter() - began, time.process_time() - began_cpu)
            if name == "reconciliation":
                assert outcome["outcome"] == "clean", outcome
                assert outcome["records_checked"] == count
        keep("sm3", *bare_sm3(engine))
    engine.dispose()
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def peak_rss_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` (Linux resets it at exec, whereas
    ``ru_maxrss`` keeps the parent's peak across fork and exec), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


LEDGER: list[tuple[str, int, int, int]] = []


def _child(url: str, batches: list[tuple[str, int, int, int]], count: int, rounds: int) -> Any:
    LEDGER[:] = batches
    logging.disable(logging.WARNING)
    return measure(url, count, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=1, help="processes of an extra run")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs each")
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
            url = engine.url.render_as_string(hide_password=False)
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                times = pool.submit(_child, url, ledger.batches, args.records, args.rounds).result()
            if args.workers > 1:
                parallel = ReconciliationService(
                    engine, Sources(ledger=lambda: ledger), workers=args.workers
                )
                began = time.perf_counter()
                assert parallel.run()["outcome"] == "clean"
                times["parallel"] = time.perf_counter() - began
        finally:
            engine.dispose()
            if args.postgres:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    n = args.records
    print(f"{'records/s (best of ' + str(args.rounds) + ')':40} {'wall':>10} {'CPU':>10}")
    for label, name in (
        ("baseline: bare scan, driver tuples", "scan"),
        ("baseline: scan via SQLAlchemy rows", "orm scan"),
        ("baseline: raw hashlib SM3 per entry", "sm3"),
        ("reconciliation, 1 process", "reconciliation"),
    ):
        print(f"{label:40} {n / times[name]:10,.0f} {n / times[name + ' cpu']:10,.0f}")
    if "parallel" in times:
        print(f"reconciliation, {args.workers} processes, one run: {n / times['parallel']:,.0f}/s")
    for kind, suffix in (("wall", ""), ("CPU", " cpu")):
        recon = times["reconciliation" + suffix]
        print(
            f"ratio ({kind}) reconciliation / bare scan {times['scan' + suffix] / recon:.2f}, "
            f"/ raw SM3 {times['sm3' + suffix] / recon:.2f}"
        )
    print(f"peak RSS of the measuring process: {times['peak_rss_mb']:.0f} MB")
    rate = n / times["reconciliation cpu"]
    print(
        "goal: >= 50,000 records/s in one process (CPU time): "
        + ("met" if rate >= 50_000 else "NOT met")
    )


if __name__ == "__main__":
    main()
