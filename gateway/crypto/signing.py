"""Small signing interfaces used by everything above the primitives (evidence receipts,
exports, OAuth assertions): a :class:`Signer` signs messages, a :class:`Verifier` checks them.

A signature travels as bytes: SM2 as raw r ‖ s (64 bytes) over SM3(Z_A ‖ message) with the
signer's user ID; secp256k1 as r ‖ s ‖ recovery_id (65 bytes) over Keccak-256(message).
Whoever stores a signature stores ``suite``, ``key_id`` and ``user_id`` next to it, which is
all a verifier needs besides the public key.
"""

from __future__ import annotations

from typing import Literal, Protocol

from gateway.crypto.errors import InvalidSignatureEncoding
from gateway.crypto.hashing import keccak256, sm3
from gateway.crypto.secp256k1 import (
    EcdsaSignature,
    Secp256k1PrivateKey,
    Secp256k1PublicKey,
)
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature

Suite = Literal["sm", "ecdsa"]
PrivateKey = Sm2PrivateKey | Secp256k1PrivateKey
PublicKey = Sm2PublicKey | Secp256k1PublicKey


def suite_of(key: PrivateKey | PublicKey) -> Suite:
    """``sm`` for SM2 keys, ``ecdsa`` for secp256k1 keys (FISCO BCOS's two crypto suites)."""
    return "sm" if isinstance(key, Sm2PrivateKey | Sm2PublicKey) else "ecdsa"


def address_of(public_key: PublicKey) -> str:
    """FISCO BCOS account address: the last 20 bytes of the suite hash (SM3 for ``sm``,
    Keccak-256 for ``ecdsa``) of the 64-byte public key, as lower-case ``0x`` hex."""
    encoded = public_key.to_bytes()
    digest = sm3(encoded) if isinstance(public_key, Sm2PublicKey) else keccak256(encoded)
    return "0x" + digest[12:].hex()


class Signer(Protocol):
    """Signs messages with one key; says which key and (SM2) which user ID it used."""

    @property
    def suite(self) -> Suite: ...

    @property
    def key_id(self) -> str: ...

    @property
    def user_id(self) -> bytes | None: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    """Checks signatures made by a :class:`Signer`; False for anything invalid."""

    @property
    def suite(self) -> Suite: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


class Sm2Signer:
    """SM2 (GB/T 32918.2) over SM3(Z_A ‖ message); signatures are raw r ‖ s."""

    suite: Suite = "sm"

    def __init__(
        self,
        private_key: Sm2PrivateKey,
        user_id: bytes = DEFAULT_USER_ID,
        key_id: str | None = None,
    ) -> None:
        self._key = private_key
        self._user_id = bytes(user_id)
        self._key_id = key_id or address_of(private_key.public_key)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def user_id(self) -> bytes:
        return self._user_id

    @property
    def public_key(self) -> bytes:
        return self._key.public_key.to_bytes()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, self._user_id).to_raw()


class Sm2Verifier:
    """Verifies raw r ‖ s SM2 signatures under one public key and user ID."""

    suite: Suite = "sm"

    def __init__(self, public_key: Sm2PublicKey, user_id: bytes = DEFAULT_USER_ID) -> None:
        self._key = public_key
        self._user_id = bytes(user_id)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            parsed = Sm2Signature.from_raw(signature)
        except InvalidSignatureEncoding:
            return False
        return self._key.verify(message, parsed, self._user_id)


class EcdsaSigner:
    """secp256k1 ECDSA over Keccak-256(message); signatures are r ‖ s ‖ recovery_id."""

    suite: Suite = "ecdsa"
    user_id = None

    def __init__(self, private_key: Secp256k1PrivateKey, key_id: str | None = None) -> None:
        self._key = private_key
        self._key_id = key_id or address_of(private_key.public_key)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_key(self) -> bytes:
        return self._key.public_key.to_bytes()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign_digest(keccak256(message)).to_raw65()


class EcdsaVerifier:
    """Verifies 65-byte secp256k1 signatures over Keccak-256(message) (low s only)."""

    suite: Suite = "ecdsa"

    def __init__(self, public_key: Secp256k1PublicKey) -> None:
        self._key = public_key

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            parsed = EcdsaSignature.from_raw65(signature)
        except InvalidSignatureEncoding:
            return False
        return self._key.verify_digest(keccak256(message), parsed)


def signer_for(
    private_key: PrivateKey, user_id: bytes = DEFAULT_USER_ID, key_id: str | None = None
) -> Signer:
    """The :class:`Signer` of a private key of either suite (``user_id`` applies to SM2)."""
    if isinstance(private_key, Sm2PrivateKey):
        return Sm2Signer(private_key, user_id, key_id)
    return EcdsaSigner(private_key, key_id)


def verifier_for(public_key: PublicKey, user_id: bytes = DEFAULT_USER_ID) -> Verifier:
    """The :class:`Verifier` of a public key of either suite."""
    if isinstance(public_key, Sm2PublicKey):
        return Sm2Verifier(public_key, user_id)
    return EcdsaVerifier(public_key)


__all__ = [
    "EcdsaSigner",
    "EcdsaVerifier",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "Sm2Signer",
    "Sm2Verifier",
    "Suite",
    "Verifier",
    "address_of",
    "signer_for",
    "suite_of",
    "verifier_for",
]
