"""Durability: a restarted devnode is at the same height with the same state and pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_abi import decode

from gateway.devnode.errors import DataDirectoryLocked, SuiteMismatch
from gateway.devnode.node import DevNode, DevnodeConfig
from gateway.devnode.testing import running_devnode

from .helpers import Account, artefact, calldata

LEDGER = artefact("EvidenceLedger")


@pytest.mark.parametrize("suite", ["sm", "ecdsa"])
def test_restart_keeps_height_state_and_receipts(tmp_path: Path, suite: str) -> None:
    with running_devnode(tmp_path, suite=suite) as (url, node):
        account = Account(url, node.suite, node.suite.generate_key())
        ledger = account.deploy(LEDGER)
        account.transact(
            ledger,
            calldata(LEDGER, "authoriseGateway(address)", ["address"], [account.hex_address]),
        )
        anchored = account.transact(
            ledger,
            calldata(
                LEDGER, "anchorRecord(bytes32,uint64)", ["bytes32", "uint64"], [b"\x05" * 32, 1]
            ),
        )
        height = account.rpc.block_number()
        head_hash = node.head.hash
        key = account.key
    with running_devnode(tmp_path, suite=suite) as (url, node):
        account = Account(url, node.suite, key)
        assert account.rpc.block_number() == height
        assert node.head.hash == head_hash
        assert account.rpc.get_receipt(anchored.transaction_hash) == anchored
        (count,) = decode(
            ["uint256"], account.call(ledger, calldata(LEDGER, "recordCount()", [], []))
        )
        assert count == 1
        # the chain goes on from the restored state
        receipt = account.transact(
            ledger,
            calldata(
                LEDGER, "anchorRecord(bytes32,uint64)", ["bytes32", "uint64"], [b"\x06" * 32, 2]
            ),
        )
        assert receipt.ok and receipt.block_number == height + 1


def test_acknowledged_pending_transactions_are_sealed_after_a_restart(tmp_path: Path) -> None:
    with running_devnode(tmp_path, suite="sm", seal=False) as (url, node):
        account = Account(url, node.suite, node.suite.generate_key())
        hashes = [account.send(b"\x11" * 20, bytes([i])) for i in range(3)]
        key = account.key
    with running_devnode(tmp_path, suite="sm") as (url, node):
        account = Account(url, node.suite, key)
        receipts = [account.wait(tx_hash) for tx_hash in hashes]
    assert [r.transaction_hash for r in receipts] == hashes
    assert {r.block_number for r in receipts} == {1}
    assert [r.transaction_index for r in receipts] == [0, 1, 2]


def test_a_data_directory_serves_one_process_and_one_chain(tmp_path: Path) -> None:
    node = DevNode(tmp_path, DevnodeConfig(suite="sm"))
    node.start(seal=False)
    try:
        with pytest.raises(DataDirectoryLocked):
            DevNode(tmp_path, DevnodeConfig(suite="sm")).start(seal=False)
    finally:
        node.stop()
    with pytest.raises(SuiteMismatch):
        DevNode(tmp_path, DevnodeConfig(suite="ecdsa")).start(seal=False)
    with pytest.raises(SuiteMismatch):
        DevNode(tmp_path, DevnodeConfig(suite="sm", group_id=2)).start(seal=False)
    reopened = DevNode(tmp_path, DevnodeConfig(suite="sm"))
    reopened.start(seal=False)
    reopened.stop()
