"""Admission checks: a devnode refuses what a FISCO BCOS 2.x node refuses, with its errors."""

from __future__ import annotations

import dataclasses

import pytest
import rlp

from gateway.chain.errors import RpcError
from gateway.chain.tx.v2 import encode_signed, random_nonce
from gateway.devnode.node import DevNode

from .helpers import Account

TARGET = b"\x42" * 20


def _refusal(account: Account, raw: bytes) -> str:
    with pytest.raises(RpcError) as refused:
        account.rpc.send_raw_transaction(raw)
    assert refused.value.rpc_code == -32603
    return refused.value.message


def test_a_resent_transaction_is_already_known_then_already_in_chain(
    manual_node: tuple[str, DevNode], manual_account: Account
) -> None:
    _url, node = manual_node
    tx = manual_account.sign(TARGET, b"")
    manual_account.rpc.send_raw_transaction(tx.raw)
    assert _refusal(manual_account, tx.raw).startswith("TransactionAlreadyKown")
    node.seal_block()
    assert _refusal(manual_account, tx.raw).startswith("TransactionAlreadyInChain")


def test_a_nonce_used_in_the_window_is_refused(account: Account) -> None:
    nonce = random_nonce()
    account.wait(account.send(TARGET, b"", nonce=nonce))
    other = account.sign(TARGET, b"\x01", nonce=nonce)
    assert _refusal(account, other.raw).startswith("TransactionNonceCheckFail")


def test_a_nonce_pending_in_the_pool_is_refused(manual_account: Account) -> None:
    first = manual_account.sign(TARGET, b"")
    second = manual_account.sign(TARGET, b"\x02", nonce=first.fields.nonce)
    manual_account.rpc.send_raw_transaction(first.raw)
    assert _refusal(manual_account, second.raw).startswith("TxPoolNonceCheckFail")


def test_a_pending_transaction_has_no_receipt_until_its_block_is_sealed(
    manual_node: tuple[str, DevNode], manual_account: Account
) -> None:
    _url, node = manual_node
    tx_hash = manual_account.send(TARGET, b"")
    assert manual_account.rpc.get_receipt(tx_hash) is None
    assert manual_account.rpc.get_transaction(tx_hash) is None
    assert manual_account.rpc.transport.request("getPendingTxSize", [1]) == "0x1"
    node.seal_block()
    receipt = manual_account.rpc.get_receipt(tx_hash)
    assert receipt is not None
    assert receipt.block_number == 1


def test_a_transaction_whose_block_limit_passed_is_dropped(
    manual_node: tuple[str, DevNode], manual_account: Account
) -> None:
    _url, node = manual_node
    doomed = manual_account.send(TARGET, b"", block_limit=1)
    manual_account.send(TARGET, b"\x01")
    node.seal_block()  # block 1 seals both: blockLimit 1 is still above height 0
    assert manual_account.rpc.get_receipt(doomed) is not None
    late = manual_account.send(TARGET, b"\x02", block_limit=2)
    manual_account.send(TARGET, b"\x03")
    node.pool.committed(2, [], [])  # the chain moved past blockLimit 2 meanwhile
    node.seal_block()
    assert manual_account.rpc.get_receipt(late) is None
    assert node.pool.size() == 0


@pytest.mark.parametrize("offset", [0, 1001, 5000])
def test_block_limit_outside_the_window_is_refused(account: Account, offset: int) -> None:
    height = account.rpc.block_number()
    tx = account.sign(TARGET, b"", block_limit=height + offset)
    assert _refusal(account, tx.raw).startswith("BlockLimitCheckFailed")


@pytest.mark.parametrize("offset", [1, 1000])
def test_block_limit_at_the_window_edges_is_accepted(account: Account, offset: int) -> None:
    height = account.rpc.block_number()
    receipt = account.wait(account.send(TARGET, b"", block_limit=height + offset))
    assert receipt.block_number == height + 1


def test_wrong_chain_id_and_group_id_are_refused(account: Account) -> None:
    assert _refusal(account, account.sign(TARGET, b"", chain_id=2).raw).startswith("InvalidChainId")
    assert _refusal(account, account.sign(TARGET, b"", group_id=7).raw).startswith("InvalidGroupId")


def test_a_high_s_or_foreign_signature_is_refused(account: Account) -> None:
    tx = account.sign(TARGET, b"\x05")
    high_s = encode_signed(tx.fields, tx.v, tx.r, account.suite.curve_order - tx.s, account.suite)
    assert _refusal(account, high_s).startswith("Malformed")


def test_sm2_signature_over_other_fields_is_refused(sm_node: tuple[str, DevNode]) -> None:
    url, node = sm_node
    account = Account(url, node.suite, node.suite.generate_key())
    tx = account.sign(TARGET, b"\x05")
    forged_fields = dataclasses.replace(tx.fields, data=b"\x06")
    forged = encode_signed(forged_fields, tx.v, tx.r, tx.s, account.suite)
    assert _refusal(account, forged).startswith("Malformed")


@pytest.mark.parametrize(
    "raw", [b"\x01\x02", rlp.encode([b"\x01"] * 12), rlp.encode([b"\x01"] * 14)]
)
def test_bytes_that_are_not_a_2x_transaction_are_malformed(account: Account, raw: bytes) -> None:
    assert _refusal(account, raw).startswith("Malformed")


def test_requests_for_another_group_are_refused(account: Account) -> None:
    with pytest.raises(RpcError) as refused:
        account.rpc.transport.request("getBlockNumber", [9])
    assert refused.value.rpc_code == -40001
