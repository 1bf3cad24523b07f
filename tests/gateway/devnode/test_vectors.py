"""Real FISCO BCOS 2.x transactions (DOC examples and python-sdk records) on a devnode.

Every one of them calls an address that has no code on a fresh chain, so a 2.x (≥ 2.3) node
commits it with status 0x1a CallAddressError and ``Error(string)`` "Error address:<to>".
Their blockLimits (501..1000) are valid on a fresh chain (height 0, window (0, 1000]), so no
relaxed validation is needed; the group-2 record needs a node started with group id 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_abi import decode

from gateway.chain.errors import RpcError
from gateway.chain.rpc import FiscoV2Rpc
from gateway.devnode.testing import running_devnode

from .helpers import http_transport, load_json, wait_receipt

VECTORS = load_json("transactions_v2.json")


def _cases() -> list[Any]:
    cases = []
    for suite_key, suite in (("ecdsa", "ecdsa"), ("gm", "sm")):
        for record in VECTORS["doc_raw_transactions"][suite_key]:
            sender = record.get("recovered_sender_address") or record["sender_address"]
            expected = record.get("documented_result") or record["tx_hash"]
            fields = record["decoded_by_sdk"]
            cases.append(
                pytest.param(
                    suite,
                    record["raw_tx"],
                    expected,
                    sender,
                    fields["to"],
                    int(fields["groupId"], 16),
                    id=f"doc-{suite_key}",
                )
            )
        for record in VECTORS[suite_key]:
            fields = record["tx_fields"]
            cases.append(
                pytest.param(
                    suite,
                    record["raw_tx"],
                    record["tx_hash"],
                    record["from_address"],
                    fields["to"],
                    fields["groupId"],
                    id=f"sdk-{suite_key}-{record['name']}",
                )
            )
    return cases


@pytest.mark.parametrize(("suite", "raw", "tx_hash", "sender", "to", "group"), _cases())
def test_documented_transaction_is_accepted_with_the_node_hash_and_sender(
    tmp_path: Path, suite: str, raw: str, tx_hash: str, sender: str, to: str, group: int
) -> None:
    with running_devnode(tmp_path, suite=suite, group_id=group) as (url, _node):
        rpc = FiscoV2Rpc(http_transport(url), group_id=group)
        returned = rpc.send_raw_transaction(bytes.fromhex(raw[2:] if raw.startswith("0x") else raw))
        assert returned == tx_hash.lower()
        receipt = wait_receipt(rpc, returned)
        transaction = rpc.get_transaction(returned)

    assert receipt.status == 0x1A
    assert receipt.status_name == "CallAddressError"
    assert receipt.from_address == sender.lower()
    assert receipt.to_address == to.lower()
    assert receipt.output[:4] == bytes.fromhex("08c379a0")
    (reason,) = decode(["string"], receipt.output[4:])
    assert reason == "Error address:" + to.lower()[2:]
    assert transaction is not None
    assert transaction.from_address == sender.lower()
    assert transaction.hash == tx_hash.lower()


def test_documented_ecdsa_transaction_is_refused_by_an_sm_node(tmp_path: Path) -> None:
    raw = VECTORS["doc_raw_transactions"]["ecdsa"][0]["raw_tx"]
    with running_devnode(tmp_path, suite="sm") as (url, _node):
        rpc = FiscoV2Rpc(http_transport(url))
        with pytest.raises(RpcError) as refused:
            rpc.send_raw_transaction(bytes.fromhex(raw[2:]))
    assert refused.value.rpc_code == -32603
