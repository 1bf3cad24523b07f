"""Signatures by named parties (the gateway, member departments) over canonical JSON.

An entry names the signer (a member code or ``gateway``), its suite (``sm``: SM2 over
SM3(Z_A ‖ message), GB/T 32918.2; ``ecdsa``: secp256k1 over Keccak-256(message)), its public
key and key id (FISCO BCOS address), and the signature, all in hex: everything a verifier
needs besides the message.
"""

from __future__ import annotations

from typing import Any

from gateway.crypto.errors import CryptoError
from gateway.crypto.secp256k1 import Secp256k1PublicKey
from gateway.crypto.signing import PrivateKey, PublicKey, address_of, signer_for, verifier_for
from gateway.crypto.sm2 import Sm2PublicKey


def sign_as(party: str, key: PrivateKey, message: bytes) -> dict[str, Any]:
    signer = signer_for(key)
    return {
        "party": party,
        "suite": signer.suite,
        "key_id": signer.key_id,
        "public_key": "0x" + signer.public_key.hex(),
        "signature": "0x" + signer.sign(message).hex(),
    }


def public_key_of(entry: dict[str, Any]) -> PublicKey | None:
    try:
        raw = bytes.fromhex(str(entry["public_key"]).removeprefix("0x"))
        key: PublicKey = (
            Sm2PublicKey.from_bytes(raw)
            if entry["suite"] == "sm"
            else Secp256k1PublicKey.from_bytes(raw)
        )
    except (KeyError, ValueError, CryptoError):
        return None
    return key


def signature_valid(
    entry: dict[str, Any], message: bytes, expected_key: bytes | None = None
) -> bool:
    """The entry's signature verifies under its key (and that key is ``expected_key``, and its
    key id is that key's address)."""
    key = public_key_of(entry)
    if key is None:
        return False
    if expected_key is not None and key.to_bytes() != expected_key[-64:]:
        return False
    if entry.get("key_id") != address_of(key):
        return False
    try:
        signature = bytes.fromhex(str(entry["signature"]).removeprefix("0x"))
    except (KeyError, ValueError):
        return False
    return verifier_for(key).verify(message, signature)
