"""Durable storage of the devnode: one SQLite file under the data directory.

SQLite in WAL mode with ``synchronous=FULL`` makes every committed SQL transaction durable
(the WAL is fsync'ed at commit), which gives the two guarantees the devnode promises:

* a transaction is written to ``pending`` and committed *before* ``sendRawTransaction``
  returns its hash, so an acknowledged transaction survives ``kill -9``;
* a sealed block, its transactions and receipts, the trie nodes of its state and the removal
  of its transactions from ``pending`` are one SQL transaction: after a crash the node is
  either before or after the block, never in between.

State is flat (see :mod:`gateway.devnode.state`): accounts, storage slots and code are rows,
updated with each block, so restoring the state after a restart is reading them.
An advisory ``flock`` on ``LOCK`` keeps a second process off the same directory (the kernel
drops it when the process dies, even by ``kill -9``).
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.devnode.errors import DataDirectoryLocked, StoreError
from gateway.devnode.schema import CHAIN_SCHEMA as _SCHEMA
from gateway.devnode.state import Account, StateChanges
from gateway.devnode.state_rows import (
    STATE_SCHEMA,
    read_account,
    read_all_storage,
    read_code,
    read_storage,
    write_state,
)

DATABASE_FILE = "chain.sqlite3"
LOCK_FILE = "LOCK"


@dataclass(frozen=True)
class StoredBlock:
    number: int
    hash: bytes
    state_root: bytes
    header: dict[str, Any]
    tx_hashes: tuple[bytes, ...]


@dataclass(frozen=True)
class CommittedTransaction:
    """One row of a sealed block, ready to store."""

    hash: bytes
    index: int
    nonce: int
    tx_json: dict[str, Any]
    receipt_json: dict[str, Any]
    failed: bool


class ChainStore:
    """Blocks, transactions, receipts, the pending pool and the state trie, in one file."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.RLock()
        self._lock_fd: int | None = None
        self._db: sqlite3.Connection | None = None  # the writer
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # group commit of pending transactions (see add_pending)
        self._group = threading.Condition()
        self._queued: list[tuple[bytes, bytes]] = []
        self._batch = 0  # number of the batch now filling
        self._done = -1  # last batch written (or failed)
        self._leading = False
        self._failures: dict[int, BaseException | None] = {}

    # -- lifecycle -----------------------------------------------------------------------
    def open(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot open data directory {self.data_dir}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise DataDirectoryLocked(
                f"another devnode is using the data directory {self.data_dir}"
            ) from exc
        self._lock_fd = fd
        try:
            db = sqlite3.connect(
                self.data_dir / DATABASE_FILE, check_same_thread=False, isolation_level=None
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA + STATE_SCHEMA)
        except sqlite3.Error as exc:
            self._release_lock()
            raise StoreError(f"cannot open the chain database: {exc}") from exc
        self._db = db

    def close(self) -> None:
        with self._lock:
            while not self._readers.empty():
                self._readers.get_nowait().close()
            if self._db is not None:
                self._db.close()
                self._db = None
            self._release_lock()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the chain store is closed")
        return self._db

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A pooled read connection: WAL readers never wait for the writer's fsync."""
        if self._db is None:
            raise StoreError("the chain store is closed")
        try:
            reader = self._readers.get_nowait()
        except queue.Empty:
            reader = sqlite3.connect(
                self.data_dir / DATABASE_FILE, check_same_thread=False, isolation_level=None
            )
            reader.execute("PRAGMA query_only=ON")
        try:
            yield reader
        except sqlite3.Error as exc:
            raise StoreError(f"chain database read failed: {exc}") from exc
        finally:
            self._readers.put(reader)

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self)

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- pending pool --------------------------------------------------------------------
    def add_pending(self, tx_hash: bytes, raw: bytes) -> None:
        """Persist an accepted transaction; returns once the write is durable.

        Group commit: concurrent callers queue their rows; one of them (the leader) writes
        everything queued in one SQL transaction, so one fsync covers many acknowledgements.
        Arrival order is kept (``seq``), which is the order the pool seals in.
        """
        with self._group:
            self._queued.append((tx_hash, raw))
            batch = self._batch
            while self._leading and self._done < batch:
                self._group.wait()
            if self._done < batch:
                self._leading = True
                rows, self._queued = self._queued, []
                self._batch += 1
            else:
                rows = []
        if rows:
            failure: BaseException | None = None
            try:
                with self._write() as db:
                    db.executemany("INSERT OR IGNORE INTO pending (hash, raw) VALUES (?, ?)", rows)
            except BaseException as exc:
                failure = exc
            with self._group:
                self._done = batch
                self._failures[batch] = failure
                self._leading = False
                self._group.notify_all()
        with self._group:
            failure = self._failures.get(batch)
            if len(self._failures) > 64:
                self._failures = {k: v for k, v in self._failures.items() if k >= batch}
        if failure is not None:
            raise StoreError(f"cannot persist the transaction: {failure}") from failure

    def drop_pending(self, hashes: Iterable[bytes]) -> None:
        with self._write() as db:
            db.executemany("DELETE FROM pending WHERE hash = ?", [(h,) for h in hashes])

    def pending(self) -> list[tuple[bytes, bytes]]:
        with self._read() as db:
            rows = db.execute("SELECT hash, raw FROM pending ORDER BY seq").fetchall()
        return [(bytes(h), bytes(r)) for h, r in rows]

    # -- blocks --------------------------------------------------------------------------
    def commit_block(
        self,
        block: StoredBlock,
        transactions: list[CommittedTransaction],
        changes: StateChanges,
        dropped: Iterable[bytes] = (),
    ) -> None:
        """Store a sealed block and everything it needs, atomically and durably."""
        failed = sum(1 for tx in transactions if tx.failed)
        with self._write() as db:
            write_state(db, changes)
            db.execute(
                "INSERT INTO blocks (number, hash, state_root, header_json, tx_hashes)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    block.number,
                    block.hash,
                    block.state_root,
                    json.dumps(block.header, separators=(",", ":")),
                    b"".join(block.tx_hashes),
                ),
            )
            db.executemany(
                "INSERT INTO transactions (hash, block_number, idx, nonce, tx_json, receipt_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        tx.hash,
                        block.number,
                        tx.index,
                        format(tx.nonce, "x"),
                        json.dumps(tx.tx_json, separators=(",", ":")),
                        json.dumps(tx.receipt_json, separators=(",", ":")),
                    )
                    for tx in transactions
                ],
            )
            gone = [(tx.hash,) for tx in transactions] + [(h,) for h in dropped]
            db.executemany("DELETE FROM pending WHERE hash = ?", gone)
            for key, delta in (("tx_sum", len(transactions)), ("failed_tx_sum", failed)):
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key)"
                    " DO UPDATE SET value = CAST(value AS INTEGER) + ?",
                    (key, str(delta), delta),
                )

    def _block(self, row: Any) -> StoredBlock | None:
        if row is None:
            return None
        number, block_hash, state_root, header_json, tx_hashes = row
        blob = bytes(tx_hashes)
        return StoredBlock(
            number=number,
            hash=bytes(block_hash),
            state_root=bytes(state_root),
            header=json.loads(header_json),
            tx_hashes=tuple(blob[i : i + 32] for i in range(0, len(blob), 32)),
        )

    _BLOCK_COLUMNS = "number, hash, state_root, header_json, tx_hashes"

    def head(self) -> StoredBlock | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {self._BLOCK_COLUMNS} FROM blocks ORDER BY number DESC LIMIT 1"  # noqa: S608
            ).fetchone()
        return self._block(row)

    def block_by_number(self, number: int) -> StoredBlock | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE number = ?",  # noqa: S608
                (number,),
            ).fetchone()
        return self._block(row)

    def block_by_hash(self, block_hash: bytes) -> StoredBlock | None:
        with self._read() as db:
            row = db.execute(
                f"SELECT {self._BLOCK_COLUMNS} FROM blocks WHERE hash = ?",  # noqa: S608
                (block_hash,),
            ).fetchone()
        return self._block(row)

    # -- transactions --------------------------------------------------------------------
    def transaction_json(self, tx_hash: bytes) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute(
                "SELECT tx_json FROM transactions WHERE hash = ?", (tx_hash,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def receipt_json(self, tx_hash: bytes) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute(
                "SELECT receipt_json FROM transactions WHERE hash = ?", (tx_hash,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def transactions_of_block(self, number: int) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute(
                "SELECT tx_json FROM transactions WHERE block_number = ? ORDER BY idx", (number,)
            ).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def has_transaction(self, tx_hash: bytes) -> bool:
        with self._read() as db:
            row = db.execute("SELECT 1 FROM transactions WHERE hash = ?", (tx_hash,)).fetchone()
        return row is not None

    def sealed_since(self, first_block: int) -> Iterator[tuple[int, int, bytes]]:
        """``(block_number, nonce, hash)`` of the transactions sealed from ``first_block`` on."""
        with self._read() as db:
            rows = db.execute(
                "SELECT block_number, nonce, hash FROM transactions WHERE block_number >= ?",
                (first_block,),
            ).fetchall()
        for number, nonce, tx_hash in rows:
            yield int(number), int(nonce, 16), bytes(tx_hash)

    def counters(self) -> tuple[int, int]:
        """Total and failed transaction counts (``getTotalTransactionCount``)."""
        total = self.get_meta("tx_sum")
        failed = self.get_meta("failed_tx_sum")
        return int(total or 0), int(failed or 0)

    # -- state ---------------------------------------------------------------------------
    def load_account(self, address: bytes) -> Account | None:
        with self._read() as db:
            return read_account(db, address)

    def load_storage(self, address: bytes, incarnation: int, slot: int) -> int:
        with self._read() as db:
            return read_storage(db, address, incarnation, slot)

    def load_all_storage(
        self, address: bytes, incarnation: int, limit: int
    ) -> dict[int, int] | None:
        with self._read() as db:
            return read_all_storage(db, address, incarnation, limit)

    def load_code(self, code_hash: bytes) -> bytes | None:
        with self._read() as db:
            return read_code(db, code_hash)


class _WriteTransaction:
    """``with store._write() as db:`` — one durable SQL transaction under the store lock."""

    def __init__(self, store: ChainStore) -> None:
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            db = self._store.db
            db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._store._lock.release()
            raise
        return db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            db = self._store.db
            if exc_type is None:
                db.execute("COMMIT")
            else:
                db.execute("ROLLBACK")
        finally:
            self._store._lock.release()
