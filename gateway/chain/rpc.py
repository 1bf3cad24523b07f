"""The FISCO wire dialects: camelCase JSON-RPC methods and parameter shapes, per major version.

2.x puts the integer group id first (``[1, ...]``) and answers in hex strings; 3.x puts the
group name and node name first (``["group0", "", ...]``) and answers in JSON ints. Everything
above this module works on the typed results of :mod:`gateway.chain.results`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any

from gateway.chain.errors import ResponseFormatError
from gateway.chain.hexutil import data_bytes, quantity, to_hex
from gateway.chain.node_info import (
    SyncStatus,
    SystemConfig,
    TotalTransactionCount,
    parse_sync_status,
    parse_system_config,
    parse_total_transaction_count,
)
from gateway.chain.results import (
    Block,
    CallResult,
    ChainTransaction,
    NodeStatus,
    Receipt,
    parse_block,
    parse_call_result,
    parse_node_list,
    parse_receipt,
    parse_transaction,
)
from gateway.chain.rpc_results import parse_rpc_result
from gateway.chain.transport.base import Transport


class NodeRpc(ABC):
    """Typed access to one group of one FISCO BCOS node through a transport."""

    fisco_version: int

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    @property
    @abstractmethod
    def group(self) -> int | str: ...

    @abstractmethod
    def _params(self, *params: Any) -> list[Any]: ...

    def _call(self, method: str, *params: Any) -> Any:
        return self.transport.request(method, self._params(*params))

    def block_number(self) -> int:
        return quantity(self._call("getBlockNumber"), "blockNumber")

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        result = self._call("getTransactionReceipt", *self._receipt_args(tx_hash))
        return None if result is None else parse_receipt(result, self.fisco_version)

    def get_code(self, address: str) -> bytes:
        return data_bytes(self._call("getCode", address), "code")

    def sealer_list(self) -> tuple[str, ...]:
        return parse_node_list(self._call("getSealerList"))

    def query(self, method: str, *params: Any) -> Any:
        """Any documented read method, group-prefixed, as its typed result."""
        return parse_rpc_result(method, self._call(method, *params), self.fisco_version)

    def total_transaction_count(self) -> TotalTransactionCount:
        return parse_total_transaction_count(self._call("getTotalTransactionCount"))

    def system_config(self, key: str) -> SystemConfig:
        return parse_system_config(self._call("getSystemConfigByKey", key))

    def sync_status(self) -> SyncStatus:
        return parse_sync_status(self._call("getSyncStatus"))

    def status(self) -> NodeStatus:
        return NodeStatus(
            fisco_version=self.fisco_version,
            block_number=self.block_number(),
            node_version=self.node_version(),
            group=self.group,
            sealers=self.sealer_list(),
        )

    @abstractmethod
    def _receipt_args(self, tx_hash: str) -> list[Any]: ...

    @abstractmethod
    def get_block(self, number: int, *, full_transactions: bool = False) -> Block | None: ...

    @abstractmethod
    def get_transaction(self, tx_hash: str) -> ChainTransaction | None: ...

    @abstractmethod
    def call(self, from_address: str, to: str, data: bytes) -> CallResult: ...

    @abstractmethod
    def send_raw_transaction(self, raw: bytes) -> Receipt | str | None:
        """Submit signed bytes: 2.x returns the tx hash, 3.x waits and returns the receipt."""

    @abstractmethod
    def node_version(self) -> str: ...


class FiscoV2Rpc(NodeRpc):
    """FISCO BCOS 2.x: ``[groupId, ...]`` parameters, hex results."""

    fisco_version = 2

    def __init__(self, transport: Transport, group_id: int = 1) -> None:
        super().__init__(transport)
        self.group_id = group_id

    @property
    def group(self) -> int:
        return self.group_id

    def _params(self, *params: Any) -> list[Any]:
        return [self.group_id, *params]

    def _receipt_args(self, tx_hash: str) -> list[Any]:
        return [tx_hash]

    def get_block(self, number: int, *, full_transactions: bool = False) -> Block | None:
        result = self._call("getBlockByNumber", hex(number), full_transactions)
        return None if result is None else parse_block(result, 2)

    def get_transaction(self, tx_hash: str) -> ChainTransaction | None:
        result = self._call("getTransactionByHash", tx_hash)
        return None if result is None else parse_transaction(result, 2)

    def call(self, from_address: str, to: str, data: bytes) -> CallResult:
        request = {"from": from_address, "to": to, "value": "0x0", "data": to_hex(data)}
        return parse_call_result(self._call("call", request), 2)

    def send_raw_transaction(self, raw: bytes) -> str:
        result = self._call("sendRawTransaction", to_hex(raw))
        if not isinstance(result, str):
            raise ResponseFormatError("sendRawTransaction: expected a transaction hash")
        return result.lower()

    def node_version(self) -> str:
        result = self.transport.request("getClientVersion", [])
        if not isinstance(result, dict):
            raise ResponseFormatError("getClientVersion: expected an object")
        return str(result.get("FISCO-BCOS Version", ""))


class FiscoV3Rpc(NodeRpc):
    """FISCO BCOS 3.x: ``[group, node, ...]`` parameters, int results, ``logEntries``."""

    fisco_version = 3

    def __init__(self, transport: Transport, group: str = "group0", node: str = "") -> None:
        super().__init__(transport)
        self.group_name = group
        self.node_name = node

    @property
    def group(self) -> str:
        return self.group_name

    def _params(self, *params: Any) -> list[Any]:
        return [self.group_name, self.node_name, *params]

    def _receipt_args(self, tx_hash: str) -> list[Any]:
        return [tx_hash, False]

    def get_block(self, number: int, *, full_transactions: bool = False) -> Block | None:
        result = self._call("getBlockByNumber", number, False, not full_transactions)
        return None if result is None else parse_block(result, 3)

    def get_transaction(self, tx_hash: str) -> ChainTransaction | None:
        result = self._call("getTransaction", tx_hash, False)
        return None if result is None else parse_transaction(result, 3)

    def call(self, from_address: str, to: str, data: bytes) -> CallResult:
        return parse_call_result(self._call("call", to, to_hex(data)), 3)

    def send_raw_transaction(self, raw: bytes) -> Receipt | None:
        result = self._call("sendTransaction", to_hex(raw), False)
        if isinstance(result, dict):
            return parse_receipt(result, 3)
        return None  # accepted without a receipt: the client polls for it

    def node_version(self) -> str:
        info = self._call("getGroupInfo")
        nodes = info.get("nodeList") if isinstance(info, dict) else None
        if not nodes:
            return ""
        config = nodes[0].get("iniConfig")
        try:
            parsed = json.loads(config) if isinstance(config, str) else config
        except ValueError as exc:
            raise ResponseFormatError("getGroupInfo: iniConfig is not JSON") from exc
        if not isinstance(parsed, dict):
            return ""
        return str(parsed.get("binaryInfo", {}).get("version", ""))
