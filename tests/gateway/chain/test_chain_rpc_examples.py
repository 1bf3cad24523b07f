"""Every documented FISCO BCOS 2.x and 3.x JSON-RPC response parses into typed results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.chain import node_info, results
from gateway.chain.errors import RpcError
from gateway.chain.rpc_results import PARSERS, parse_rpc_result
from gateway.chain.suite import SM_SUITE
from gateway.chain.transport.http import unwrap_response

DATA = Path(__file__).resolve().parents[2] / "data"
# loaded at import: parametrisation needs the examples at collection time
EXAMPLES_2: list[dict[str, Any]] = json.loads(
    (DATA / "fisco2_rpc_examples.json").read_text("utf-8")
)
EXAMPLES_3: list[dict[str, Any]] = json.loads(
    (DATA / "fisco3_rpc_examples.json").read_text("utf-8")
)

EXPECTED_TYPES: dict[str, Any] = {
    "getClientVersion": node_info.ClientVersion,
    "getBlockNumber": int,
    "getPbftView": int,
    "getPendingTxSize": int,
    "getSealerList": tuple,
    "getObserverList": tuple,
    "getNodeIDList": tuple,
    "getGroupPeers": tuple,
    "getConsensusStatus": node_info.ConsensusStatus,
    "getSyncStatus": node_info.SyncStatus,
    "getPeers": tuple,
    "getGroupList": tuple,
    "getBlockByHash": results.Block,
    "getBlockByNumber": results.Block,
    "getBlockHeaderByHash": results.Block,
    "getBlockHashByNumber": str,
    "getTransactionByHash": results.ChainTransaction,
    "getTransaction": results.ChainTransaction,
    "getTransactionReceipt": results.Receipt,
    "getCode": bytes,
    "getABI": list,
    "getTotalTransactionCount": node_info.TotalTransactionCount,
    "getSystemConfigByKey": node_info.SystemConfig,
    "call": results.CallResult,
    "sendRawTransaction": str,
    "getTransactionByHashWithProof": node_info.TransactionWithProof,
    "getTransactionReceiptByHashWithProof": node_info.ReceiptWithProof,
    "getBatchReceiptsByBlockNumberAndRange": node_info.BatchReceipts,
    "getBatchReceiptsByBlockHashAndRange": node_info.BatchReceipts,
    "getNodeInfo": node_info.NodeInfo,
    "addPeers": node_info.GroupOperation,
    "erasePeers": node_info.GroupOperation,
    "queryPeers": tuple,
    "generateGroup": node_info.GroupOperation,
    "startGroup": node_info.GroupOperation,
    "stopGroup": node_info.GroupOperation,
    "removeGroup": node_info.GroupOperation,
    "recoverGroup": node_info.GroupOperation,
    "queryGroupStatus": node_info.GroupOperation,
    "getGroupInfo": node_info.GroupInfo,
    "getGroupInfoList": tuple,
    "getGroupNodeInfo": node_info.GroupNode,
}


def _cases() -> list[Any]:
    cases = []
    for version, examples in ((2, EXAMPLES_2), (3, EXAMPLES_3)):
        for example in examples:
            if isinstance(example.get("response"), dict):
                ident = f"{version}.x-{example['method']}-line{example['line']}"
                cases.append(pytest.param(version, example, id=ident))
    return cases


@pytest.mark.parametrize(("version", "example"), _cases())
def test_documented_response_parses_to_typed_result(version: int, example: dict[str, Any]) -> None:
    method, payload = example["method"], example["response"]
    if "error" in payload:
        with pytest.raises(RpcError) as info:
            unwrap_response(method, payload)
        assert info.value.rpc_code == payload["error"]["code"]
        assert info.value.message == payload["error"]["message"]
        return
    typed = parse_rpc_result(method, unwrap_response(method, payload), version)
    if typed is None:
        # 3.x docs show "0x1" for sendTransaction (a real node returns the receipt) and
        # null for getGroupNodeInfo of an unknown node
        assert (version, method) in {(3, "sendTransaction"), (3, "getGroupNodeInfo")}
        return
    assert isinstance(typed, EXPECTED_TYPES[method])


def test_every_documented_method_has_a_typed_parser() -> None:
    methods = {e["method"] for e in EXAMPLES_2 + EXAMPLES_3}
    assert methods <= set(PARSERS)


def test_the_only_unparseable_response_is_the_known_doc_defect() -> None:
    broken = [e for e in EXAMPLES_2 + EXAMPLES_3 if "response_parse_error" in e]
    assert [e["method"] for e in broken] == ["getPendingTransactions"]
    # the doc wraps the list in braces ("result": {[ ... ]}); with that fixed it parses
    text = broken[0]["response_text"]
    start, end = text.index("{\n        ["), text.rindex("]")
    fixed = json.loads(
        text[:start] + text[start + 1 : end + 1] + text[end + 1 :].replace("}", "", 1)
    )
    pending = parse_rpc_result("getPendingTransactions", fixed["result"], 2)
    assert pending[0].hash.startswith("0x7536cf12")
    assert pending[0].from_address == "0x6bc952a2e4db9c0c86a368d83e9df0c6ab481102"


def _result(examples: list[dict[str, Any]], method: str, index: int = 0) -> Any:
    found = [e for e in examples if e["method"] == method and isinstance(e.get("response"), dict)]
    return found[index]["response"]["result"]


def test_v2_receipt_fields() -> None:
    receipt = parse_rpc_result(
        "getTransactionReceipt", _result(EXAMPLES_2, "getTransactionReceipt"), 2
    )
    assert receipt.status == 0 and receipt.ok
    assert receipt.block_number == 10
    assert receipt.gas_used == 0x1FB8D
    assert receipt.contract_address is None  # 0x000...0 on a call
    assert receipt.to_address == "0x15538acd403ac1b2ff09083c70d04856b8c0bdfd"
    assert receipt.transaction_index == 0
    assert receipt.logs == ()


def test_v3_deploy_receipt_fields_and_sm3_checksum() -> None:
    raw = _result(EXAMPLES_3, "getTransactionReceipt")
    receipt = parse_rpc_result("getTransactionReceipt", raw, 3)
    assert receipt.status == 0 and receipt.status_name == "None"
    assert receipt.block_number == 2
    assert receipt.gas_used == 24363  # a decimal string in 3.x
    assert receipt.contract_address == "0x82a3c3289a9f234a38aceed3016d1ff0e0f922b3"
    assert receipt.to_address is None
    assert receipt.from_address == "0xf3293c3452b3b0479e64a4c612e8c1b0da5fe1af"
    # 3.x checksums with the chain hash: SM3 on this guomi chain
    address = bytes.fromhex(receipt.contract_address[2:])
    assert SM_SUITE.checksum_address(address) == raw["checksumContractAddress"]
    # and the deployed address is SM3("<block>_<context>_<seq>")[:20]
    assert SM_SUITE.hash(b"2_0_0")[:20] == address


def test_v2_block_with_full_transactions() -> None:
    block = parse_rpc_result("getBlockByHash", _result(EXAMPLES_2, "getBlockByHash"), 2)
    assert block.number == 1
    assert block.timestamp == 0x175AC38CF10
    assert block.transaction_hashes == tuple(t.hash for t in block.transactions)
    transaction = block.transactions[0]
    assert transaction.block_limit == 0x100
    assert transaction.chain_id == 1 and transaction.group_id == 1
    assert len(transaction.signature) == 65  # ECDSA r || s || v
    assert len(block.sealer_list[0]) == 128


def test_v3_block_and_transaction_shapes() -> None:
    block = parse_rpc_result("getBlockByHash", _result(EXAMPLES_3, "getBlockByHash"), 3)
    assert block.number == 2
    assert block.parent_hash == "0x1498f2ff420fb9c240c7081b99bd76819c7348fb1a899095476afa29146c8874"
    assert block.gas_used == 24363 and block.sealer == 1
    assert block.sealer_list[0].startswith("0055dcaf")
    transaction = parse_rpc_result("getTransaction", _result(EXAMPLES_3, "getTransaction"), 3)
    assert transaction.chain_id == "chain0" and transaction.group_id == "group0"
    assert transaction.block_limit == 525
    assert transaction.nonce == 211322658804269361975487805773986849  # hex of a decimal string
    assert transaction.to_address == "0x41a1281dba209614f2ada8ecc75fd957ad179d7b"


def test_v3_call_status_uses_3x_numbering() -> None:
    call = parse_rpc_result("call", _result(EXAMPLES_3, "call"), 3)
    assert call.status == 16 and call.status_name == "RevertInstruction"
    assert call.block_number == 8 and not call.ok


def test_v2_batch_receipts_plain_and_compressed_agree() -> None:
    plain = parse_rpc_result(
        "getBatchReceiptsByBlockNumberAndRange",
        _result(EXAMPLES_2, "getBatchReceiptsByBlockNumberAndRange", 0),
        2,
    )
    compressed = parse_rpc_result(
        "getBatchReceiptsByBlockNumberAndRange",
        _result(EXAMPLES_2, "getBatchReceiptsByBlockNumberAndRange", 1),
        2,
    )
    assert plain == compressed
    assert plain.block_number == 1
    assert plain.receipts[0].status_name == "CallAddressError"


def test_node_information_values() -> None:
    version = parse_rpc_result("getClientVersion", _result(EXAMPLES_2, "getClientVersion"), 2)
    assert version.version == "2.0.0"
    sync3 = parse_rpc_result("getSyncStatus", _result(EXAMPLES_3, "getSyncStatus"), 3)
    assert sync3.block_number == 7 and not sync3.is_syncing and len(sync3.peer_heights) == 3
    consensus2 = parse_rpc_result(
        "getConsensusStatus", _result(EXAMPLES_2, "getConsensusStatus"), 2
    )
    assert consensus2.block_number == 38206 and consensus2.view == 54477
    groups = parse_rpc_result("getGroupInfo", _result(EXAMPLES_3, "getGroupInfo"), 3)
    assert groups.chain_id == "chain0" and groups.nodes[0].version == "3.3.0"
    assert groups.nodes[0].sm_crypto is True
    config = parse_rpc_result(
        "getSystemConfigByKey", _result(EXAMPLES_2, "getSystemConfigByKey"), 2
    )
    assert config.value == "1000"
    count = parse_rpc_result(
        "getTotalTransactionCount", _result(EXAMPLES_3, "getTotalTransactionCount"), 3
    )
    assert (count.block_number, count.transaction_count, count.failed_transaction_count) == (
        8,
        8,
        0,
    )


def test_rpc_error_sample_with_small_positive_code(receipt_decoding: Any) -> None:
    with pytest.raises(RpcError) as info:
        unwrap_response("getPbftView", receipt_decoding["rpc_error_sample"])
    assert info.value.rpc_code == 7
    assert info.value.code == "rpc_error"
