"""Crypto suites of FISCO BCOS chains: one object per chain, never a process-wide switch.

A guomi (国密) chain hashes with SM3 (GB/T 32905) and signs with SM2 (GB/T 32918, user ID
``1234567812345678``, signature over ``SM3(Z_A || message)``); a standard chain hashes with
Keccak-256 and signs with secp256k1 ECDSA (low-s, recoverable). The suite hash is used
everywhere the chain hashes: transaction hashes, addresses, checksums, selectors and topics.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TypeAlias

from gateway.chain.errors import InvalidAddress, SuiteMismatch
from gateway.chain.hexutil import parse_address, strip_0x
from gateway.crypto.errors import InvalidKeyError, InvalidSignatureEncoding
from gateway.crypto.hashing import keccak256, sm3
from gateway.crypto.secp256k1 import (
    EcdsaSignature,
    Secp256k1PrivateKey,
    Secp256k1PublicKey,
    recover_public_key,
)
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey, Sm2Signature

PrivateKey: TypeAlias = Sm2PrivateKey | Secp256k1PrivateKey

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


@dataclass(frozen=True)
class SuiteSignature:
    """A transaction signature in suite-neutral form.

    ``public_key`` is the signer's 64-byte ``X||Y``; ``recovery_id`` is set for ECDSA only
    (FISCO 2.x writes ``v = 27 + recovery_id``, 3.x appends it as a 65th byte).
    """

    r: int
    s: int
    public_key: bytes
    recovery_id: int | None = None


class CryptoSuite(ABC):
    """Hash, signature scheme and address rules of one chain."""

    name: str
    curve_order: int

    @abstractmethod
    def hash(self, data: bytes) -> bytes:
        """The chain hash: SM3 on guomi chains, Keccak-256 otherwise."""

    @abstractmethod
    def generate_key(self) -> PrivateKey:
        """A new private key from the operating system's CSPRNG."""

    @abstractmethod
    def load_key(self, private_key_bytes: bytes) -> PrivateKey:
        """The private key whose 32-byte big-endian scalar is ``private_key_bytes``."""

    @abstractmethod
    def public_key_of(self, private_key: PrivateKey) -> bytes:
        """64-byte ``X||Y`` public key of ``private_key`` (leading zero bytes kept)."""

    @abstractmethod
    def sign_hash(self, private_key: PrivateKey, digest: bytes) -> SuiteSignature:
        """Sign a 32-byte transaction signing hash the way a FISCO node verifies it."""

    @abstractmethod
    def verify_hash(self, public_key: bytes, digest: bytes, r: int, s: int) -> bool:
        """True if ``(r, s)`` is a valid signature of ``digest`` by ``public_key``."""

    def address_of(self, public_key: bytes) -> bytes:
        """20-byte account address: the last 20 bytes of ``hash(X||Y)``."""
        if len(public_key) == 65 and public_key[0] == 4:
            public_key = public_key[1:]
        if len(public_key) != 64:
            raise ValueError(f"a public key has 64 bytes (X||Y), got {len(public_key)}")
        return self.hash(public_key)[12:]

    def address_of_key(self, private_key: PrivateKey) -> bytes:
        return self.address_of(self.public_key_of(private_key))

    def checksum_address(self, address: bytes) -> str:
        """EIP-55 mixed-case form computed with the suite hash (SM3 on guomi chains)."""
        if len(address) != 20:
            raise ValueError(f"an address has 20 bytes, got {len(address)}")
        lower = address.hex()
        nibbles = self.hash(lower.encode("ascii")).hex()
        return "0x" + "".join(
            ch.upper() if ch.isalpha() and int(nibbles[i], 16) >= 8 else ch
            for i, ch in enumerate(lower)
        )

    def parse_address(self, text: str) -> bytes:
        """Parse an address; a mixed-case one must carry this suite's checksum."""
        try:
            raw = parse_address(text)
        except ValueError as exc:
            raise InvalidAddress(str(exc)) from exc
        body = strip_0x(text.strip())
        mixed_case = body not in (body.lower(), body.upper())
        if mixed_case and self.checksum_address(raw)[2:] != body:
            raise InvalidAddress(f"address checksum does not match the {self.name} suite: {text}")
        return raw

    def selector(self, signature: str) -> bytes:
        """Function selector: the first 4 bytes of the suite hash of the canonical signature."""
        return self.hash(signature.encode("utf-8"))[:4]

    def event_topic(self, signature: str) -> bytes:
        """Event topic 0: the suite hash of the canonical event signature."""
        return self.hash(signature.encode("utf-8"))

    def __repr__(self) -> str:
        return f"<CryptoSuite {self.name}>"


class SmSuite(CryptoSuite):
    """SM2 + SM3 (guomi). Signatures are over ``SM3(Z_A || signing_hash)`` with the default ID."""

    name = "sm"
    curve_order = SM2_N

    def hash(self, data: bytes) -> bytes:
        return sm3(data)

    def generate_key(self) -> Sm2PrivateKey:
        return Sm2PrivateKey.generate()

    def load_key(self, private_key_bytes: bytes) -> Sm2PrivateKey:
        return Sm2PrivateKey.from_bytes(private_key_bytes)

    def _own(self, private_key: PrivateKey) -> Sm2PrivateKey:
        if not isinstance(private_key, Sm2PrivateKey):
            raise SuiteMismatch("the sm suite signs with an SM2 key")
        return private_key

    def public_key_of(self, private_key: PrivateKey) -> bytes:
        return self._own(private_key).public_key.to_bytes()

    def sign_hash(self, private_key: PrivateKey, digest: bytes) -> SuiteSignature:
        key = self._own(private_key)
        signature = key.sign(digest)
        return SuiteSignature(signature.r, signature.s, key.public_key.to_bytes())

    def verify_hash(self, public_key: bytes, digest: bytes, r: int, s: int) -> bool:
        if not (0 < r < SM2_N and 0 < s < SM2_N):
            return False
        try:
            key = Sm2PublicKey.from_bytes(public_key)
        except InvalidKeyError:
            return False
        return key.verify(digest, Sm2Signature(r, s))


class EcdsaSuite(CryptoSuite):
    """secp256k1 + Keccak-256. Low-s signatures, deterministic per RFC 6979."""

    name = "ecdsa"
    curve_order = SECP256K1_N

    def hash(self, data: bytes) -> bytes:
        return keccak256(data)

    def generate_key(self) -> Secp256k1PrivateKey:
        return Secp256k1PrivateKey.generate()

    def load_key(self, private_key_bytes: bytes) -> Secp256k1PrivateKey:
        return Secp256k1PrivateKey.from_bytes(private_key_bytes)

    def _own(self, private_key: PrivateKey) -> Secp256k1PrivateKey:
        if not isinstance(private_key, Secp256k1PrivateKey):
            raise SuiteMismatch("the ecdsa suite signs with a secp256k1 key")
        return private_key

    def public_key_of(self, private_key: PrivateKey) -> bytes:
        return self._own(private_key).public_key.to_bytes()

    def sign_hash(self, private_key: PrivateKey, digest: bytes) -> SuiteSignature:
        key = self._own(private_key)
        signature = key.sign_digest(digest)
        return SuiteSignature(
            signature.r, signature.s, key.public_key.to_bytes(), signature.recovery_id
        )

    def verify_hash(self, public_key: bytes, digest: bytes, r: int, s: int) -> bool:
        if not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
            return False
        try:
            key = Secp256k1PublicKey.from_bytes(public_key)
        except InvalidKeyError:
            return False
        return key.verify_digest(digest, EcdsaSignature(r, s, 0))

    def recover(self, digest: bytes, r: int, s: int, recovery_id: int) -> bytes | None:
        """64-byte public key that produced ``(r, s, recovery_id)``, or ``None`` if none did.

        FISCO nodes accept only low-s signatures and ``recovery_id`` 0 or 1, so anything else
        is reported as not recoverable.
        """
        if recovery_id not in (0, 1) or not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
            return None
        try:
            key = recover_public_key(digest, EcdsaSignature(r, s, recovery_id))
        except (InvalidKeyError, InvalidSignatureEncoding):
            return None
        return key.to_bytes()


SM_SUITE: CryptoSuite = SmSuite()
ECDSA_SUITE: CryptoSuite = EcdsaSuite()

_SUITES = {"sm": SM_SUITE, "ecdsa": ECDSA_SUITE}


def suite_by_name(name: str) -> CryptoSuite:
    """``"sm"`` (also ``"gm"``, ``"guomi"``) or ``"ecdsa"``."""
    key = name.strip().lower()
    key = "sm" if key in ("gm", "guomi", "sm2") else key
    try:
        return _SUITES[key]
    except KeyError as exc:
        raise ValueError(f"unknown crypto suite {name!r}; use 'sm' or 'ecdsa'") from exc
