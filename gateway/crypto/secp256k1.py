"""secp256k1 ECDSA (SEC 1, SEC 2) for non-guomi FISCO BCOS chains, through coincurve
(libsecp256k1).

Signatures are RFC 6979 deterministic and normalised to low s (s ≤ n/2), as FISCO BCOS and
Ethereum require; verification rejects high-s signatures so one message has one valid
signature per key. Signing and verification take a 32-byte digest: the caller hashes
(Keccak-256 for FISCO BCOS transactions).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import coincurve

from gateway.crypto import _der
from gateway.crypto.errors import InvalidKeyError, InvalidSignatureEncoding

CURVE_ORDER: int = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
CURVE_OID: str = "1.3.132.0.10"
_HALF_ORDER = CURVE_ORDER // 2


def _no_hash(data: bytes) -> bytes:
    return data


def _check_digest(digest: bytes) -> bytes:
    if len(digest) != 32:
        raise ValueError("an ECDSA digest is 32 bytes")
    return bytes(digest)


@dataclass(frozen=True)
class EcdsaSignature:
    """(r, s) and the recovery id that lets the public key be recovered (0 or 1; 2 and 3
    are possible but vanishingly rare)."""

    r: int
    s: int
    recovery_id: int

    def __post_init__(self) -> None:
        if not (1 <= self.r < CURVE_ORDER and 1 <= self.s < CURVE_ORDER):
            raise InvalidSignatureEncoding("ECDSA r and s must be in [1, n-1]")
        if self.recovery_id not in (0, 1, 2, 3):
            raise InvalidSignatureEncoding("ECDSA recovery id must be 0..3")

    @property
    def is_low_s(self) -> bool:
        return self.s <= _HALF_ORDER

    def to_raw65(self) -> bytes:
        """65 bytes r ‖ s ‖ recovery_id (FISCO BCOS adds 27 to get the transaction's v)."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.recovery_id])

    def to_der(self) -> bytes:
        return _der.encode_signature(self.r, self.s)

    @classmethod
    def from_raw65(cls, data: bytes) -> EcdsaSignature:
        if len(data) != 65:
            raise InvalidSignatureEncoding("a raw ECDSA signature is 65 bytes r || s || v")
        return cls(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big"), data[64])


class Secp256k1PublicKey:
    """A secp256k1 point (validated by libsecp256k1)."""

    __slots__ = ("_bytes", "_key")

    def __init__(self, key: coincurve.PublicKey) -> None:
        self._key = key
        self._bytes = key.format(compressed=False)[1:]

    @classmethod
    def from_bytes(cls, data: bytes) -> Secp256k1PublicKey:
        """From 64-byte X ‖ Y or 65-byte 04 ‖ X ‖ Y (compressed 33-byte keys too)."""
        data = bytes(data)
        if len(data) == 64:
            data = b"\x04" + data
        if len(data) not in (33, 65) or (len(data) == 65 and data[0] != 0x04):
            raise InvalidKeyError(
                "a secp256k1 public key is 64 bytes X || Y or 65 bytes 04 || X || Y"
            )
        try:
            return cls(coincurve.PublicKey(data))
        except ValueError as exc:
            raise InvalidKeyError("point is not on secp256k1") from exc

    def to_bytes(self) -> bytes:
        return self._bytes

    def to_sec1(self) -> bytes:
        return b"\x04" + self._bytes

    def verify_digest(self, digest: bytes, signature: EcdsaSignature) -> bool:
        """True only for a valid low-s signature of ``digest`` by this key."""
        if not isinstance(signature, EcdsaSignature) or len(digest) != 32:
            return False
        if not signature.is_low_s:
            return False
        try:
            return bool(self._key.verify(signature.to_der(), bytes(digest), hasher=_no_hash))
        except ValueError:
            return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secp256k1PublicKey) and other._bytes == self._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"Secp256k1PublicKey({self._bytes.hex()})"


class Secp256k1PrivateKey:
    """A secp256k1 private key d ∈ [1, n-1]."""

    __slots__ = ("_key", "_public")

    def __init__(self, key: coincurve.PrivateKey) -> None:
        self._key = key
        self._public: Secp256k1PublicKey | None = None

    @classmethod
    def generate(cls) -> Secp256k1PrivateKey:
        return cls.from_bytes((1 + secrets.randbelow(CURVE_ORDER - 1)).to_bytes(32, "big"))

    @classmethod
    def from_bytes(cls, data: bytes) -> Secp256k1PrivateKey:
        if len(data) != 32 or not 1 <= int.from_bytes(data, "big") < CURVE_ORDER:
            raise InvalidKeyError("a secp256k1 private key is 32 bytes in [1, n-1]")
        return cls(coincurve.PrivateKey(bytes(data)))

    def to_bytes(self) -> bytes:
        return bytes(self._key.secret)

    @property
    def public_key(self) -> Secp256k1PublicKey:
        if self._public is None:
            self._public = Secp256k1PublicKey(self._key.public_key)
        return self._public

    def sign_digest(self, digest: bytes) -> EcdsaSignature:
        """RFC 6979 deterministic, low-s signature of a 32-byte digest."""
        raw = self._key.sign_recoverable(_check_digest(digest), hasher=None)
        return EcdsaSignature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secp256k1PrivateKey) and secrets.compare_digest(
            other.to_bytes(), self.to_bytes()
        )

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        return f"Secp256k1PrivateKey(public_key={self.public_key.to_bytes().hex()})"


def recover_public_key(digest: bytes, signature: EcdsaSignature) -> Secp256k1PublicKey:
    """The public key that made ``signature`` over ``digest`` (raises InvalidSignatureEncoding
    if none does)."""
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            signature.to_raw65(), _check_digest(digest), hasher=None
        )
    except ValueError as exc:
        raise InvalidSignatureEncoding("no public key recovers from this signature") from exc
    return Secp256k1PublicKey(key)
