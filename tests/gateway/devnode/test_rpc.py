"""The JSON-RPC answers have the documented FISCO BCOS 2.x shapes (FISCO-BCOS-DOC api.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from gateway.chain.errors import ChainUnavailable, RpcError
from gateway.devnode.inprocess import InProcessTransport
from gateway.devnode.node import DevNode
from gateway.devnode.rpc import Dispatcher
from gateway.devnode.testing import running_devnode

from .helpers import Account, http_transport, load_json

EXAMPLES = {
    entry["method"]: entry["response"]["result"]
    for entry in reversed(load_json("fisco2_rpc_examples.json"))
    if entry.get("response") and "result" in entry["response"]
}
HEX = re.compile(r"^0x[0-9a-f]*$")


def _rpc(account: Account, method: str, *params: Any) -> Any:
    return account.rpc.transport.request(method, [account.group_id, *params])


def _same_shape(
    ours: dict[str, Any], documented: dict[str, Any], extra: frozenset[str] = frozenset()
) -> None:
    assert set(ours) == set(documented) | extra


def test_block_transaction_and_receipt_have_the_documented_fields(account: Account) -> None:
    tx_hash = account.send(b"\x11" * 20, b"\x01\x02")
    receipt = account.wait(tx_hash)
    block = _rpc(account, "getBlockByNumber", hex(receipt.block_number), True)
    _same_shape(block, EXAMPLES["getBlockByHash"])
    (tx,) = block["transactions"]
    _same_shape(tx, EXAMPLES["getTransactionByHash"])
    assert set(tx["signature"]) == {"r", "s", "signature", "v"}
    assert _rpc(account, "getTransactionByHash", tx_hash) == tx
    by_hash = _rpc(account, "getBlockByHash", block["hash"], False)
    assert by_hash["transactions"] == [tx_hash]
    assert _rpc(account, "getBlockHashByNumber", block["number"]) == block["hash"]
    raw_receipt = _rpc(account, "getTransactionReceipt", tx_hash)
    # The node also emits remainGas and statusMsg, which the docs omit.
    _same_shape(
        raw_receipt, EXAMPLES["getTransactionReceipt"], frozenset({"remainGas", "statusMsg"})
    )
    for key in ("blockNumber", "gasUsed", "status", "transactionIndex", "output"):
        assert HEX.match(raw_receipt[key]), key
    assert HEX.match(block["timestamp"]) and HEX.match(block["number"])
    signature = bytes.fromhex(block["signatureList"][0]["signature"][2:])
    assert len(signature) == (128 if account.suite.name == "sm" else 65)


def test_block_hash_is_signed_by_the_sealer(
    any_node: tuple[str, DevNode], account: Account
) -> None:
    _url, node = any_node
    account.wait(account.send(b"\x11" * 20, b""))
    block = _rpc(account, "getBlockByNumber", "0x1", False)
    (sealer,) = _rpc(account, "getSealerList")
    assert block["sealerList"] == [sealer]
    signature = bytes.fromhex(block["signatureList"][0]["signature"][2:])
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    digest = bytes.fromhex(block["hash"][2:])
    assert node.suite.verify_hash(bytes.fromhex(sealer), digest, r, s)


def test_node_and_chain_queries_have_the_documented_shapes(account: Account) -> None:
    account.wait(account.send(b"\x11" * 20, b""))
    _same_shape(_rpc(account, "getSyncStatus"), EXAMPLES["getSyncStatus"])
    sync = _rpc(account, "getSyncStatus")
    assert sync["blockNumber"] == 1 and sync["txPoolSize"] == "0"
    assert _rpc(account, "getTotalTransactionCount") == {
        "blockNumber": "0x1",
        "failedTxSum": "0x1",  # a call to an address without code fails (0x1a)
        "txSum": "0x1",
    }
    assert _rpc(account, "getSystemConfigByKey", "tx_count_limit") == "1000"
    assert _rpc(account, "getSystemConfigByKey", "tx_gas_limit") == "300000000"
    assert account.rpc.transport.request("getGroupList", []) == [1]
    version = account.rpc.transport.request("getClientVersion", [])
    assert version["Chain Id"] == "1"
    assert set(EXAMPLES["getClientVersion"]) <= set(version)
    assert _rpc(account, "getBlockNumber") == "0x1"
    assert _rpc(account, "getTransactionByHash", "0x" + "ab" * 32) is None
    assert _rpc(account, "getTransactionReceipt", "0x" + "ab" * 32) is None


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("getBlockByNumber", ["0x64", False], -40004),
        ("getBlockHashByNumber", ["100"], -40004),
        ("getBlockByHash", ["0x" + "00" * 32, False], -40003),
        ("getTransactionByBlockNumberAndIndex", ["0x0", "0x5"], -40005),
        ("call", [{"to": "0x" + "11" * 20, "data": "0x"}], -40006),
        ("getSystemConfigByKey", ["no_such_key"], -40008),
        ("noSuchMethod", [], -32601),
        ("getBlockByNumber", ["zz", False], -32602),
    ],
)
def test_errors_carry_fisco_codes(
    account: Account, method: str, params: list[Any], code: int
) -> None:
    with pytest.raises(RpcError) as failure:
        _rpc(account, method, *params)
    assert failure.value.rpc_code == code


def test_malformed_http_bodies_get_json_rpc_errors(any_node: tuple[str, DevNode]) -> None:
    url, _node = any_node
    assert requests.post(url, data=b"{not json", timeout=5).json()["error"]["code"] == -32700
    assert requests.post(url, data=b"[1]", timeout=5).json()["error"]["code"] == -32600


def test_in_process_transport_gives_the_http_values(
    any_node: tuple[str, DevNode], account: Account
) -> None:
    _url, node = any_node
    tx_hash = account.send(b"\x11" * 20, b"")
    account.wait(tx_hash)
    local = InProcessTransport(Dispatcher(node))
    for method, params in (
        ("getTransactionReceipt", [1, tx_hash]),
        ("getBlockByNumber", [1, "0x1", True]),
        ("getSyncStatus", [1]),
    ):
        over_http = account.rpc.transport.request(method, params)
        assert json.dumps(local.request(method, params)) == json.dumps(over_http)
    with pytest.raises(RpcError) as failure:
        local.request("getBlockByNumber", [1, "0x99", False])
    assert failure.value.rpc_code == -40004


def test_stopping_the_server_cuts_keep_alive_connections(tmp_path: Path) -> None:
    with running_devnode(tmp_path, suite="sm") as (url, _node):
        transport = http_transport(url)
        assert transport.request("getBlockNumber", [1]) == "0x0"  # opens a kept-alive connection
    with pytest.raises(ChainUnavailable):
        transport.request("getBlockNumber", [1])
