"""FISCO BCOS 3.x transaction versions 1 and 2: known answers derived by hand.

No published vector exists for version 1 or 2 (the only 3.x transaction in the FISCO BCOS
documentation, tests/data/fisco3_rpc_examples.json, is version 0 and is tested in
test_chain_tx_v3.py). The expected bytes below are therefore spelled out field by field from
the TARS layout of ``TransactionData`` (tag: 1 version, 2 chainID, 3 groupID, 4 blockLimit,
5 nonce, 6 to, 7 input, 8 abi, 9 value, 10 gasPrice, 11 gasLimit, 12 maxFeePerGas,
13 maxPriorityFeePerGas, 14 extension) and the hash's field concatenation, and the digests are
computed by ``hashlib`` SM3 and eth-hash Keccak-256 over that hand-built concatenation.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest
from eth_hash.auto import keccak

from gateway.chain.client import ChainClient
from gateway.chain.errors import TransactionDecodeError, TransactionFieldError
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.chain.tx.v3 import (
    TransactionDataV3,
    TransactionOptionsV3,
    decode_transaction,
    encode_transaction,
    sign_transaction,
)

TO = "0x" + "11" * 20
BASE = TransactionDataV3(
    chain_id="chain0", group_id="group0", block_limit=501, nonce="42", to=TO, input=b"\x01\x02"
)
V1 = replace(
    BASE,
    version=1,
    value="0x0",
    gas_price="0x1",
    gas_limit=30_000_000,
    max_fee_per_gas="0x2",
    max_priority_fee_per_gas="0x3",
)
V2 = replace(V1, version=2, extension=b"\xca\xfe")

# TARS, by hand: head byte = tag << 4 | type (0 int8, 1 int16, 2 int32, 6 string of <256
# bytes with a 1-byte length, 10/11 struct begin/end, 12 zero, 13 simple list = a head 0x00
# for int8 elements, a tagged int length, the bytes).
V1_DATA_STRUCT = (
    "1a"  # tag 1, struct begin: TransactionData
    "1001"  # tag 1 version: int8 1
    "2606"
    + b"chain0".hex()
    + "3606"
    + b"group0".hex()  # tags 2, 3: strings
    + "4101f5"  # tag 4 blockLimit: int16 501
    + "5602"
    + b"42".hex()  # tag 5 nonce
    + "662a"
    + TO.encode().hex()  # tag 6 to: 42-character string
    + "7d00"
    + "0002"
    + "0102"  # tag 7 input: simple list, length int8 2 (tag 0)
    # tag 8 abi: empty, left out
    + "9603"
    + b"0x0".hex()  # tag 9 value
    + "a603"
    + b"0x1".hex()  # tag 10 gasPrice
    + "b201c9c380"  # tag 11 gasLimit: int32 30,000,000
    + "c603"
    + b"0x2".hex()  # tag 12 maxFeePerGas
    + "d603"
    + b"0x3".hex()  # tag 13 maxPriorityFeePerGas
    + "0b"  # struct end
)
V2_DATA_STRUCT = (
    V1_DATA_STRUCT[: -len("0b")].replace("1a1001", "1a1002", 1)
    + "ed00"
    + "0002"
    + "cafe"  # tag 14 extension: simple list of 2 bytes
    + "0b"
)
V1_PREIMAGE = (
    (1).to_bytes(4, "big")
    + b"chain0"
    + b"group0"
    + (501).to_bytes(8, "big")
    + b"42"
    + TO.encode()
    + b"\x01\x02"
    + b""  # abi
    + b"0x0"
    + b"0x1"
    + (30_000_000).to_bytes(8, "big")
    + b"0x2"
    + b"0x3"
)
V2_PREIMAGE = (2).to_bytes(4, "big") + V1_PREIMAGE[4:] + b"\xca\xfe"
SIGNATURE_SM = bytes(range(128))  # a stand-in: layout checks only, not a valid signature


def _transaction_hex(struct_hex: str, data_hash: bytes, signature: bytes) -> str:
    assert len(data_hash) == 32 and len(signature) == 128
    return (
        struct_hex
        + "2d00"
        + "0020"
        + data_hash.hex()  # tag 2 dataHash: 32 bytes, length int8 (tag 0)
        # tag 3 signature: 128 bytes; 128 does not fit a signed int8: length int16 (tag 0)
        + "3d00"
        + "010080"
        + signature.hex()
    )


@pytest.mark.parametrize(
    ("data", "preimage"), [(V1, V1_PREIMAGE), (V2, V2_PREIMAGE)], ids=["v1", "v2"]
)
def test_hash_is_over_the_documented_field_concatenation(
    data: TransactionDataV3, preimage: bytes
) -> None:
    assert data.hash_preimage() == preimage
    assert data.data_hash(SM_SUITE) == hashlib.new("sm3", preimage).digest()
    assert data.data_hash(ECDSA_SUITE) == keccak(preimage)


@pytest.mark.parametrize(
    ("data", "struct_hex"), [(V1, V1_DATA_STRUCT), (V2, V2_DATA_STRUCT)], ids=["v1", "v2"]
)
def test_tars_bytes_are_the_hand_derived_layout(data: TransactionDataV3, struct_hex: str) -> None:
    data_hash = data.data_hash(SM_SUITE)
    raw = encode_transaction(data, data_hash, SIGNATURE_SM)
    assert raw.hex() == _transaction_hex(struct_hex, data_hash, SIGNATURE_SM)
    decoded = decode_transaction(
        bytes.fromhex(_transaction_hex(struct_hex, data_hash, SIGNATURE_SM)), SM_SUITE
    )
    assert decoded.data == data
    assert decoded.data_hash == data_hash
    assert not decoded.signature_valid  # the stand-in signature does not verify


@pytest.mark.parametrize("suite", [SM_SUITE, ECDSA_SUITE], ids=["sm", "ecdsa"])
@pytest.mark.parametrize("data", [V1, V2], ids=["v1", "v2"])
def test_signed_later_versions_verify_and_name_their_sender(
    suite: Any, data: TransactionDataV3
) -> None:
    key = suite.generate_key()
    signed = sign_transaction(data, suite, key)
    decoded = decode_transaction(signed.raw, suite)
    assert decoded.signature_valid
    assert decoded.sender == suite.address_of_key(key)
    assert decoded.data.version == data.version
    assert decoded.tx_hash == suite.hash(data.hash_preimage())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": 0}, "version-1 field"),
        ({"version": 1, "extension": b"\x01"}, "version-2 field"),
        ({"value": "10"}, "0x hex string"),
        ({"gas_price": "0xzz"}, "0x hex string"),
        ({"max_fee_per_gas": "0x"}, "0x hex string"),
        ({"version": 3}, "0, 1 or 2"),
        ({"gas_limit": 1 << 63}, "int64"),
    ],
)
def test_fields_a_node_cannot_take_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(TransactionFieldError, match=message):
        replace(V2, **changes).hash_preimage()


def test_a_received_transaction_with_later_fields_than_its_version_is_malformed() -> None:
    # version 0 but a value (tag 9): the hash a node computes would leave the value out
    struct_hex = V1_DATA_STRUCT.replace("1a1001", "1a1c", 1)
    raw = bytes.fromhex(_transaction_hex(struct_hex, b"\x00" * 32, SIGNATURE_SM))
    with pytest.raises(TransactionDecodeError, match="version-1 field"):
        decode_transaction(raw, SM_SUITE)


def test_the_client_sends_the_version_it_is_given(fake_node_class: Any) -> None:
    node = fake_node_class(suite=SM_SUITE, version=3)
    client = ChainClient(
        node,
        SM_SUITE,
        fisco_version=3,
        transaction_options=TransactionOptionsV3(version=1, gas_limit=30_000_000),
        poll_interval=0,
        sleep=lambda _: None,
    )
    key = SM_SUITE.generate_key()
    receipt = client.send_transaction(TO, b"\x01", key)
    assert receipt.ok
    sent = node.accepted[-1]
    assert (sent.data.version, sent.data.gas_limit, sent.signature_valid) == (1, 30_000_000, True)
    v2 = TransactionOptionsV3(version=2, value="0x0", extension=b"\x07")
    prepared = client.prepare_transaction(TO, b"\x01", key, block_limit=100, options=v2)
    decoded = decode_transaction(prepared.raw, SM_SUITE)
    assert (decoded.data.version, decoded.data.extension, decoded.data.gas_limit) == (2, b"\x07", 0)
    assert decoded.signature_valid
    assert prepared.tx_hash == "0x" + decoded.tx_hash.hex()


def test_version_options_on_a_2x_client_are_refused(fake_node_class: Any) -> None:
    with pytest.raises(ValueError, match=r"3\.x nodes"):
        ChainClient(
            fake_node_class(suite=SM_SUITE),
            SM_SUITE,
            transaction_options=TransactionOptionsV3(version=1),
        )
