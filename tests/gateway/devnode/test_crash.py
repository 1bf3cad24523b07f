"""Crash test: ``kill -9`` an ``alliance devnode`` process in the middle of a transaction stream.

After a restart on the same data directory, every transaction whose hash
``sendRawTransaction`` returned has its receipt, and the contract state counts exactly the
transactions that succeeded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from eth_abi import decode

from gateway.chain.errors import ChainError
from gateway.chain.suite import SM_SUITE

from .helpers import Account, artefact, calldata

LEDGER = artefact("EvidenceLedger")
ALLIANCE = str(Path(sys.executable).with_name("alliance"))


@contextmanager
def devnode_process(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [
            ALLIANCE,
            "devnode",
            "--port",
            "0",
            "--data",
            str(data_dir),
            "--suite",
            "sm",
            "--block-interval",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise AssertionError(
                f"devnode did not start: {process.stderr.read() if process.stderr else ''}"
            )
        yield json.loads(line)["url"], process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_transaction(tmp_path: Path) -> None:
    key = SM_SUITE.generate_key()
    acknowledged: list[str] = []
    attempted: list[str] = []
    with devnode_process(tmp_path) as (url, process):
        account = Account(url, SM_SUITE, key)
        ledger = account.deploy(LEDGER)
        authorise = calldata(
            LEDGER, "authoriseGateway(address)", ["address"], [account.hex_address]
        )
        assert account.transact(ledger, authorise).ok
        block_limit = account.rpc.block_number() + 500

        def stream() -> None:
            for seq in range(1, 100_000):
                data = calldata(
                    LEDGER,
                    "anchorRecord(bytes32,uint64)",
                    ["bytes32", "uint64"],
                    [seq.to_bytes(32, "big"), seq],
                )
                tx = account.sign(ledger, data, block_limit=block_limit)
                attempted.append("0x" + tx.tx_hash.hex())
                try:
                    acknowledged.append(account.rpc.send_raw_transaction(tx.raw))
                except ChainError:
                    return

        sender = threading.Thread(target=stream)
        sender.start()
        while len(acknowledged) < 150:
            time.sleep(0.01)
        height_before = account.rpc.block_number()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        sender.join(timeout=20)
        assert not sender.is_alive()

    with devnode_process(tmp_path) as (url, _process):
        account = Account(url, SM_SUITE, key)
        assert account.rpc.block_number() >= height_before
        receipts = [account.wait(tx_hash, timeout=30) for tx_hash in acknowledged]
        assert all(receipt.ok for receipt in receipts)
        # A transaction sent while the node died may or may not have been accepted.
        unacknowledged = attempted[len(acknowledged) :]
        late = [r for r in (account.rpc.get_receipt(h) for h in unacknowledged) if r is not None]
        (count,) = decode(
            ["uint256"], account.call(ledger, calldata(LEDGER, "recordCount()", [], []))
        )
        assert count == len(receipts) + sum(1 for r in late if r.ok)
        assert len(acknowledged) >= 150
