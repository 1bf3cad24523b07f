"""SM2 known answers from the FISCO BCOS python-sdk vectors (tests/data/), checked over every
available backend: Z_A, e, signatures made by the SDK, public keys and addresses."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway.crypto import _sm2_curve
from gateway.crypto.backend import Sm2SignBackend, Sm2VerifyBackend
from gateway.crypto.hashing import sm3
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def test_public_keys_and_addresses_of_accounts(accounts: Any) -> None:
    for account in accounts["gm"]["accounts"]:
        key = Sm2PrivateKey.from_bytes(_hex(account["private_key"]))
        assert key.public_key.to_bytes() == _hex(account["public_key"])
        assert "0x" + sm3(key.public_key.to_bytes())[12:].hex() == account["address_lower"]


def test_z_value_and_digest_match_sdk(transactions: Any) -> None:
    for record in transactions["gm"]:
        public = Sm2PublicKey.from_bytes(_hex(record["public_key"]))
        assert public.z_value() == _hex(record["sm2_za"])
        assert public.z_value(DEFAULT_USER_ID) == _hex(record["sm2_za"])
        assert public.message_digest(_hex(record["signing_hash"])) == _hex(record["sm2_e"])


def test_sdk_signatures_verify(transactions: Any, verify_backend: Sm2VerifyBackend) -> None:
    for record in transactions["gm"]:
        public = Sm2PublicKey.from_bytes(_hex(record["public_key"]), backend=verify_backend)
        signature = Sm2Signature(int(record["r"], 16), int(record["s"], 16))
        message = _hex(record["signing_hash"])
        assert public.verify(message, signature)
        assert not public.verify(message, signature, user_id=b"1234567812345679")
        assert not public.verify(message[:-1] + bytes([message[-1] ^ 1]), signature)


def test_node_documented_transaction_verifies_with_v_as_public_key(
    transactions: Any, verify_backend: Sm2VerifyBackend
) -> None:
    for record in transactions["doc_raw_transactions"]["gm"]:
        decoded = record["decoded_by_sdk"]
        public = Sm2PublicKey.from_bytes(_hex(decoded["v"]), backend=verify_backend)
        signature = Sm2Signature(int(decoded["r"], 16), int(decoded["s"], 16))
        assert public.verify(_hex(record["signing_hash"]), signature)
        assert "0x" + sm3(public.to_bytes())[12:].hex() == record["sender_address"]
        # Without Z (signing the bare hash) the same signature is not valid.
        assert not public.verify_digest(_hex(record["signing_hash"]), signature)


def test_reference_reproduces_sdk_signature_from_pinned_nonce(transactions: Any) -> None:
    for record in transactions["gm"]:
        d = int(record["private_key"], 16)
        e = int(record["sm2_e"], 16)
        r, s = _sm2_curve.sign_digest(d, e, nonce=int(record["sm2_k"], 16))
        assert (r, s) == (int(record["r"], 16), int(record["s"], 16))


def test_public_key_with_leading_zero_byte_keeps_64_bytes(
    sign_backend: Sm2SignBackend, verify_backend: Sm2VerifyBackend
) -> None:
    # The vectors' key #4 was chosen so that its public key starts with 0x00.
    seed = hashlib.sha256(b"fisco-vectors-gm-leading-zero-78").digest()
    key = Sm2PrivateKey.from_bytes(seed, backend=sign_backend)
    encoded = key.public_key.to_bytes()
    assert len(encoded) == 64
    assert encoded[0] == 0
    public = Sm2PublicKey.from_bytes(encoded, backend=verify_backend)
    assert public.verify(b"leading zero", key.sign(b"leading zero"))
    assert public.to_sec1() == b"\x04" + encoded


@pytest.mark.parametrize("name", ["call_set_string_sdk_test_fields"])
def test_signature_encodings_of_a_vector(transactions: Any, name: str) -> None:
    record = next(r for r in transactions["gm"] if r["name"] == name)
    signature = Sm2Signature(int(record["r"], 16), int(record["s"], 16))
    assert signature.to_raw() == _hex(record["r"]) + _hex(record["s"])
    assert Sm2Signature.from_der(signature.to_der()) == signature
    # s has its top bit set, so DER prepends a zero byte to keep INTEGER s positive.
    assert signature.to_der()[:2] == bytes([0x30, 0x45])
