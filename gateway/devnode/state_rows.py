"""The flat contract state as SQLite rows (see :mod:`gateway.devnode.state`).

``accounts`` (nonce and balance as hex text: they may exceed SQLite's 64-bit integers),
``storage`` keyed by (address, incarnation, slot) with zero slots deleted, and ``code`` keyed
by its Keccak-256 hash (the EVM's code hash, whatever the chain's suite).
"""

from __future__ import annotations

import sqlite3

from gateway.devnode.state import Account, StateChanges

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    address BLOB PRIMARY KEY,
    nonce TEXT NOT NULL,
    balance TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    incarnation INTEGER NOT NULL,
    alive INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS storage (
    address BLOB NOT NULL,
    incarnation INTEGER NOT NULL,
    slot BLOB NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (address, incarnation, slot)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS code (hash BLOB PRIMARY KEY, code BLOB NOT NULL) WITHOUT ROWID;
"""


def write_state(db: sqlite3.Connection, changes: StateChanges) -> None:
    """Apply one block's state changes inside the caller's SQL transaction."""
    db.executemany(
        "INSERT OR REPLACE INTO accounts"
        " (address, nonce, balance, code_hash, incarnation, alive) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                a,
                format(v.nonce, "x"),
                format(v.balance, "x"),
                v.code_hash,
                v.incarnation,
                int(v.exists),
            )
            for a, v in changes.accounts.items()
            if v is not None
        ],
    )
    db.executemany("INSERT OR REPLACE INTO code (hash, code) VALUES (?, ?)", changes.code.items())
    db.executemany(
        "INSERT OR REPLACE INTO storage (address, incarnation, slot, value) VALUES (?, ?, ?, ?)",
        [
            (a, i, s.to_bytes(32, "big"), v.to_bytes(32, "big"))
            for (a, i, s), v in changes.storage.items()
            if v
        ],
    )
    db.executemany(
        "DELETE FROM storage WHERE address = ? AND incarnation = ? AND slot = ?",
        [(a, i, s.to_bytes(32, "big")) for (a, i, s), v in changes.storage.items() if not v],
    )


def read_account(db: sqlite3.Connection, address: bytes) -> Account | None:
    row = db.execute(
        "SELECT nonce, balance, code_hash, incarnation, alive FROM accounts WHERE address = ?",
        (address,),
    ).fetchone()
    if row is None:
        return None
    nonce, balance, code_hash, incarnation, alive = row
    return Account(int(nonce, 16), int(balance, 16), bytes(code_hash), incarnation, bool(alive))


def read_storage(db: sqlite3.Connection, address: bytes, incarnation: int, slot: int) -> int:
    row = db.execute(
        "SELECT value FROM storage WHERE address = ? AND incarnation = ? AND slot = ?",
        (address, incarnation, slot.to_bytes(32, "big")),
    ).fetchone()
    return 0 if row is None else int.from_bytes(row[0], "big")


def read_all_storage(
    db: sqlite3.Connection, address: bytes, incarnation: int, limit: int
) -> dict[int, int] | None:
    """Every stored slot of one account, or ``None`` if it has more than ``limit``."""
    rows = db.execute(
        "SELECT slot, value FROM storage WHERE address = ? AND incarnation = ? LIMIT ?",
        (address, incarnation, limit + 1),
    ).fetchall()
    if len(rows) > limit:
        return None
    return {int.from_bytes(slot, "big"): int.from_bytes(value, "big") for slot, value in rows}


def read_code(db: sqlite3.Connection, code_hash: bytes) -> bytes | None:
    row = db.execute("SELECT code FROM code WHERE hash = ?", (code_hash,)).fetchone()
    return None if row is None else bytes(row[0])
