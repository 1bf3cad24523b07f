"""Typed results of the node-information RPCs (sync, consensus, peers, groups, proofs).

These cover the rest of the documented 2.x and 3.x JSON-RPC surface so an operator tool or a
health check gets typed values rather than raw JSON. Where 3.x returns a JSON document inside
a string (``getSyncStatus``, ``getConsensusStatus``, ``iniConfig``) it is parsed here.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.chain.errors import ResponseFormatError
from gateway.chain.hexutil import normalise_hash, quantity
from gateway.chain.results import (
    ChainTransaction,
    Receipt,
    parse_receipt,
    parse_transaction,
)


@dataclass(frozen=True)
class ClientVersion:
    version: str
    build_time: str | None
    git_commit: str | None
    chain_id: str | None
    supported_version: str | None


@dataclass(frozen=True)
class TotalTransactionCount:
    block_number: int
    transaction_count: int
    failed_transaction_count: int


@dataclass(frozen=True)
class SystemConfig:
    value: str
    block_number: int | None


@dataclass(frozen=True)
class SyncStatus:
    block_number: int
    is_syncing: bool
    known_highest_number: int
    latest_hash: str
    genesis_hash: str
    node_id: str
    peer_heights: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsensusStatus:
    block_number: int | None
    view: int | None
    raw: Any = field(repr=False, compare=False, default=None)


@dataclass(frozen=True)
class Peer:
    node_id: str
    endpoint: str | None


@dataclass(frozen=True)
class GroupOperation:
    """Result of 2.x group and peer management calls: ``{code, message, status?}``."""

    code: int
    message: str
    status: str | None


@dataclass(frozen=True)
class NodeInfo:
    node_id: str
    name: str | None
    agency: str | None
    endpoint: str | None


@dataclass(frozen=True)
class GroupNode:
    name: str
    node_id: str
    version: str | None
    sm_crypto: bool | None


@dataclass(frozen=True)
class GroupInfo:
    chain_id: str
    group_id: str
    nodes: tuple[GroupNode, ...]


@dataclass(frozen=True)
class TransactionWithProof:
    transaction: ChainTransaction
    proof: tuple[Any, ...]


@dataclass(frozen=True)
class ReceiptWithProof:
    receipt: Receipt
    proof: tuple[Any, ...]


@dataclass(frozen=True)
class BatchReceipts:
    block_number: int
    block_hash: str
    receipts: tuple[Receipt, ...]


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ResponseFormatError(f"{what}: string is not JSON") from exc
    if not isinstance(value, Mapping):
        raise ResponseFormatError(f"{what}: expected an object")
    return value


def parse_client_version(value: object) -> ClientVersion:
    obj = _mapping(value, "client version")
    return ClientVersion(
        version=str(obj.get("FISCO-BCOS Version", "")),
        build_time=obj.get("Build Time"),
        git_commit=obj.get("Git Commit Hash"),
        chain_id=obj.get("Chain Id"),
        supported_version=obj.get("Supported Version"),
    )


def parse_total_transaction_count(value: object) -> TotalTransactionCount:
    obj = _mapping(value, "transaction count")
    return TotalTransactionCount(
        block_number=quantity(obj["blockNumber"]),
        transaction_count=quantity(obj.get("txSum", obj.get("transactionCount", 0))),
        failed_transaction_count=quantity(
            obj.get("failedTxSum", obj.get("failedTransactionCount", 0))
        ),
    )


def parse_system_config(value: object) -> SystemConfig:
    if isinstance(value, str):
        return SystemConfig(value, None)
    obj = _mapping(value, "system config")
    return SystemConfig(str(obj.get("value", "")), quantity(obj.get("blockNumber", 0)))


def parse_sync_status(value: object) -> SyncStatus:
    obj = _mapping(value, "sync status")
    peers = obj.get("peers") or []
    return SyncStatus(
        block_number=quantity(obj.get("blockNumber", 0)),
        is_syncing=bool(obj.get("isSyncing", False)),
        known_highest_number=quantity(obj.get("knownHighestNumber", 0)),
        latest_hash=normalise_hash(obj.get("latestHash", "0x")),
        genesis_hash=normalise_hash(obj.get("genesisHash", "0x")),
        node_id=str(obj.get("nodeId", obj.get("nodeID", ""))),
        peer_heights={
            str(p.get("nodeId", p.get("nodeID"))): quantity(p.get("blockNumber", 0)) for p in peers
        },
    )


def parse_consensus_status(value: object) -> ConsensusStatus:
    """2.x: ``[status, views]``; 3.x: a JSON string of one object."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        head = value[0]
        number = head.get("highestblockNumber")
        view = head.get("currentView")
    else:
        head = _mapping(value, "consensus status")
        number = head.get("blockNumber")
        view = head.get("view")
    return ConsensusStatus(
        block_number=None if number is None else quantity(number),
        view=None if view is None else quantity(view),
        raw=value,
    )


def parse_peers(value: object) -> tuple[Peer, ...]:
    """2.x ``[{IPAndPort, nodeId}]``; 3.x ``{peers: [{endPoint, p2pNodeID}]}``."""
    if isinstance(value, Mapping):
        value = value.get("peers") or []
    if not isinstance(value, list):
        raise ResponseFormatError("peers: expected a list")
    return tuple(
        Peer(
            node_id=str(p.get("nodeId", p.get("p2pNodeID", ""))),
            endpoint=p.get("IPAndPort", p.get("endPoint")),
        )
        for p in value
    )


def parse_group_list(value: object) -> tuple[int | str, ...]:
    if isinstance(value, Mapping):
        value = value.get("groupList")
    if not isinstance(value, list):
        raise ResponseFormatError("group list: expected a list")
    return tuple(value)


def parse_group_operation(value: object) -> GroupOperation:
    obj = _mapping(value, "group operation")
    return GroupOperation(
        code=quantity(obj.get("code", 0)),
        message=str(obj.get("message", "")).strip(),
        status=obj.get("status"),
    )


def parse_node_info(value: object) -> NodeInfo:
    obj = _mapping(value, "node info")
    return NodeInfo(
        node_id=str(obj.get("NodeID", "")),
        name=obj.get("Node"),
        agency=obj.get("Agency"),
        endpoint=obj.get("IPAndPort"),
    )


def parse_group_node(value: object) -> GroupNode:
    obj = _mapping(value, "group node")
    config = _mapping(obj.get("iniConfig") or "{}", "iniConfig")
    binary = config.get("binaryInfo") or {}
    return GroupNode(
        name=str(obj.get("name", "")),
        node_id=str(obj.get("nodeID", config.get("nodeID", ""))),
        version=binary.get("version"),
        sm_crypto=config.get("smCryptoType"),
    )


def parse_group_info(value: object) -> GroupInfo:
    obj = _mapping(value, "group info")
    return GroupInfo(
        chain_id=str(obj.get("chainID", "")),
        group_id=str(obj.get("groupID", "")),
        nodes=tuple(parse_group_node(n) for n in obj.get("nodeList") or []),
    )


def parse_transaction_with_proof(value: object, fisco_version: int) -> TransactionWithProof:
    obj = _mapping(value, "transaction with proof")
    return TransactionWithProof(
        transaction=parse_transaction(obj["transaction"], fisco_version),
        proof=tuple(obj.get("txProof") or []),
    )


def parse_receipt_with_proof(value: object, fisco_version: int) -> ReceiptWithProof:
    obj = _mapping(value, "receipt with proof")
    receipt = obj["transactionReceipt"]
    return ReceiptWithProof(
        receipt=parse_receipt(receipt, fisco_version, block_number=0),
        proof=tuple(obj.get("receiptProof") or []),
    )


def parse_batch_receipts(value: object, fisco_version: int = 2) -> BatchReceipts:
    """``getBatchReceipts*``: plain JSON, or base64(zlib(JSON)) when compressed."""
    if isinstance(value, str):
        try:
            value = json.loads(zlib.decompress(base64.b64decode(value, validate=True)))
        except (binascii.Error, zlib.error, ValueError) as exc:
            raise ResponseFormatError("batch receipts: not base64(zlib(JSON))") from exc
    obj = _mapping(value, "batch receipts")
    info = _mapping(obj.get("blockInfo"), "blockInfo")
    number = quantity(info["blockNumber"])
    return BatchReceipts(
        block_number=number,
        block_hash=normalise_hash(info["blockHash"]),
        receipts=tuple(
            parse_receipt(r, fisco_version, block_number=number)
            for r in obj.get("transactionReceipts") or []
        ),
    )
