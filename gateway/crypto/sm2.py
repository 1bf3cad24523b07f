"""SM2 digital signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) on the sm2p256v1 curve.

A signature covers e = SM3(Z_A ‖ M), where Z_A (GB/T 32918.2 5.5) binds the signer's
distinguishing identifier and public key. The identifier defaults to ``1234567812345678``
(GM/T 0009), which FISCO BCOS and OpenSSL's ``distid`` use; it is an input of every call, so
callers record it wherever a signature is stored. Z_A is cached per key and identifier.

The arithmetic is done by a backend (:mod:`gateway.crypto.backend`): by default the fastest
one that passes its self-test here; a key may be given another explicitly.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from gateway.crypto import _der, _sm2_curve
from gateway.crypto.backend import (
    Sm2SignBackend,
    Sm2VerifyBackend,
    default_sign_backend,
    default_verify_backend,
)
from gateway.crypto.errors import InvalidKeyError, InvalidSignatureEncoding
from gateway.crypto.hashing import sm3

DEFAULT_USER_ID: bytes = b"1234567812345678"
CURVE_ORDER: int = _sm2_curve.N
CURVE_OID: str = _sm2_curve.CURVE_OID
_Z_CACHE_PER_KEY = 16


@dataclass(frozen=True)
class Sm2Signature:
    """An SM2 signature (r, s), both in [1, n-1] (GB/T 32918.2 7.1 B1, B2)."""

    r: int
    s: int

    def __post_init__(self) -> None:
        if not (1 <= self.r < CURVE_ORDER and 1 <= self.s < CURVE_ORDER):
            raise InvalidSignatureEncoding("SM2 signature r and s must be in [1, n-1]")

    def to_raw(self) -> bytes:
        """64 bytes r ‖ s, each big-endian and zero-padded to 32 bytes."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big")

    def to_der(self) -> bytes:
        """DER ``SEQUENCE { INTEGER r, INTEGER s }`` (GB/T 35276, as OpenSSL writes it)."""
        return _der.encode_signature(self.r, self.s)

    @classmethod
    def from_raw(cls, data: bytes) -> Sm2Signature:
        if len(data) != 64:
            raise InvalidSignatureEncoding("a raw SM2 signature is 64 bytes r || s")
        return cls(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big"))

    @classmethod
    def from_der(cls, data: bytes) -> Sm2Signature:
        try:
            r, s = _der.decode_signature(data)
        except _der.DerError as exc:
            raise InvalidSignatureEncoding(f"malformed DER SM2 signature: {exc}") from exc
        return cls(r, s)


def _check_user_id(user_id: bytes) -> bytes:
    if not isinstance(user_id, bytes | bytearray):
        raise TypeError("an SM2 user ID is bytes")
    return bytes(user_id)


class Sm2PublicKey:
    """An SM2 public key: a point of sm2p256v1 other than infinity."""

    __slots__ = ("_backend", "_bytes", "_handle", "_x", "_y", "_z_cache")

    def __init__(self, x: int, y: int, *, backend: Sm2VerifyBackend | None = None) -> None:
        if not _sm2_curve.is_on_curve(x, y):
            raise InvalidKeyError("point is not on the SM2 curve")
        self._x = x
        self._y = y
        self._bytes = x.to_bytes(32, "big") + y.to_bytes(32, "big")
        self._backend = backend
        self._handle: object | None = None
        self._z_cache: dict[bytes, bytes] = {}

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: Sm2VerifyBackend | None = None) -> Sm2PublicKey:
        """From 64-byte X ‖ Y or 65-byte SEC 1 uncompressed 04 ‖ X ‖ Y."""
        data = bytes(data)
        if len(data) == 65:
            if data[0] != 0x04:
                raise InvalidKeyError("a 65-byte SM2 public key must start with 0x04")
            data = data[1:]
        elif len(data) != 64:
            raise InvalidKeyError("an SM2 public key is 64 bytes X || Y or 65 bytes 04 || X || Y")
        return cls(
            int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big"), backend=backend
        )

    def to_bytes(self) -> bytes:
        """64 bytes X ‖ Y (each coordinate keeps its leading zero bytes)."""
        return self._bytes

    def to_sec1(self) -> bytes:
        """65 bytes 04 ‖ X ‖ Y (SEC 1 uncompressed)."""
        return b"\x04" + self._bytes

    @property
    def point(self) -> tuple[int, int]:
        return (self._x, self._y)

    def z_value(self, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A), GB/T 32918.2 5.5."""
        user_id = _check_user_id(user_id)
        z = self._z_cache.get(user_id)
        if z is None:
            z = _sm2_curve.z_value(user_id, self._x, self._y)
            if len(self._z_cache) < _Z_CACHE_PER_KEY:  # bounded: IDs may come from callers
                self._z_cache[user_id] = z
        return z

    def message_digest(self, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
        """e = SM3(Z_A ‖ M), the value an SM2 signature actually covers."""
        return sm3(self.z_value(user_id) + message)

    def verify(
        self, message: bytes, signature: Sm2Signature, user_id: bytes = DEFAULT_USER_ID
    ) -> bool:
        """True only for a valid signature of ``message`` by this key under ``user_id``."""
        return self.verify_digest(self.message_digest(message, user_id), signature)

    def verify_digest(self, digest: bytes, signature: Sm2Signature) -> bool:
        """Verify over a precomputed e = SM3(Z_A ‖ M) (e.g. from a FISCO transaction)."""
        if not isinstance(signature, Sm2Signature) or len(digest) != 32:
            return False
        backend = self._backend
        if backend is None:
            backend = self._backend = default_verify_backend()
        handle = self._handle
        if handle is None:
            handle = self._handle = backend.prepare_public(self._bytes)
        return backend.verify_digest(handle, digest, signature.r, signature.s)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sm2PublicKey) and other._bytes == self._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __repr__(self) -> str:
        return f"Sm2PublicKey({self._bytes.hex()})"


class Sm2PrivateKey:
    """An SM2 private key d ∈ [1, n-2] (GB/T 32918.1 6.1)."""

    __slots__ = ("_backend", "_d", "_handle", "_public")

    def __init__(self, d: int, *, backend: Sm2SignBackend | None = None) -> None:
        _sm2_curve.check_private_scalar(d)
        self._d = d
        self._backend = backend
        self._handle: object | None = None
        self._public: Sm2PublicKey | None = None

    @classmethod
    def generate(cls, *, backend: Sm2SignBackend | None = None) -> Sm2PrivateKey:
        """A fresh key from the operating system's CSPRNG."""
        return cls(1 + secrets.randbelow(CURVE_ORDER - 2), backend=backend)

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: Sm2SignBackend | None = None) -> Sm2PrivateKey:
        if len(data) != 32:
            raise InvalidKeyError("an SM2 private key is 32 bytes")
        return cls(int.from_bytes(data, "big"), backend=backend)

    def to_bytes(self) -> bytes:
        return self._d.to_bytes(32, "big")

    @property
    def public_key(self) -> Sm2PublicKey:
        if self._public is None:
            x, y = _sm2_curve.public_point(self._d)
            self._public = Sm2PublicKey(x, y)
        return self._public

    def sign(self, message: bytes, user_id: bytes = DEFAULT_USER_ID) -> Sm2Signature:
        """Sign e = SM3(Z_A ‖ message) with a fresh CSPRNG nonce."""
        return self.sign_digest(self.public_key.message_digest(message, user_id))

    def sign_digest(self, digest: bytes) -> Sm2Signature:
        """Sign a precomputed e = SM3(Z_A ‖ M) (32 bytes)."""
        if len(digest) != 32:
            raise ValueError("an SM2 digest e is 32 bytes")
        if self._backend is None:
            self._backend = default_sign_backend()
        if self._handle is None:
            self._handle = self._backend.prepare_private(
                self.to_bytes(), self.public_key.to_bytes()
            )
        r, s = self._backend.sign_digest(self._handle, digest)
        return Sm2Signature(r, s)

    @property
    def backend_name(self) -> str:
        return (self._backend or default_sign_backend()).name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sm2PrivateKey) and secrets.compare_digest(
            other.to_bytes(), self.to_bytes()
        )

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        return f"Sm2PrivateKey(public_key={self.public_key.to_bytes().hex()})"
