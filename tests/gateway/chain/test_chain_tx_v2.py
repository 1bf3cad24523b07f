"""FISCO BCOS 2.x RLP transactions against SDK vectors, real node data and edge cases."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.chain.errors import TransactionDecodeError, TransactionFieldError
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE, CryptoSuite
from gateway.chain.tx.v2 import (
    TransactionFieldsV2,
    decode_raw_transaction,
    encode_signed,
    encode_unsigned,
    random_nonce,
    sign_transaction,
)

SUITES = {"ecdsa": ECDSA_SUITE, "gm": SM_SUITE}


def _hex(text: str) -> bytes:
    return bytes.fromhex(text[2:]) if text.startswith("0x") else bytes.fromhex(text)


def _fields(tx_fields: dict[str, Any]) -> TransactionFieldsV2:
    return TransactionFieldsV2(
        nonce=tx_fields["randomid"],
        gas_price=tx_fields["gasPrice"],
        gas_limit=tx_fields["gasLimit"],
        block_limit=tx_fields["blockLimit"],
        to=_hex(tx_fields["to"]) if tx_fields["to"] else b"",
        value=tx_fields["value"],
        data=_hex(tx_fields["data"]),
        chain_id=tx_fields["fiscoChainId"],
        group_id=tx_fields["groupId"],
        extra_data=_hex(tx_fields["extraData"]) if tx_fields["extraData"] else b"",
    )


def _records(transactions: Any, family: str) -> list[dict[str, Any]]:
    return list(transactions[family])


# -- SDK-generated vectors --------------------------------------------------------------


def test_sdk_ecdsa_transactions_reproduce_byte_for_byte(transactions: Any) -> None:
    for record in _records(transactions, "ecdsa"):
        fields = _fields(record["tx_fields"])
        assert encode_unsigned(fields) == _hex(record["unsigned_rlp"]), record["name"]
        key = ECDSA_SUITE.load_key(_hex(record["private_key"]))
        signed = sign_transaction(fields, ECDSA_SUITE, key)
        assert signed.signing_hash == _hex(record["signing_hash"])
        assert signed.v == int(record["v"], 16) == 27 + record["recovery_id"]
        assert signed.r == int(record["r"], 16)
        assert signed.s == int(record["s"], 16)
        assert signed.raw == _hex(record["raw_tx"])
        assert signed.tx_hash == _hex(record["tx_hash"])
        assert "0x" + signed.sender.hex() == record["recovered_address"].lower()


def test_sdk_ecdsa_raw_transactions_decode_and_recover_sender(transactions: Any) -> None:
    for record in _records(transactions, "ecdsa"):
        decoded = decode_raw_transaction(_hex(record["raw_tx"]), ECDSA_SUITE)
        assert decoded.fields == _fields(record["tx_fields"])
        assert decoded.signature_valid
        assert decoded.tx_hash == _hex(record["tx_hash"])
        assert decoded.signing_hash == _hex(record["signing_hash"])
        assert "0x" + decoded.sender.hex() == record["from_address"].lower()


def test_sdk_sm2_transactions_reproduce_by_hash_and_verification(transactions: Any) -> None:
    for record in _records(transactions, "gm"):
        fields = _fields(record["tx_fields"])
        assert encode_unsigned(fields) == _hex(record["unsigned_rlp"]), record["name"]
        key = SM_SUITE.load_key(_hex(record["private_key"]))
        signed = sign_transaction(fields, SM_SUITE, key)
        assert signed.signing_hash == _hex(record["signing_hash"])
        assert signed.v == _hex(record["v"])  # v is the 64-byte public key
        # SM2 signatures are randomised: check by verification, not bytes
        assert decode_raw_transaction(signed.raw, SM_SUITE).signature_valid
        sdk = decode_raw_transaction(_hex(record["raw_tx"]), SM_SUITE)
        assert sdk.signature_valid
        assert sdk.tx_hash == _hex(record["tx_hash"])
        assert (sdk.r, sdk.s) == (int(record["r"], 16), int(record["s"], 16))
        assert "0x" + sdk.sender.hex() == record["from_address"].lower()
        # same fields, same key, only r and s differ
        assert sdk.fields == signed.fields
        assert sdk.sender == signed.sender


# -- real node data from the FISCO BCOS documentation -------------------------------------


def test_documented_ecdsa_transaction_hashes_to_the_node_result(transactions: Any) -> None:
    (record,) = transactions["doc_raw_transactions"]["ecdsa"]
    decoded = decode_raw_transaction(_hex(record["raw_tx"]), ECDSA_SUITE)
    assert "0x" + decoded.tx_hash.hex() == record["documented_result"]
    assert decoded.signing_hash == _hex(record["signing_hash"])
    assert decoded.signature_valid
    assert "0x" + decoded.sender.hex() == record["recovered_sender_address"].lower()
    assert decoded.sender.hex() == "148947262ec5e21739fe3a931c29e8b84ee34a0f"
    assert decoded.fields.block_limit == 0x1F8
    assert decoded.v == 27
    assert decoded.raw == _hex(record["raw_tx"])


def test_documented_sm2_transaction_verifies(transactions: Any) -> None:
    (record,) = transactions["doc_raw_transactions"]["gm"]
    decoded = decode_raw_transaction(_hex(record["raw_tx"]), SM_SUITE)
    assert decoded.signing_hash.hex() == (
        "7d195202f346568753cc7d561beda7a3027c876881f6139a027e9b7321c7cf4c"
    )
    assert decoded.signature_valid
    assert decoded.tx_hash == _hex(record["tx_hash"])
    assert "0x" + decoded.sender.hex() == record["sender_address"]
    assert decoded.v == _hex(record["decoded_by_sdk"]["v"])


def test_documented_sm2_transaction_fails_under_the_wrong_suite(transactions: Any) -> None:
    (record,) = transactions["doc_raw_transactions"]["gm"]
    with pytest.raises(TransactionDecodeError, match="guomi"):
        decode_raw_transaction(_hex(record["raw_tx"]), ECDSA_SUITE)


# -- edge cases ---------------------------------------------------------------------------


def _base_fields(**changes: Any) -> TransactionFieldsV2:
    fields = TransactionFieldsV2(
        nonce=random_nonce(),
        gas_price=30_000_000,
        gas_limit=30_000_000,
        block_limit=510,
        to=bytes.fromhex("882be29b2d5ac85d6c476fa3fd5f0cae4b4585cc"),
        value=0,
        data=bytes.fromhex("299f7f9d"),
        chain_id=1,
        group_id=1,
        extra_data=b"",
    )
    return replace(fields, **changes)


@pytest.mark.parametrize("suite", [ECDSA_SUITE, SM_SUITE], ids=["ecdsa", "sm"])
def test_r_or_s_with_a_leading_zero_byte(suite: CryptoSuite) -> None:
    key = suite.load_key(
        bytes.fromhex("255f01b066a90853a0aa18565653d7b944cd2048c03613a9ff31cb9df9e693e5")
    )
    for nonce in range(1, 5000):
        signed = sign_transaction(_base_fields(nonce=nonce), suite, key)
        if signed.r < 1 << 248 or signed.s < 1 << 248:
            break
    else:
        pytest.fail("no short r or s found")
    items = rlp.decode(signed.raw)
    assert min(len(items[11]), len(items[12])) == 31  # minimal RLP integer
    decoded = decode_raw_transaction(signed.raw, suite)
    assert decoded.signature_valid
    assert (decoded.r, decoded.s) == (signed.r, signed.s)
    assert decoded.sender == signed.sender
    assert decoded.raw == signed.raw


def _leading_zero_sm2_key() -> Any:
    # the account of accounts.json whose SM2 public key starts with 0x00
    secret = hashlib.sha256(b"fisco-vectors-gm-leading-zero-78").digest()
    return SM_SUITE.load_key(secret)


def test_sm2_public_key_with_leading_zero_is_still_64_bytes_in_v() -> None:
    key = _leading_zero_sm2_key()
    public_key = SM_SUITE.public_key_of(key)
    assert public_key[0] == 0
    signed = sign_transaction(_base_fields(), SM_SUITE, key)
    assert signed.v == public_key
    assert rlp.decode(signed.raw)[10] == public_key
    assert b"\xb8\x40" + public_key in signed.raw
    decoded = decode_raw_transaction(signed.raw, SM_SUITE)
    assert decoded.signature_valid
    assert decoded.sender == SM_SUITE.address_of(public_key)
    assert decoded.raw == signed.raw


def test_sdk_style_63_byte_v_is_read_and_rehashed_in_node_form() -> None:
    key = _leading_zero_sm2_key()
    signed = sign_transaction(_base_fields(), SM_SUITE, key)
    items = rlp.decode(signed.raw)
    items[10] = items[10].lstrip(b"\x00")  # what python-sdk emits for such keys
    short_raw = rlp.encode(items)
    decoded = decode_raw_transaction(short_raw, SM_SUITE)
    assert decoded.signature_valid
    assert decoded.v == signed.v
    assert decoded.raw == signed.raw  # the node re-encodes v as 64 bytes ...
    assert decoded.tx_hash == SM_SUITE.hash(signed.raw)  # ... and hashes that form
    assert decoded.tx_hash != SM_SUITE.hash(short_raw)


@pytest.mark.parametrize("suite", [ECDSA_SUITE, SM_SUITE], ids=["ecdsa", "sm"])
def test_deploy_transaction_has_an_empty_to(suite: CryptoSuite) -> None:
    key = suite.generate_key()
    fields = _base_fields(to=b"", data=bytes.fromhex("6080604052"))
    signed = sign_transaction(fields, suite, key)
    assert rlp.decode(signed.raw)[4] == b""
    decoded = decode_raw_transaction(signed.raw, suite)
    assert decoded.fields.is_deploy
    assert decoded.fields.to == b""
    assert decoded.signature_valid


def test_random_nonces_are_256_bit_and_distinct() -> None:
    nonces = {random_nonce() for _ in range(64)}
    assert len(nonces) == 64
    assert all(0 <= n < 1 << 256 for n in nonces)
    assert max(nonces).bit_length() > 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"to": b"\x01" * 19}, "to must be"),
        ({"nonce": -1}, "nonce"),
        ({"gas_limit": 1 << 256}, "gas_limit"),
        ({"block_limit": "500"}, "block_limit"),
        ({"data": "0x00"}, "data"),
    ],
)
def test_unencodable_fields_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(TransactionFieldError, match=message):
        encode_unsigned(_base_fields(**changes))


def test_ecdsa_high_s_is_not_a_valid_signature() -> None:
    key = ECDSA_SUITE.generate_key()
    signed = sign_transaction(_base_fields(), ECDSA_SUITE, key)
    high_s = ECDSA_SUITE.curve_order - signed.s
    raw = encode_signed(signed.fields, 55 - signed.v, signed.r, high_s, ECDSA_SUITE)
    decoded = decode_raw_transaction(raw, ECDSA_SUITE)
    assert not decoded.signature_valid
    assert decoded.sender == b""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "not valid RLP"),
        (rlp.encode(b"abc"), "list of 13"),
        (rlp.encode([b""] * 12), "list of 13"),
        (rlp.encode([b""] * 12 + [[b""]]), "nested"),
        (rlp.encode([b"\x00\x01"] + [b""] * 12), "leading zero"),
        (rlp.encode([b""] * 4 + [b"\x01" * 5] + [b""] * 8), "to must be"),
        (rlp.encode([b""] * 10 + [b"\x1b\x1b", b"\x01", b"\x01"]), "one byte"),
        (rlp.encode([b""] * 13) + b"\x00", "not valid RLP"),
    ],
)
def test_malformed_raw_transactions_are_rejected(raw: bytes, message: str) -> None:
    with pytest.raises(TransactionDecodeError, match=message):
        decode_raw_transaction(raw, ECDSA_SUITE)


def test_sm2_v_of_wrong_length_is_rejected() -> None:
    raw = rlp.encode([b""] * 10 + [b"\x01" * 65, b"\x01", b"\x01"])
    with pytest.raises(TransactionDecodeError, match="64-byte public key"):
        decode_raw_transaction(raw, SM_SUITE)


# -- properties ---------------------------------------------------------------------------

uint256 = st.integers(min_value=0, max_value=(1 << 256) - 1)
fields_strategy = st.builds(
    TransactionFieldsV2,
    nonce=uint256,
    gas_price=uint256,
    gas_limit=uint256,
    block_limit=st.integers(min_value=0, max_value=(1 << 63) - 1),
    to=st.one_of(st.just(b""), st.binary(min_size=20, max_size=20)),
    value=uint256,
    data=st.binary(max_size=300),
    chain_id=st.integers(min_value=0, max_value=1 << 32),
    group_id=st.integers(min_value=1, max_value=32767),
    extra_data=st.binary(max_size=64),
)

KEYS = {"ecdsa": ECDSA_SUITE.generate_key(), "sm": SM_SUITE.generate_key()}


@settings(max_examples=60, deadline=None)
@given(fields=fields_strategy, suite_name=st.sampled_from(["ecdsa", "sm"]))
def test_sign_decode_round_trip(fields: TransactionFieldsV2, suite_name: str) -> None:
    suite = ECDSA_SUITE if suite_name == "ecdsa" else SM_SUITE
    signed = sign_transaction(fields, suite, KEYS[suite_name])
    decoded = decode_raw_transaction(signed.raw, suite)
    assert decoded == signed


FIELD_NAMES = [
    "nonce",
    "gas_price",
    "gas_limit",
    "block_limit",
    "to",
    "value",
    "data",
    "chain_id",
    "group_id",
    "extra_data",
]
SIGNED = {
    name: sign_transaction(_base_fields(nonce=12345), suite, KEYS[name])
    for name, suite in (("ecdsa", ECDSA_SUITE), ("sm", SM_SUITE))
}


def _tampered(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, int):
        return st.integers(min_value=0, max_value=(1 << 64)).filter(lambda v: v != value)
    size = {"min_size": 20, "max_size": 20} if len(value) == 20 else {"max_size": 40}
    return st.binary(**size).filter(lambda v: v != value)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), suite_name=st.sampled_from(["ecdsa", "sm"]))
def test_tampering_any_field_breaks_the_signature(data: st.DataObject, suite_name: str) -> None:
    suite = ECDSA_SUITE if suite_name == "ecdsa" else SM_SUITE
    original = SIGNED[suite_name]
    name = data.draw(st.sampled_from([*FIELD_NAMES, "r", "s"]))
    r, s, fields = original.r, original.s, original.fields
    if name in ("r", "s"):
        new = data.draw(
            st.integers(min_value=1, max_value=(1 << 255)).filter(lambda v: v not in (r, s))
        )
        r, s = (new, s) if name == "r" else (r, new)
    else:
        fields = replace(fields, **{name: data.draw(_tampered(getattr(fields, name)))})
    decoded = decode_raw_transaction(encode_signed(fields, original.v, r, s, suite), suite)
    # SM2 verification fails; an ECDSA signature then recovers to someone else (or nobody)
    assert not (decoded.signature_valid and decoded.sender == original.sender)
    if suite_name == "sm":
        assert not decoded.signature_valid


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(
        st.binary(max_size=300), st.lists(st.binary(max_size=70), max_size=14).map(rlp.encode)
    )
)
def test_arbitrary_bytes_decode_or_raise_transaction_decode_error(raw: bytes) -> None:
    for suite in (ECDSA_SUITE, SM_SUITE):
        try:
            decoded = decode_raw_transaction(raw, suite)
        except TransactionDecodeError:
            continue
        assert decoded.raw == raw or suite is SM_SUITE
