"""secp256k1 ECDSA: FISCO BCOS vectors (RFC 6979 + low-s reproduce the SDK's signatures),
recovery, low-s enforcement and rejection of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from ecdsa import SECP256k1, VerifyingKey
from ecdsa.util import sigdecode_string
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto.errors import InvalidKeyError, InvalidSignatureEncoding
from gateway.crypto.hashing import keccak256
from gateway.crypto.secp256k1 import (
    CURVE_ORDER,
    EcdsaSignature,
    Secp256k1PrivateKey,
    Secp256k1PublicKey,
    recover_public_key,
)

N = CURVE_ORDER


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def test_accounts_public_keys_and_addresses(accounts: Any) -> None:
    for account in accounts["ecdsa"]["accounts"]:
        key = Secp256k1PrivateKey.from_bytes(_hex(account["private_key"]))
        assert key.public_key.to_bytes() == _hex(account["public_key"])
        assert "0x" + keccak256(key.public_key.to_bytes())[12:].hex() == account["address_lower"]


def test_sdk_transaction_signatures_are_reproduced(transactions: Any) -> None:
    for record in transactions["ecdsa"]:
        key = Secp256k1PrivateKey.from_bytes(_hex(record["private_key"]))
        digest = _hex(record["signing_hash"])
        signature = key.sign_digest(digest)
        assert (signature.r, signature.s) == (int(record["r"], 16), int(record["s"], 16))
        assert signature.recovery_id == record["recovery_id"]
        assert int(record["v"], 16) == 27 + signature.recovery_id
        assert key.public_key.verify_digest(digest, signature)
        recovered = recover_public_key(digest, signature)
        assert "0x" + keccak256(recovered.to_bytes())[12:].hex() == (
            record["recovered_address"].lower()
        )


def test_documented_node_transaction_recovers_sender(transactions: Any) -> None:
    for record in transactions["doc_raw_transactions"]["ecdsa"]:
        decoded = record["decoded_by_sdk"]
        signature = EcdsaSignature(
            int(decoded["r"], 16), int(decoded["s"], 16), int(decoded["v"], 16) - 27
        )
        public = recover_public_key(_hex(record["signing_hash"]), signature)
        sender = "0x" + keccak256(public.to_bytes())[12:].hex()
        assert sender == record["recovered_sender_address"].lower()


def test_high_s_signature_is_rejected_but_low_s_twin_accepted() -> None:
    key = Secp256k1PrivateKey.generate()
    digest = keccak256(b"tx")
    signature = key.sign_digest(digest)
    assert signature.is_low_s
    twin = EcdsaSignature(signature.r, N - signature.s, signature.recovery_id ^ 1)
    assert not twin.is_low_s
    assert not key.public_key.verify_digest(digest, twin)
    assert key.public_key.verify_digest(digest, signature)


def test_independent_verifier_accepts_our_signatures() -> None:
    key = Secp256k1PrivateKey.generate()
    digest = keccak256(b"independent")
    signature = key.sign_digest(digest)
    verifier = VerifyingKey.from_string(key.public_key.to_bytes(), curve=SECP256k1)
    raw = signature.to_raw65()[:64]
    assert verifier.verify_digest(raw, digest, sigdecode=sigdecode_string)
    assert sigdecode_string(raw, N) == (signature.r, signature.s)


@pytest.mark.parametrize("scalar", [0, N, 2**256 - 1])
def test_out_of_range_private_keys_are_rejected(scalar: int) -> None:
    with pytest.raises(InvalidKeyError):
        Secp256k1PrivateKey.from_bytes(scalar.to_bytes(32, "big"))


def test_bad_public_keys_are_rejected() -> None:
    good = Secp256k1PrivateKey.generate().public_key.to_bytes()
    for data in (good[:-1] + bytes([good[-1] ^ 1]), bytes(64), b"\x05" + good, good[:10]):
        with pytest.raises(InvalidKeyError):
            Secp256k1PublicKey.from_bytes(data)


@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (N, 1), (1, N)], ids=str)
def test_out_of_range_signatures_are_rejected(r: int, s: int) -> None:
    with pytest.raises(InvalidSignatureEncoding):
        EcdsaSignature.from_raw65(r.to_bytes(32, "big") + s.to_bytes(32, "big") + b"\x00")


def test_raw65_round_trip_and_bad_recovery_id() -> None:
    signature = Secp256k1PrivateKey.generate().sign_digest(bytes(32))
    assert EcdsaSignature.from_raw65(signature.to_raw65()) == signature
    with pytest.raises(InvalidSignatureEncoding):
        EcdsaSignature.from_raw65(signature.to_raw65()[:64] + b"\x1b")
    with pytest.raises(InvalidSignatureEncoding):
        EcdsaSignature.from_raw65(signature.to_raw65()[:64])


def test_digest_length_is_checked() -> None:
    key = Secp256k1PrivateKey.generate()
    with pytest.raises(ValueError, match="32 bytes"):
        key.sign_digest(b"short")
    assert not key.public_key.verify_digest(b"short", key.sign_digest(bytes(32)))


@settings(max_examples=50, deadline=None)
@given(digest=st.binary(min_size=32, max_size=32), flip=st.integers(0, 255))
def test_property_sign_verify_recover(digest: bytes, flip: int) -> None:
    key = Secp256k1PrivateKey.generate()
    signature = key.sign_digest(digest)
    assert key.public_key.verify_digest(digest, signature)
    assert recover_public_key(digest, signature) == key.public_key
    tampered = bytearray(digest)
    tampered[flip // 8] ^= 1 << (flip % 8)
    assert not key.public_key.verify_digest(bytes(tampered), signature)
