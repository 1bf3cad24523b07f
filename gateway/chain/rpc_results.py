"""One typed parser per documented FISCO BCOS JSON-RPC method, for 2.x and 3.x results.

:func:`parse_rpc_result` turns the ``result`` of any documented method into the client's
typed values; it is what the wire dialects use and what conformance tests replay the
documentation's examples through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gateway.chain import node_info, results
from gateway.chain.errors import ResponseFormatError
from gateway.chain.hexutil import data_bytes, normalise_hash, quantity


def _none_or(parser: Callable[[Any, int], Any]) -> Callable[[Any, int], Any]:
    def parse(value: Any, version: int) -> Any:
        return None if value is None else parser(value, version)

    return parse


def _hash(value: Any, version: int) -> str:
    return normalise_hash(value)


def _quantity(value: Any, version: int) -> int:
    return quantity(value)


def _code(value: Any, version: int) -> bytes:
    return data_bytes(value, "code")


def _abi(value: Any, version: int) -> list[Any]:
    try:
        parsed = json.loads(value) if isinstance(value, str) and value else []
    except ValueError as exc:
        raise ResponseFormatError("getABI: not a JSON ABI") from exc
    if not isinstance(parsed, list):
        raise ResponseFormatError("getABI: not a JSON ABI list")
    return parsed


def _send(value: Any, version: int) -> results.Receipt | str | None:
    """2.x: the transaction hash. 3.x: the receipt (the docs show a placeholder string)."""
    if isinstance(value, dict):
        return results.parse_receipt(value, version)
    if version >= 3:
        return None
    return normalise_hash(value)


def _strings(value: Any, version: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ResponseFormatError("expected a list of strings")
    return tuple(str(v) for v in value)


def _pending(value: Any, version: int) -> tuple[results.ChainTransaction, ...]:
    if not isinstance(value, list):
        raise ResponseFormatError("expected a list of transactions")
    return tuple(results.parse_transaction(v, version) for v in value)


def _version_parser(parser: Callable[[Any], Any]) -> Callable[[Any, int], Any]:
    return lambda value, version: parser(value)


PARSERS: dict[str, Callable[[Any, int], Any]] = {
    "getClientVersion": _version_parser(node_info.parse_client_version),
    "getBlockNumber": _quantity,
    "getPbftView": _quantity,
    "getPendingTxSize": _quantity,
    "getSealerList": lambda v, _: results.parse_node_list(v),
    "getObserverList": lambda v, _: results.parse_node_list(v),
    "getNodeIDList": lambda v, _: results.parse_node_list(v),
    "getGroupPeers": lambda v, _: results.parse_node_list(v),
    "getConsensusStatus": _version_parser(node_info.parse_consensus_status),
    "getSyncStatus": _version_parser(node_info.parse_sync_status),
    "getPeers": _version_parser(node_info.parse_peers),
    "getGroupList": _version_parser(node_info.parse_group_list),
    "getBlockByHash": _none_or(results.parse_block),
    "getBlockByNumber": _none_or(results.parse_block),
    "getBlockHeaderByHash": _none_or(results.parse_block),
    "getBlockHeaderByNumber": _none_or(results.parse_block),
    "getBlockHashByNumber": _hash,
    "getTransactionByHash": _none_or(results.parse_transaction),
    "getTransaction": _none_or(results.parse_transaction),
    "getTransactionByBlockHashAndIndex": _none_or(results.parse_transaction),
    "getTransactionByBlockNumberAndIndex": _none_or(results.parse_transaction),
    "getTransactionReceipt": _none_or(results.parse_receipt),
    "getPendingTransactions": _pending,
    "getCode": _code,
    "getABI": _abi,
    "getTotalTransactionCount": _version_parser(node_info.parse_total_transaction_count),
    "getSystemConfigByKey": _version_parser(node_info.parse_system_config),
    "call": results.parse_call_result,
    "sendRawTransaction": _send,
    "sendRawTransactionAndGetProof": _send,
    "sendTransaction": _send,
    "getTransactionByHashWithProof": node_info.parse_transaction_with_proof,
    "getTransactionReceiptByHashWithProof": node_info.parse_receipt_with_proof,
    "getBatchReceiptsByBlockNumberAndRange": node_info.parse_batch_receipts,
    "getBatchReceiptsByBlockHashAndRange": node_info.parse_batch_receipts,
    "getNodeInfo": _version_parser(node_info.parse_node_info),
    "addPeers": _version_parser(node_info.parse_group_operation),
    "erasePeers": _version_parser(node_info.parse_group_operation),
    "queryPeers": _strings,
    "generateGroup": _version_parser(node_info.parse_group_operation),
    "startGroup": _version_parser(node_info.parse_group_operation),
    "stopGroup": _version_parser(node_info.parse_group_operation),
    "removeGroup": _version_parser(node_info.parse_group_operation),
    "recoverGroup": _version_parser(node_info.parse_group_operation),
    "queryGroupStatus": _version_parser(node_info.parse_group_operation),
    "getGroupInfo": _version_parser(node_info.parse_group_info),
    "getGroupInfoList": lambda v, _: tuple(node_info.parse_group_info(g) for g in v),
    "getGroupNodeInfo": _none_or(lambda v, _: node_info.parse_group_node(v)),
}


def parse_rpc_result(method: str, result: Any, fisco_version: int) -> Any:
    """The typed value of ``result`` for ``method`` (KeyError for an undocumented method)."""
    try:
        parser = PARSERS[method]
    except KeyError as exc:
        raise KeyError(f"no typed result for JSON-RPC method {method!r}") from exc
    try:
        return parser(result, fisco_version)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ResponseFormatError(f"{method}: unexpected result shape: {exc}") from exc
