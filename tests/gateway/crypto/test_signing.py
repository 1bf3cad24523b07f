"""Signer / Verifier / KeyPair: what evidence, receipts and OAuth build on."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.crypto.hashing import keccak256
from gateway.crypto.keypair import KeyPair
from gateway.crypto.secp256k1 import EcdsaSignature, Secp256k1PrivateKey
from gateway.crypto.signing import Signer, address_of, signer_for, verifier_for
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2Signature


@pytest.mark.parametrize("suite", ["sm", "ecdsa"])
def test_key_pair_signer_and_verifier(suite: Any) -> None:
    pair = KeyPair.generate(suite)
    signer: Signer = pair.signer()
    signature = signer.sign(b"receipt")
    assert signer.suite == suite == pair.suite
    assert signer.key_id == pair.address
    assert signer.public_key == pair.public_key.to_bytes()
    verifier = pair.verifier()
    assert verifier.verify(b"receipt", signature)
    assert not verifier.verify(b"receipt!", signature)
    assert not verifier.verify(b"receipt", signature[:-1])
    assert not verifier.verify(b"receipt", b"\x00" * len(signature))


def test_sm2_signer_records_user_id_and_signs_raw_rs() -> None:
    key = Sm2PrivateKey.generate()
    signer = signer_for(key, user_id=b"gw-01", key_id="gateway-2026")
    assert (signer.user_id, signer.key_id) == (b"gw-01", "gateway-2026")
    raw = signer.sign(b"m")
    assert len(raw) == 64
    assert key.public_key.verify(b"m", Sm2Signature.from_raw(raw), user_id=b"gw-01")
    assert not verifier_for(key.public_key).verify(b"m", raw)  # default ID differs
    assert verifier_for(key.public_key, b"gw-01").verify(b"m", raw)


def test_ecdsa_signer_signs_keccak_of_message() -> None:
    key = Secp256k1PrivateKey.generate()
    signer = signer_for(key)
    assert signer.user_id is None
    signature = EcdsaSignature.from_raw65(signer.sign(b"m"))
    assert key.public_key.verify_digest(keccak256(b"m"), signature)


def test_addresses_of_both_suites(accounts: Any) -> None:
    for suite, key_type in (("gm", Sm2PrivateKey), ("ecdsa", Secp256k1PrivateKey)):
        for account in accounts[suite]["accounts"]:
            key = key_type.from_bytes(bytes.fromhex(account["private_key"][2:]))
            assert address_of(key.public_key) == account["address_lower"]
            assert KeyPair(key).describe() == {
                "suite": "sm" if suite == "gm" else "ecdsa",
                "public_key": account["public_key"][2:],
                "address": account["address_lower"],
            }


def test_unknown_suite_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown crypto suite"):
        KeyPair.generate("rsa")  # type: ignore[arg-type]


def test_key_pair_repr_hides_private_key() -> None:
    pair = KeyPair.generate("sm")
    assert pair.private_key.to_bytes().hex() not in repr(pair)
