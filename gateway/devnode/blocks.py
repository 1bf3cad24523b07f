"""Blocks, transactions and receipts in the FISCO BCOS 2.x JSON shapes.

The header is the 13-item RLP list of a 2.x block header (``libethcore/BlockHeader.cpp``):
``parentHash, stateRoot, transactionsRoot, receiptsRoot, dbHash, logsBloom, number,
gasLimit, gasUsed, timestamp, extraData[], sealer, sealerList[]``; the block hash is the suite
hash of it (SM3 on a guomi chain) and the sealer signs that hash with its node key (SM2 with
Z, 128-byte ``r‖s‖pub``; or ECDSA, 65-byte ``r‖s‖v``), as in ``signatureList``.

Roots are the devnode's own: ``transactionsRoot`` is the suite hash of the RLP list of the
block's transaction hashes, ``receiptsRoot`` the suite hash of the receipt digests,
``stateRoot`` the hash chain over state changes (:mod:`gateway.devnode.state`), ``dbHash``
zero. No client check depends on them; a real node computes them differently. All numbers
are 0x hex strings, timestamps are milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import rlp

from gateway.chain.suite import CryptoSuite, PrivateKey
from gateway.chain.tx.v2 import SignedTransactionV2
from gateway.devnode.engine import ExecutionResult
from gateway.devnode.status import status_message

ZERO_HASH = b"\x00" * 32
ZERO_ADDRESS_HEX = "0x" + "00" * 20
_EMPTY_BLOOM = b"\x00" * 256


def hx(data: bytes) -> str:
    return "0x" + data.hex()


def qty(value: int) -> str:
    return hex(value)


@dataclass(frozen=True)
class SealedHeader:
    number: int
    parent_hash: bytes
    state_root: bytes
    transactions_root: bytes
    receipts_root: bytes
    logs_bloom: bytes
    gas_used: int
    timestamp_ms: int
    sealer_index: int
    sealer_list: tuple[bytes, ...]  # 64-byte node ids
    hash: bytes
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        """The block object without ``transactions`` (the caller adds hashes or objects)."""
        return {
            "dbHash": hx(ZERO_HASH),
            "extraData": [],
            "gasLimit": "0x0",
            "gasUsed": qty(self.gas_used),
            "hash": hx(self.hash),
            "logsBloom": hx(self.logs_bloom),
            "number": qty(self.number),
            "parentHash": hx(self.parent_hash),
            "receiptsRoot": hx(self.receipts_root),
            "sealer": qty(self.sealer_index),
            "sealerList": [node.hex() for node in self.sealer_list],
            "signatureList": [{"index": "0x0", "signature": hx(self.signature)}],
            "stateRoot": hx(self.state_root),
            "timestamp": qty(self.timestamp_ms),
            "transactionsRoot": hx(self.transactions_root),
        }


def node_signature(suite: CryptoSuite, key: PrivateKey, digest: bytes) -> bytes:
    """The sealer's signature over a block hash, in the 2.x ``signatureList`` encoding."""
    signature = suite.sign_hash(key, digest)
    body = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big")
    if signature.recovery_id is None:
        return body + signature.public_key
    return body + bytes([signature.recovery_id])


def seal_header(
    suite: CryptoSuite,
    key: PrivateKey,
    *,
    number: int,
    parent_hash: bytes,
    state_root: bytes,
    tx_hashes: Sequence[bytes],
    receipt_digests: Sequence[bytes],
    logs_bloom: bytes,
    gas_used: int,
    timestamp_ms: int,
) -> SealedHeader:
    node_id = suite.public_key_of(key)
    transactions_root = suite.hash(rlp.encode(list(tx_hashes)))
    receipts_root = suite.hash(b"".join(receipt_digests))
    items = [
        parent_hash,
        state_root,
        transactions_root,
        receipts_root,
        ZERO_HASH,
        logs_bloom,
        number,
        0,
        gas_used,
        timestamp_ms,
        [],
        0,
        [node_id],
    ]
    block_hash = suite.hash(rlp.encode(items))
    return SealedHeader(
        number=number,
        parent_hash=parent_hash,
        state_root=state_root,
        transactions_root=transactions_root,
        receipts_root=receipts_root,
        logs_bloom=logs_bloom,
        gas_used=gas_used,
        timestamp_ms=timestamp_ms,
        sealer_index=0,
        sealer_list=(node_id,),
        hash=block_hash,
        signature=node_signature(suite, key, block_hash),
    )


def logs_bloom(result: ExecutionResult, hash_fn: Callable[[bytes], bytes]) -> bytes:
    """The 2048-bit log bloom of a receipt (m3:2048 of the Ethereum yellow paper, §4.3.1).

    Each log address and topic sets three bits, taken from the first three byte pairs of its
    hash; FISCO BCOS takes that hash with the chain's hash function (SM3 on a guomi chain).
    """
    if not result.logs:
        return _EMPTY_BLOOM
    bits = 0
    for log in result.logs:
        for item in (log.address, *log.topics):
            digest = hash_fn(item)
            for i in (0, 2, 4):
                bits |= 1 << (((digest[i] << 8) | digest[i + 1]) & 2047)
    return bits.to_bytes(256, "big")


def receipt_digest(result: ExecutionResult, hash_fn: Callable[[bytes], bytes]) -> bytes:
    """What ``receiptsRoot`` commits to for one receipt (a devnode-specific encoding).

    ``H(status ‖ gasUsed ‖ contractAddress ‖ H(output) ‖ logs)``, each log being
    ``address ‖ topic count ‖ topics ‖ H(data)``; fixed-width fields, so it is unambiguous.
    """
    logs = b"".join(
        log.address + bytes([len(log.topics)]) + b"".join(log.topics) + hash_fn(log.data)
        for log in result.logs
    )
    return hash_fn(
        result.status.to_bytes(4, "big")
        + result.gas_used.to_bytes(8, "big")
        + result.contract_address
        + hash_fn(result.output)
        + logs
    )


def _signature_json(tx: SignedTransactionV2) -> dict[str, str]:
    r = tx.r.to_bytes(32, "big")
    s = tx.s.to_bytes(32, "big")
    if isinstance(tx.v, bytes):  # SM2: v is the public key; signature is r‖s‖pub
        return {"r": hx(r), "s": hx(s), "signature": hx(r + s + tx.v), "v": hx(tx.v)}
    recovery = tx.v - 27
    return {"r": hx(r), "s": hx(s), "signature": hx(r + s + bytes([recovery])), "v": qty(recovery)}


def transaction_json(
    tx: SignedTransactionV2, block_hash: bytes, block_number: int, index: int
) -> dict[str, Any]:
    f = tx.fields
    return {
        "blockHash": hx(block_hash),
        "blockLimit": qty(f.block_limit),
        "blockNumber": qty(block_number),
        "chainId": qty(f.chain_id),
        "extraData": hx(f.extra_data),
        "from": hx(tx.sender),
        "gas": qty(f.gas_limit),
        "gasPrice": qty(f.gas_price),
        "groupId": qty(f.group_id),
        "hash": hx(tx.tx_hash),
        "input": hx(f.data),
        "nonce": qty(f.nonce),
        "signature": _signature_json(tx),
        "to": hx(f.to) if f.to else ZERO_ADDRESS_HEX,
        "transactionIndex": qty(index),
        "value": qty(f.value),
    }


def receipt_json(
    tx: SignedTransactionV2,
    result: ExecutionResult,
    block_hash: bytes,
    block_number: int,
    index: int,
    state_root: bytes,
    remain_gas: int,
    bloom: bytes,
) -> dict[str, Any]:
    f = tx.fields
    return {
        "blockHash": hx(block_hash),
        "blockNumber": qty(block_number),
        "contractAddress": hx(result.contract_address),
        "from": hx(tx.sender),
        "gasUsed": qty(result.gas_used),
        "input": hx(f.data),
        "logs": [
            {
                "address": hx(log.address),
                "data": hx(log.data),
                "topics": [hx(t) for t in log.topics],
            }
            for log in result.logs
        ],
        "logsBloom": hx(bloom),
        "output": hx(result.output),
        "remainGas": qty(remain_gas),
        "root": hx(state_root),
        "status": qty(result.status),
        "statusMsg": status_message(result.status),
        "to": hx(f.to) if f.to else ZERO_ADDRESS_HEX,
        "transactionHash": hx(tx.tx_hash),
        "transactionIndex": qty(index),
    }
