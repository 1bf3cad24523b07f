"""JSON views of transactions for operators (``alliance chain decode-tx``)."""

from __future__ import annotations

from typing import Any

from gateway.chain.errors import TransactionDecodeError
from gateway.chain.hexutil import to_hex
from gateway.chain.suite import CryptoSuite
from gateway.chain.tx import v2, v3

#: First byte of a TARS ``Transaction``: tag 1, struct begin.
TARS_TRANSACTION_HEAD = 0x1A


def describe_v2(signed: v2.SignedTransactionV2) -> dict[str, Any]:
    fields = signed.fields
    return {
        "format": "fisco-bcos-2.x-rlp",
        "suite": signed.suite_name,
        "fields": {
            "nonce": fields.nonce,
            "gas_price": fields.gas_price,
            "gas_limit": fields.gas_limit,
            "block_limit": fields.block_limit,
            "to": to_hex(fields.to) if fields.to else "",
            "value": fields.value,
            "data": to_hex(fields.data),
            "chain_id": fields.chain_id,
            "group_id": fields.group_id,
            "extra_data": to_hex(fields.extra_data),
        },
        "v": to_hex(signed.v) if isinstance(signed.v, bytes) else signed.v,
        "r": hex(signed.r),
        "s": hex(signed.s),
        "signing_hash": to_hex(signed.signing_hash),
        "tx_hash": to_hex(signed.tx_hash),
        "sender": to_hex(signed.sender) if signed.sender else None,
        "signature_valid": signed.signature_valid,
    }


def describe_v3(signed: v3.SignedTransactionV3) -> dict[str, Any]:
    data = signed.data
    return {
        "format": "fisco-bcos-3.x-tars",
        "suite": signed.suite_name,
        "fields": {
            "version": data.version,
            "chain_id": data.chain_id,
            "group_id": data.group_id,
            "block_limit": data.block_limit,
            "nonce": data.nonce,
            "to": data.to,
            "input": to_hex(data.input),
            "abi": data.abi,
        },
        "signature": to_hex(signed.signature),
        "signing_hash": to_hex(signed.data_hash),
        "tx_hash": to_hex(signed.data_hash),
        "sender": to_hex(signed.sender) if signed.sender else None,
        "signature_valid": signed.signature_valid,
    }


def describe_raw_transaction(raw: bytes, suite: CryptoSuite) -> dict[str, Any]:
    """Decode 2.x RLP (starts with an RLP list prefix) or 3.x TARS (starts with 0x1a)."""
    if not raw:
        raise TransactionDecodeError("empty transaction")
    if raw[0] == TARS_TRANSACTION_HEAD:
        return describe_v3(v3.decode_transaction(raw, suite))
    return describe_v2(v2.decode_raw_transaction(raw, suite))
