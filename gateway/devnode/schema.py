"""SQLite tables of the devnode's chain store: meta, blocks, transactions with receipts, pool."""

from __future__ import annotations

CHAIN_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    state_root BLOB NOT NULL,
    header_json TEXT NOT NULL,
    tx_hashes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS transactions (
    hash BLOB PRIMARY KEY,
    block_number INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    tx_json TEXT NOT NULL,
    receipt_json TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transactions_by_block ON transactions (block_number, idx);
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    hash BLOB NOT NULL UNIQUE,
    raw BLOB NOT NULL
);
"""
