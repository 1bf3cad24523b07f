"""Audit workbook export against a bare openpyxl write-only loop, in one run.

Run: .venv/bin/python tests/bench/bench_audit_export.py [--records N] [--full]

The default is 200 000 records: at about 3 500 rows/s for openpyxl (pure-Python XML writer)
the full 1 000 000 (``--full``) takes about ten minutes here, export and baseline together.
Synthetic anchored-looking access records (batches of 10 000, 14-node audit paths) are
bulk-inserted straight into a SQLite database with the gateway's schema. The export (SQL
streaming, SM3 row digests, manifest, signature, summary and anchors sheets) runs in a child
process, then the baseline (the same records-sheet rows and values written by a plain openpyxl
write-only loop) in another, so each child's peak resident memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import create_engine

from gateway.audit.manifest import RECORD_COLUMNS
from gateway.audit.workbook import export_workbook
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.tables import AccessRecordRow, AnchorRow

BATCH = 10_000
START = datetime(2026, 11, 1, tzinfo=UTC)
HEX = [f"0x{(i * 2654435761) % 2**256:064x}" for i in range(1, 1001)]
PROOF = json.dumps(HEX[:14])
MEMBERS = ["PSB", "NRD", "TAX", "CIV", "HRS", "GAO"]
ENTRIES = ["NRD-TITLE", "NRD-HOUSEHOLD", "CIV-MARRIAGE", "TAX-INCOME"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def synthetic(count: int) -> Iterator[tuple[Any, ...]]:
    """(id, request_id, entry, consumer, provider, decision, received, responded, seq, anchor)."""
    for i in range(count):
        received = START + timedelta(microseconds=37_013 * i)
        decision = "denied" if i % 10 == 0 else "allowed"
        yield (
            i + 1,
            f"req-{i:010d}",
            ENTRIES[i % 4],
            MEMBERS[i % 6],
            MEMBERS[(i + 1) % 6],
            decision,
            received,
            received + timedelta(milliseconds=120),
            i + 1,
            i // BATCH + 1,
        )


def build_database(path: Path, count: int) -> None:
    engine = create_engine(f"sqlite:///{path}")
    AccessRecordRow.metadata.create_all(
        engine, tables=[AccessRecordRow.__table__, AnchorRow.__table__]
    )  # type: ignore[list-item]
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    anchors = [
        (
            b + 1,
            HEX[b % 1000][:-6] + f"{b:06x}",
            HEX[(b + 1) % 1000],
            b * BATCH + 1,
            min((b + 1) * BATCH, count),
            min(BATCH, count - b * BATCH),
            "anchored",
            HEX[(b + 7) % 1000],
            100 + b,
            _stamp(START),
            _stamp(START),
        )
        for b in range((count + BATCH - 1) // BATCH)
    ]
    db.executemany(
        "INSERT INTO evidence_anchors (id, root, prev_root, first_sequence, last_sequence, count,"
        " status, tx_hash, block_number, prepared_at, anchored_at, attempts)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
        anchors,
    )
    columns = (
        "id, request_id, entry_id, entry_version, consumer, provider, purpose, client_id, "
        "request_digest, response_digest, decision, reason, received_at, responded_at, "
        "sequence, anchor_id, leaf_index, proof"
    )
    rows = (
        (
            rid,
            request_id,
            entry,
            HEX[0],
            consumer,
            provider,
            "M0101",
            "client-1",
            HEX[rid % 1000],
            None if decision == "denied" else HEX[(rid + 3) % 1000],
            decision,
            "not_granted" if decision == "denied" else None,
            _stamp(received),
            _stamp(responded),
            seq,
            anchor,
            (seq - 1) % BATCH,
            PROOF,
        )
        for (
            rid,
            request_id,
            entry,
            consumer,
            provider,
            decision,
            received,
            responded,
            seq,
            anchor,
        ) in synthetic(count)
    )
    statement = f"INSERT INTO access_records ({columns}) VALUES ({','.join('?' * 18)})"  # noqa: S608 - fixed text
    db.executemany(statement, rows)
    db.commit()
    db.close()


def run_export(db: Path, out: Path, count: int, queue: Any) -> None:
    engine = create_engine(f"sqlite:///{db}")
    began = time.perf_counter()
    result = export_workbook(
        engine,
        out,
        start=START,
        end=START + timedelta(days=400),
        signer=Sm2PrivateKey.from_bytes(bytes.fromhex("39" * 32)),
        evidence_ledger="0x" + "ab" * 20,
    )
    elapsed = time.perf_counter() - began
    assert result.rows == count
    queue.put((elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def run_baseline(db: Path, out: Path, count: int, queue: Any) -> None:
    """The same records-sheet rows and values through a bare write-only loop."""
    del db
    began = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    sheet.append([column.header for column in RECORD_COLUMNS])
    for (
        rid,
        request_id,
        entry,
        consumer,
        provider,
        decision,
        received,
        responded,
        seq,
        anchor,
    ) in synthetic(count):
        sheet.append(
            [
                request_id,
                received.replace(tzinfo=None),
                responded.replace(tzinfo=None),
                consumer,
                provider,
                entry,
                HEX[0],
                "M0101",
                decision,
                "not_granted" if decision == "denied" else None,
                HEX[rid % 1000],
                None if decision == "denied" else HEX[(rid + 3) % 1000],
                seq,
                HEX[0],
                (seq - 1) % BATCH,
                PROOF,
                HEX[0],
                100 + anchor,
                received.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                responded.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            ]
        )
    workbook.save(out)
    queue.put((time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def _child(target: Any, *args: Any) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result: tuple[float, int] = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--full", action="store_true", help="1 000 000 records")
    args = parser.parse_args()
    count = 1_000_000 if args.full else args.records
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "audit.sqlite"
        began = time.perf_counter()
        build_database(db, count)
        print(f"setup: {count} records inserted in {time.perf_counter() - began:.1f} s")
        export_s, export_kb = _child(run_export, db, Path(tmp) / "export.xlsx", count)
        base_s, base_kb = _child(run_baseline, db, Path(tmp) / "baseline.xlsx", count)
        size_mb = (Path(tmp) / "export.xlsx").stat().st_size / 2**20
    rate, peak = count / export_s, export_kb / 1024
    print(f"export:   {rate:10.0f} rows/s  {export_s:7.1f} s  peak {peak:.0f} MB")
    print(f"baseline: {count / base_s:10.0f} rows/s  {base_s:7.1f} s  peak {base_kb / 1024:.0f} MB")
    print(f"ratio export/baseline throughput: {base_s / export_s:.2f} (goal >= 0.7)")
    print(f"workbook size: {size_mb:.0f} MB")


if __name__ == "__main__":
    main()
