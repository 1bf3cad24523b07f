"""FISCO BCOS 3.x TARS transactions: the documented guomi sample, round trips, tampering."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.chain.errors import TransactionDecodeError, TransactionFieldError
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.chain.tx.tars import TarsWriter, decode_fields
from gateway.chain.tx.v3 import (
    TransactionDataV3,
    decode_transaction,
    encode_transaction,
    random_nonce,
    sign_transaction,
)


@pytest.fixture(scope="module")
def documented_raw(rpc3_examples: list[dict[str, Any]]) -> bytes:
    example = next(e for e in rpc3_examples if e["method"] == "sendTransaction" and "request" in e)
    return bytes.fromhex(example["request"]["params"][2][2:])


def test_documented_sm2_send_transaction_hash_and_signature_verify(documented_raw: bytes) -> None:
    decoded = decode_transaction(documented_raw, SM_SUITE)
    assert decoded.data_hash.hex() == (
        "867fc7059f04e9f172202b777673a8413c9e47990dcd09b11311a2f1f5b55a4f"
    )
    assert decoded.signature_valid
    assert len(decoded.signature) == 128
    # the same account is `from` in the documented deploy receipt
    assert decoded.sender.hex() == "f3293c3452b3b0479e64a4c612e8c1b0da5fe1af"
    data = decoded.data
    assert (data.version, data.chain_id, data.group_id, data.block_limit) == (
        0,
        "chain0",
        "group0",
        507,
    )
    assert len(data.nonce) == 77 and data.nonce.isdigit()
    assert data.to == ""
    assert len(data.input) == 1131
    # the gm HelloWorld bytecode dispatches on the SM3 selectors of get() and set(string)
    assert SM_SUITE.selector("get()") in data.input
    assert SM_SUITE.selector("set(string)") in data.input
    assert '"name":"set"' in data.abi


def test_documented_transaction_re_encodes_to_the_same_bytes(documented_raw: bytes) -> None:
    decoded = decode_transaction(documented_raw, SM_SUITE)
    assert encode_transaction(decoded.data, decoded.data_hash, decoded.signature) == documented_raw


def test_documented_transaction_is_invalid_under_keccak(documented_raw: bytes) -> None:
    with pytest.raises(TransactionDecodeError, match="65 bytes"):
        decode_transaction(documented_raw, ECDSA_SUITE)


def test_field_concatenation_hash_preimage() -> None:
    data = TransactionDataV3(
        chain_id="chain0", group_id="group0", block_limit=600, nonce="42", to="0xab", input=b"\x01"
    )
    expected = (
        (0).to_bytes(4, "big")
        + b"chain0group0"
        + (600).to_bytes(8, "big")
        + b"42"
        + b"0xab"
        + b"\x01"
    )
    assert data.hash_preimage() == expected
    v1 = replace(data, version=1, value="0x1", gas_limit=7)
    v1_expected = (1).to_bytes(4, "big") + expected[4:] + b"0x1" + (7).to_bytes(8, "big")
    assert v1.hash_preimage() == v1_expected
    v2 = replace(v1, version=2, extension=b"\xee")
    assert v2.hash_preimage() == (2).to_bytes(4, "big") + v1_expected[4:] + b"\xee"
    with pytest.raises(TransactionFieldError):
        replace(data, version=3).hash_preimage()


@pytest.mark.parametrize("suite", [SM_SUITE, ECDSA_SUITE], ids=["sm", "ecdsa"])
def test_signature_layout(suite: Any) -> None:
    key = suite.generate_key()
    data = TransactionDataV3(
        chain_id="chain0", group_id="group0", block_limit=10, nonce=random_nonce()
    )
    signed = sign_transaction(data, suite, key)
    if suite is SM_SUITE:
        assert len(signed.signature) == 128
        assert signed.signature[64:] == suite.public_key_of(key)  # r || s || pub
    else:
        assert len(signed.signature) == 65
        assert signed.signature[64] in (0, 1)  # r || s || v
    assert signed.sender == suite.address_of_key(key)
    assert signed.tx_hash == signed.data_hash == data.data_hash(suite)


text = st.text(max_size=40)
quantity = st.one_of(st.just(""), st.integers(min_value=0, max_value=(1 << 256) - 1).map(hex))


@st.composite
def data_strategy(draw: st.DrawFn) -> TransactionDataV3:
    """Any valid 3.x transaction: the fields of later versions than its own stay empty."""
    version = draw(st.integers(min_value=0, max_value=2))
    later: dict[str, Any] = {}
    if version >= 1:
        later = {
            "value": draw(quantity),
            "gas_price": draw(quantity),
            "gas_limit": draw(st.integers(min_value=0, max_value=(1 << 63) - 1)),
            "max_fee_per_gas": draw(quantity),
            "max_priority_fee_per_gas": draw(quantity),
        }
    if version >= 2:
        later["extension"] = draw(st.binary(max_size=40))
    return TransactionDataV3(
        chain_id=draw(text),
        group_id=draw(text),
        block_limit=draw(st.integers(min_value=0, max_value=(1 << 63) - 1)),
        nonce=str(draw(st.integers(min_value=0, max_value=(1 << 256) - 1))),
        to=draw(
            st.one_of(
                st.just(""), st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
            )
        ),
        input=draw(st.binary(max_size=400)),
        abi=draw(st.text(max_size=300)),
        version=version,
        **later,
    )


KEYS = {"sm": SM_SUITE.generate_key(), "ecdsa": ECDSA_SUITE.generate_key()}


@settings(max_examples=60, deadline=None)
@given(data=data_strategy(), suite_name=st.sampled_from(["sm", "ecdsa"]))
def test_tars_encode_decode_round_trip(data: TransactionDataV3, suite_name: str) -> None:
    suite = SM_SUITE if suite_name == "sm" else ECDSA_SUITE
    signed = sign_transaction(data, suite, KEYS[suite_name])
    decoded = decode_transaction(signed.raw, suite)
    assert decoded.data == data
    assert decoded.signature_valid
    assert decoded.sender == signed.sender
    assert decoded.raw == signed.raw


@settings(max_examples=60, deadline=None)
@given(data=st.data(), suite_name=st.sampled_from(["sm", "ecdsa"]))
def test_tampering_any_field_breaks_the_signature(data: st.DataObject, suite_name: str) -> None:
    suite = SM_SUITE if suite_name == "sm" else ECDSA_SUITE
    original = TransactionDataV3(
        chain_id="chain0",
        group_id="group0",
        block_limit=100,
        nonce="1",
        to="0x" + "11" * 20,
        input=b"\x01\x02",
        abi="[]",
    )
    signed = sign_transaction(original, suite, KEYS[suite_name])
    name = data.draw(
        st.sampled_from(["chain_id", "group_id", "block_limit", "nonce", "to", "input", "abi"])
    )
    current = getattr(original, name)
    if isinstance(current, int):
        new: Any = data.draw(
            st.integers(min_value=0, max_value=1 << 40).filter(lambda v: v != current)
        )
    elif isinstance(current, bytes):
        new = data.draw(st.binary(max_size=10).filter(lambda v: v != current))
    else:
        new = data.draw(st.text(max_size=10).filter(lambda v: v != current))
    tampered = replace(original, **{name: new})
    # keep the original hash and signature, as an attacker would
    raw = encode_transaction(tampered, signed.data_hash, signed.signature)
    decoded = decode_transaction(raw, suite)
    assert not (decoded.signature_valid and decoded.sender == signed.sender)


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1),
    blob=st.binary(max_size=600),
    tag=st.integers(min_value=3, max_value=255),
)
def test_tars_primitives_round_trip(number: int, blob: bytes, tag: int) -> None:
    writer = TarsWriter()
    writer.write_int(0, number)
    writer.write_string(1, blob)
    writer.write_bytes(2, blob)
    writer.struct_begin(tag)
    writer.write_int(1, number)
    writer.struct_end()
    assert decode_fields(writer.getvalue()) == {0: number, 1: blob, 2: blob, tag: {1: number}}


def test_tars_integer_widths_and_zero() -> None:
    cases = {
        0: "0c",
        1: "0001",
        -128: "0080",
        128: "010080",
        1 << 16: "0200010000",
        1 << 40: "030000010000000000",
    }
    for value, encoded in cases.items():
        writer = TarsWriter()
        writer.write_int(0, value)
        assert writer.getvalue().hex() == encoded


def test_tars_large_tag_uses_an_extra_byte() -> None:
    writer = TarsWriter()
    writer.write_int(20, 5)
    assert writer.getvalue().hex() == "f01405"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (bytes.fromhex("1a"), "not closed"),
        (bytes.fromhex("0b"), "outside a struct"),
        (bytes.fromhex("06"), "ends inside"),
        (bytes.fromhex("0605ab"), "ends inside"),
        (bytes.fromhex("0d000010ab"), "past the end"),
        (bytes.fromhex("0d0100"), "simple list holds bytes"),
        (bytes.fromhex("04"), "unsupported"),
        (bytes.fromhex("0c0c"), "twice"),
        (bytes.fromhex("0c"), "starts with its TransactionData"),
    ],
)
def test_malformed_tars_is_rejected(raw: bytes, message: str) -> None:
    with pytest.raises(TransactionDecodeError, match=message):
        decode_transaction(raw, SM_SUITE)


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise_transaction_decode_error(raw: bytes) -> None:
    for suite in (SM_SUITE, ECDSA_SUITE):
        try:
            decode_transaction(b"\x1a" + raw, suite)
        except TransactionDecodeError:
            continue


def _tars_transaction(version: int, block_limit: int, signature: bytes) -> bytes:
    writer = TarsWriter()
    writer.struct_begin(1)
    writer.write_int(1, version)
    writer.write_string(2, b"chain0")
    writer.write_string(3, b"group0")
    writer.write_int(4, block_limit)
    writer.write_string(5, b"1")
    writer.struct_end()
    writer.write_bytes(2, bytes(32))
    writer.write_bytes(3, signature)
    return writer.getvalue()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_tars_transaction(5, 1, bytes(128)), "out of range"),
        (_tars_transaction(0, -1, bytes(128)), "out of range"),
        (_tars_transaction(0, 1, b"abc"), "128 bytes"),
    ],
)
def test_well_formed_tars_with_bad_values_is_rejected(raw: bytes, message: str) -> None:
    with pytest.raises(TransactionDecodeError, match=message):
        decode_transaction(raw, SM_SUITE)


def test_wrong_data_hash_is_not_a_valid_transaction() -> None:
    data = TransactionDataV3(chain_id="chain0", group_id="group0", block_limit=9, nonce="7")
    signed = sign_transaction(data, SM_SUITE, KEYS["sm"])
    forged = encode_transaction(data, bytes(32), signed.signature)
    decoded = decode_transaction(forged, SM_SUITE)
    assert decoded.data_hash == signed.data_hash  # recomputed, as the node does
    assert not decoded.signature_valid
