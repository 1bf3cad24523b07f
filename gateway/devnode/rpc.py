"""JSON-RPC dispatcher: FISCO BCOS 2.x method names in, the documented 2.x shapes out.

Shapes follow FISCO-BCOS-DOC ``2.x/docs/api.md``: numbers as 0x hex strings (but
``getSystemConfigByKey`` answers a decimal string, ``getGroupList`` and ``getSyncStatus``
JSON ints), ``null`` for unknown transactions and for receipts until their block is
committed, and FISCO's error codes (-40001 unknown group, -40003/-40004 unknown block,
-40006 ``call`` without ``from``, -40008 unknown system config key, -32603 with the pool's
``ImportResult`` name when ``sendRawTransaction`` is refused).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from gateway.chain.hexutil import hex_to_bytes, parse_address
from gateway.devnode import errors
from gateway.devnode.blocks import hx, qty
from gateway.devnode.errors import DevnodeError, RpcMethodError
from gateway.devnode.node import COMPATIBLE_VERSION, DevNode
from gateway.devnode.store import StoredBlock

log = logging.getLogger(__name__)

Handler = Callable[[list[Any]], Any]


def _invalid(message: str) -> RpcMethodError:
    return RpcMethodError(errors.INVALID_PARAMS, f"Invalid params: {message}")


def _param(params: list[Any], index: int, name: str) -> Any:
    if len(params) <= index:
        raise _invalid(f"missing {name}")
    return params[index]


def _number(value: Any, name: str) -> int:
    """Block numbers and indexes: a JSON int, a decimal string or a 0x hex string."""
    if isinstance(value, bool):
        raise _invalid(f"{name} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text[2:], 16) if text[:2] in ("0x", "0X") else int(text, 10)
        except ValueError as exc:
            raise _invalid(f"{name} is not a number") from exc
    raise _invalid(f"{name} is not a number")


def _hash(value: Any, name: str) -> bytes:
    try:
        raw = hex_to_bytes(value) if isinstance(value, str) else b""
    except ValueError as exc:
        raise _invalid(f"{name} is not hex") from exc
    if len(raw) != 32:
        raise _invalid(f"{name} is not a 32-byte hash")
    return raw


def _address(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise _invalid(f"{name} is not an address")
    try:
        return parse_address(value)
    except ValueError as exc:
        raise _invalid(f"{name}: {exc}") from exc


class Dispatcher:
    """Maps method names to handlers over one :class:`DevNode`."""

    def __init__(self, node: DevNode) -> None:
        self.node = node
        self._methods: dict[str, tuple[bool, Handler]] = {
            # name: (takes groupId first, handler)
            "getClientVersion": (False, self.get_client_version),
            "getGroupList": (False, lambda p: [node.config.group_id]),
            "getNodeInfo": (False, self.get_node_info),
            "getBlockNumber": (True, lambda p: qty(node.head.number)),
            "getPbftView": (True, lambda p: qty(node.head.number)),
            "getSealerList": (True, lambda p: [node.node_id]),
            "getObserverList": (True, lambda p: []),
            "getNodeIDList": (True, lambda p: [node.node_id]),
            "getGroupPeers": (True, lambda p: [node.node_id]),
            "getPeers": (True, lambda p: []),
            "getSyncStatus": (True, self.get_sync_status),
            "getBlockByNumber": (True, self.get_block_by_number),
            "getBlockByHash": (True, self.get_block_by_hash),
            "getBlockHeaderByNumber": (True, self.get_block_header_by_number),
            "getBlockHeaderByHash": (True, self.get_block_header_by_hash),
            "getBlockHashByNumber": (True, self.get_block_hash_by_number),
            "getTransactionByHash": (True, self.get_transaction_by_hash),
            "getTransactionByBlockNumberAndIndex": (True, self.get_tx_by_number_and_index),
            "getTransactionByBlockHashAndIndex": (True, self.get_tx_by_hash_and_index),
            "getTransactionReceipt": (True, self.get_transaction_receipt),
            "getPendingTransactions": (True, self.get_pending_transactions),
            "getPendingTxSize": (True, lambda p: qty(node.pool.size())),
            "getCode": (True, self.get_code),
            "getTotalTransactionCount": (True, self.get_total_transaction_count),
            "getSystemConfigByKey": (True, self.get_system_config_by_key),
            "call": (True, self.call),
            "sendRawTransaction": (True, self.send_raw_transaction),
        }

    # -- entry points --------------------------------------------------------------------
    def dispatch(self, method: str, params: list[Any]) -> Any:
        """The ``result`` of one call; raises :class:`RpcMethodError` for an error answer."""
        entry = self._methods.get(method)
        if entry is None:
            raise RpcMethodError(errors.METHOD_NOT_FOUND, "Method not found")
        takes_group, handler = entry
        if takes_group:
            group = _number(_param(params, 0, "groupId"), "groupId")
            if group != self.node.config.group_id:
                raise RpcMethodError(errors.GROUP_ID_NOT_EXIST, "GroupID does not exist")
            return handler(params[1:])
        return handler(params)

    def handle_body(self, body: bytes) -> dict[str, Any]:
        """One HTTP request body in, the JSON-RPC response object out."""
        try:
            request = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _error_response(None, errors.PARSE_ERROR, "Parse error")
        if not isinstance(request, dict):
            return _error_response(None, errors.INVALID_REQUEST, "Invalid Request")
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params", [])
        if not isinstance(method, str) or not isinstance(params, list):
            return _error_response(request_id, errors.INVALID_REQUEST, "Invalid Request")
        try:
            result = self.dispatch(method, params)
        except RpcMethodError as exc:
            return _error_response(request_id, exc.rpc_code, exc.message)
        except DevnodeError as exc:
            log.exception("devnode failure while serving %s", method)
            return _error_response(request_id, errors.INTERNAL_ERROR, str(exc))
        return {"id": request_id, "jsonrpc": "2.0", "result": result}

    # -- node ----------------------------------------------------------------------------
    def get_client_version(self, params: list[Any]) -> dict[str, str]:
        return {
            "Build Time": "",
            "Build Type": "alliance-gateway devnode (py-evm)",
            "Chain Id": str(self.node.config.chain_id),
            "FISCO-BCOS Version": COMPATIBLE_VERSION,
            "Git Branch": "",
            "Git Commit Hash": "",
            "Supported Version": COMPATIBLE_VERSION,
        }

    def get_node_info(self, params: list[Any]) -> dict[str, Any]:
        return {
            "Agency": "devnode",
            "IPAndPort": "",
            "Node": "devnode",
            "NodeID": self.node.node_id,
            "Topic": [],
        }

    def get_sync_status(self, params: list[Any]) -> dict[str, Any]:
        head = self.node.head
        return {
            "blockNumber": head.number,
            "genesisHash": hx(self.node.genesis_hash()),
            "isSyncing": False,
            "knownHighestNumber": head.number,
            "knownLatestHash": hx(head.hash),
            "latestHash": hx(head.hash),
            "nodeId": self.node.node_id,
            "peers": [],
            "protocolId": 65544 + self.node.config.group_id,
            "txPoolSize": str(self.node.pool.size()),
        }

    def get_system_config_by_key(self, params: list[Any]) -> str:
        key = _param(params, 0, "key")
        config = self.node.config
        values = {
            "tx_count_limit": config.tx_count_limit,
            "tx_gas_limit": config.tx_gas_limit,
            "consensus_timeout": 3,
        }
        if key not in values:
            raise RpcMethodError(errors.INVALID_SYSTEM_CONFIG, "Invalid System Config")
        return str(values[key])

    def get_total_transaction_count(self, params: list[Any]) -> dict[str, str]:
        total, failed = self.node.store.counters()
        return {
            "blockNumber": qty(self.node.head.number),
            "failedTxSum": qty(failed),
            "txSum": qty(total),
        }

    # -- blocks --------------------------------------------------------------------------
    # A block is written to the store a moment before the node adopts it as its head (state
    # applied, head moved); until then nothing of it is shown, so a client that saw a receipt
    # can rely on ``call`` and ``getCode`` seeing that block's state.
    def _visible(self, block_number: int) -> bool:
        return block_number <= self.node.head.number

    def _committed_json(self, found: dict[str, Any] | None) -> dict[str, Any] | None:
        if found is None or not self._visible(int(found["blockNumber"], 16)):
            return None
        return found

    def _block_at(self, params: list[Any]) -> StoredBlock:
        number = _number(_param(params, 0, "blockNumber"), "blockNumber")
        block = self.node.store.block_by_number(number) if self._visible(number) else None
        if block is None:
            raise RpcMethodError(errors.BLOCK_NUMBER_NOT_EXIST, "BlockNumber does not exist")
        return block

    def _block_with_hash(self, params: list[Any]) -> StoredBlock:
        block = self.node.store.block_by_hash(_hash(_param(params, 0, "blockHash"), "blockHash"))
        if block is None or not self._visible(block.number):
            raise RpcMethodError(errors.BLOCK_HASH_NOT_EXIST, "BlockHash does not exist")
        return block

    def _block_json(self, block: StoredBlock, include_tx: Any) -> dict[str, Any]:
        result = dict(block.header)
        if include_tx is True:
            result["transactions"] = self.node.store.transactions_of_block(block.number)
        else:
            result["transactions"] = [hx(h) for h in block.tx_hashes]
        return result

    def _header_json(self, block: StoredBlock, include_sigs: Any) -> dict[str, Any]:
        result = dict(block.header)
        if include_sigs is not True:
            result.pop("signatureList", None)
        return result

    def get_block_by_number(self, params: list[Any]) -> dict[str, Any]:
        return self._block_json(self._block_at(params), params[1] if len(params) > 1 else False)

    def get_block_by_hash(self, params: list[Any]) -> dict[str, Any]:
        block = self._block_with_hash(params)
        return self._block_json(block, params[1] if len(params) > 1 else False)

    def get_block_header_by_number(self, params: list[Any]) -> dict[str, Any]:
        return self._header_json(self._block_at(params), params[1] if len(params) > 1 else False)

    def get_block_header_by_hash(self, params: list[Any]) -> dict[str, Any]:
        block = self._block_with_hash(params)
        return self._header_json(block, params[1] if len(params) > 1 else False)

    def get_block_hash_by_number(self, params: list[Any]) -> str:
        return hx(self._block_at(params).hash)

    # -- transactions --------------------------------------------------------------------
    def get_transaction_by_hash(self, params: list[Any]) -> dict[str, Any] | None:
        tx_hash = _hash(_param(params, 0, "txHash"), "txHash")
        return self._committed_json(self.node.store.transaction_json(tx_hash))

    def _tx_at(self, block: StoredBlock, index_param: Any) -> dict[str, Any]:
        index = _number(index_param, "transactionIndex")
        if not 0 <= index < len(block.tx_hashes):
            raise RpcMethodError(
                errors.TRANSACTION_INDEX_OUT_OF_RANGE, "TransactionIndex is out of range"
            )
        tx = self.node.store.transaction_json(block.tx_hashes[index])
        if tx is None:
            raise RpcMethodError(errors.INTERNAL_ERROR, "transaction of a sealed block is missing")
        return tx

    def get_tx_by_number_and_index(self, params: list[Any]) -> dict[str, Any]:
        return self._tx_at(self._block_at(params), _param(params, 1, "transactionIndex"))

    def get_tx_by_hash_and_index(self, params: list[Any]) -> dict[str, Any]:
        return self._tx_at(self._block_with_hash(params), _param(params, 1, "transactionIndex"))

    def get_transaction_receipt(self, params: list[Any]) -> dict[str, Any] | None:
        tx_hash = _hash(_param(params, 0, "txHash"), "txHash")
        return self._committed_json(self.node.store.receipt_json(tx_hash))

    def get_pending_transactions(self, params: list[Any]) -> list[dict[str, str]]:
        return [
            {
                "from": hx(tx.sender),
                "gas": qty(tx.fields.gas_limit),
                "gasPrice": qty(tx.fields.gas_price),
                "hash": hx(tx.tx_hash),
                "input": hx(tx.fields.data),
                "nonce": qty(tx.fields.nonce),
                "to": hx(tx.fields.to) if tx.fields.to else "0x" + "00" * 20,
                "value": qty(tx.fields.value),
            }
            for tx in self.node.pool.pending()
        ]

    def send_raw_transaction(self, params: list[Any]) -> str:
        text = _param(params, 0, "rlp")
        if not isinstance(text, str):
            raise _invalid("the transaction is not a hex string")
        try:
            raw = hex_to_bytes(text)
        except ValueError as exc:
            raise _invalid("the transaction is not hex") from exc
        return hx(self.node.submit(raw))

    # -- state ---------------------------------------------------------------------------
    def get_code(self, params: list[Any]) -> str:
        return hx(self.node.get_code(_address(_param(params, 0, "address"), "address")))

    def call(self, params: list[Any]) -> dict[str, str]:
        request = _param(params, 0, "call object")
        if not isinstance(request, dict):
            raise _invalid("the call object is not an object")
        if not request.get("from"):
            raise RpcMethodError(errors.CALL_NEEDS_FROM, "Call needs a 'from' field")
        sender = _address(request["from"], "from")
        to = _address(request.get("to"), "to")
        data_text = request.get("data", "0x")
        try:
            data = hex_to_bytes(data_text) if isinstance(data_text, str) else b""
        except ValueError as exc:
            raise _invalid("data is not hex") from exc
        height, result = self.node.call(sender, to, data)
        return {
            "currentBlockNumber": qty(height),
            "output": hx(result.output),
            "status": qty(result.status),
        }


def _error_response(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {
        "error": {"code": code, "data": None, "message": message},
        "id": request_id,
        "jsonrpc": "2.0",
    }
