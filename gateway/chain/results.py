"""Typed results of the chain client, parsed from 2.x (hex) and 3.x (int) JSON shapes.

2.x sends block numbers, gas, status and indices as ``0x`` hex strings; 3.x sends JSON ints
(and ``gasUsed`` as a decimal string), names receipt logs ``logEntries`` instead of ``logs``
and has no ``blockHash`` in receipts. These parsers accept both, so every layer above works
on one set of snake_case types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.chain.errors import ResponseFormatError
from gateway.chain.hexutil import (
    data_bytes,
    normalise_address,
    normalise_hash,
    quantity,
)
from gateway.chain.status import STATUS_OK, status_name


@dataclass(frozen=True)
class LogEntry:
    """One event log: emitting contract, topics (topic 0 = event topic) and data."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int | None = None
    transaction_hash: str | None = None
    log_index: int | None = None


@dataclass(frozen=True)
class Receipt:
    """A transaction receipt. ``status`` uses the numbering of ``fisco_version``."""

    transaction_hash: str
    block_number: int
    status: int
    status_name: str
    fisco_version: int
    output: bytes
    logs: tuple[LogEntry, ...]
    gas_used: int
    from_address: str | None = None
    to_address: str | None = None
    contract_address: str | None = None
    block_hash: str | None = None
    transaction_index: int | None = None
    message: str | None = None
    input: bytes = b""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


@dataclass(frozen=True)
class ChainTransaction:
    """A transaction as the node reports it (``getTransactionByHash`` / ``getTransaction``)."""

    hash: str
    from_address: str | None
    to_address: str | None
    input: bytes
    nonce: int
    block_limit: int
    block_number: int | None = None
    block_hash: str | None = None
    transaction_index: int | None = None
    chain_id: int | str | None = None
    group_id: int | str | None = None
    signature: bytes = b""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Block:
    """A block header with its transactions (hashes, plus full objects when requested)."""

    number: int
    hash: str
    parent_hash: str | None
    timestamp: int  # milliseconds since the epoch
    sealer: int
    sealer_list: tuple[str, ...]
    transaction_hashes: tuple[str, ...]
    transactions: tuple[ChainTransaction, ...]
    gas_used: int
    receipts_root: str | None
    state_root: str | None
    transactions_root: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class CallResult:
    """Result of a read-only ``call``: return data, status and the height it ran at."""

    output: bytes
    status: int
    status_name: str
    block_number: int

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


@dataclass(frozen=True)
class NodeStatus:
    """What ``alliance chain status`` shows about a node."""

    fisco_version: int
    block_number: int
    node_version: str
    group: int | str
    sealers: tuple[str, ...]


def _obj(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ResponseFormatError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _opt_quantity(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    return None if value is None or value == "" else quantity(value, key)


def _opt_hash(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return None if value is None or value == "" else normalise_hash(value, key)


def parse_log(value: object, receipt: Mapping[str, Any] | None = None) -> LogEntry:
    obj = _obj(value, "log")
    topics = obj.get("topics") or []
    if not isinstance(topics, list):
        raise ResponseFormatError("log.topics: expected a list")
    address = normalise_address(obj.get("address"), "log.address")
    context = receipt or {}
    block_number = obj.get("blockNumber", context.get("blockNumber"))
    tx_hash = obj.get("transactionHash", context.get("transactionHash"))
    return LogEntry(
        address=address or "",
        topics=tuple(data_bytes(topic, "log.topics") for topic in topics),
        data=data_bytes(obj.get("data") or "0x", "log.data"),
        block_number=None if block_number is None else quantity(block_number, "blockNumber"),
        transaction_hash=None if not tx_hash else normalise_hash(tx_hash, "transactionHash"),
        log_index=_opt_quantity(obj, "logIndex"),
    )


def parse_receipt(value: object, fisco_version: int, *, block_number: int | None = None) -> Receipt:
    """A receipt from 2.x (``logs``, hex numbers) or 3.x (``logEntries``, ints).

    ``block_number`` fills in receipts that leave it out (2.x batch receipts).
    """
    obj = _obj(value, "receipt")
    if "blockNumber" not in obj and block_number is not None:
        obj = {**obj, "blockNumber": block_number}
    logs = obj.get("logEntries") if fisco_version >= 3 else obj.get("logs")
    if logs is None:
        logs = obj.get("logs") or obj.get("logEntries") or []
    if not isinstance(logs, list):
        raise ResponseFormatError("receipt logs: expected a list")
    try:
        status = quantity(obj["status"], "status")
        tx_hash = normalise_hash(obj["transactionHash"], "transactionHash")
        block_number = quantity(obj["blockNumber"], "blockNumber")
    except KeyError as exc:
        raise ResponseFormatError(f"receipt: missing {exc.args[0]}") from exc
    message = obj.get("message", obj.get("statusMsg"))
    return Receipt(
        transaction_hash=tx_hash,
        block_number=block_number,
        status=status,
        status_name=status_name(status, fisco_version),
        fisco_version=fisco_version,
        output=data_bytes(obj.get("output") or "0x", "output"),
        logs=tuple(parse_log(entry, obj) for entry in logs),
        gas_used=_opt_quantity(obj, "gasUsed") or 0,
        from_address=normalise_address(obj.get("from"), "from"),
        to_address=normalise_address(obj.get("to"), "to"),
        contract_address=normalise_address(obj.get("contractAddress"), "contractAddress"),
        block_hash=_opt_hash(obj, "blockHash"),
        transaction_index=_opt_quantity(obj, "transactionIndex"),
        message=message if isinstance(message, str) else None,
        input=data_bytes(obj.get("input") or "0x", "input"),
        raw=obj,
    )


def _nonce(value: object, fisco_version: int) -> int:
    if fisco_version >= 3 and isinstance(value, str):
        # 3.x reports the hex of the nonce's decimal string ("3231..." -> "21...").
        try:
            return int(data_bytes(value, "nonce").decode("ascii"), 10)
        except (UnicodeDecodeError, ValueError):
            return int.from_bytes(data_bytes(value, "nonce"), "big")
    return quantity(value, "nonce")


def parse_transaction(value: object, fisco_version: int) -> ChainTransaction:
    obj = _obj(value, "transaction")
    signature = obj.get("signature")
    if isinstance(signature, Mapping):
        signature = signature.get("signature")
    try:
        tx_hash = normalise_hash(obj["hash"], "hash")
    except KeyError as exc:
        raise ResponseFormatError("transaction: missing hash") from exc
    chain_id = obj.get("chainID", obj.get("chainId"))
    group_id = obj.get("groupID", obj.get("groupId"))
    return ChainTransaction(
        hash=tx_hash,
        from_address=normalise_address(obj.get("from"), "from"),
        to_address=normalise_address(obj.get("to"), "to"),
        input=data_bytes(obj.get("input") or "0x", "input"),
        nonce=_nonce(obj.get("nonce", 0), fisco_version),
        block_limit=_opt_quantity(obj, "blockLimit") or 0,
        block_number=_opt_quantity(obj, "blockNumber"),
        block_hash=_opt_hash(obj, "blockHash"),
        transaction_index=_opt_quantity(obj, "transactionIndex"),
        chain_id=quantity(chain_id) if fisco_version < 3 and chain_id is not None else chain_id,
        group_id=quantity(group_id) if fisco_version < 3 and group_id is not None else group_id,
        signature=data_bytes(signature, "signature") if isinstance(signature, str) else b"",
        raw=obj,
    )


def _node_id(value: object) -> str:
    if isinstance(value, Mapping):
        value = value.get("nodeID", value.get("nodeId"))
    if not isinstance(value, str):
        raise ResponseFormatError("node id: expected a hex string")
    return data_bytes(value, "node id").hex()


def parse_node_list(value: object) -> tuple[str, ...]:
    """Node IDs (128 hex digits, no ``0x``) from 2.x strings or 3.x ``{nodeID, weight}``."""
    if not isinstance(value, list):
        raise ResponseFormatError("node list: expected a list")
    return tuple(_node_id(item) for item in value)


def parse_block(value: object, fisco_version: int) -> Block:
    obj = _obj(value, "block")
    entries = obj.get("transactions") or []
    if not isinstance(entries, list):
        raise ResponseFormatError("block.transactions: expected a list")
    full: list[ChainTransaction] = []
    hashes: list[str] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            transaction = parse_transaction(entry, fisco_version)
            full.append(transaction)
            hashes.append(transaction.hash)
        else:
            hashes.append(normalise_hash(entry, "transactions"))
    parent = obj.get("parentHash")
    if parent is None and obj.get("parentInfo"):
        parent = obj["parentInfo"][0].get("blockHash")
    try:
        number = quantity(obj["number"], "number")
        block_hash = normalise_hash(obj["hash"], "hash")
    except KeyError as exc:
        raise ResponseFormatError(f"block: missing {exc.args[0]}") from exc
    return Block(
        number=number,
        hash=block_hash,
        parent_hash=None if parent is None else normalise_hash(parent, "parentHash"),
        timestamp=_opt_quantity(obj, "timestamp") or 0,
        sealer=_opt_quantity(obj, "sealer") or 0,
        sealer_list=parse_node_list(obj.get("sealerList") or []),
        transaction_hashes=tuple(hashes),
        transactions=tuple(full),
        gas_used=_opt_quantity(obj, "gasUsed") or 0,
        receipts_root=_opt_hash(obj, "receiptsRoot"),
        state_root=_opt_hash(obj, "stateRoot"),
        transactions_root=_opt_hash(obj, "transactionsRoot") or _opt_hash(obj, "txsRoot"),
        raw=obj,
    )


def parse_call_result(value: object, fisco_version: int) -> CallResult:
    obj = _obj(value, "call result")
    status = quantity(obj.get("status", 0), "status")
    height = obj.get("currentBlockNumber", obj.get("blockNumber", 0))
    return CallResult(
        output=data_bytes(obj.get("output") or "0x", "output"),
        status=status,
        status_name=status_name(status, fisco_version),
        block_number=quantity(height, "blockNumber"),
    )
