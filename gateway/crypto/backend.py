"""SM2 backends: which implementation signs and which verifies, chosen once per process.

Measured on the reference machine (one core, see docs/benchmarks.md), the preference is:

* signing: GmSSL through gmssl-pyx over a precomputed digest (fastest; Z_A cached per key),
  then OpenSSL libcrypto, then the pure-Python reference;
* verifying: OpenSSL libcrypto (fast, releases the GIL so it scales with threads, and quiet on
  failure), then the pure-Python reference. gmssl-pyx is never used to verify: it writes a
  trace to the process's stderr on every invalid signature, which a public verification
  endpoint could use to flood the logs.

A backend is used only after it passes a known-answer self-test against the reference
arithmetic. The choice is made lazily on first use (nothing happens at import time) and is
reported by ``alliance crypto info``. Every key also accepts an explicit backend, which is how
the tests run the same suite over every available implementation.
"""

from __future__ import annotations

import functools
from typing import Protocol

from gateway.crypto import _der, _sm2_curve
from gateway.crypto.errors import BackendUnavailableError, CryptoError, InvalidKeyError

__all__ = [
    "SIGN_PREFERENCE",
    "VERIFY_PREFERENCE",
    "BackendUnavailableError",
    "Sm2SignBackend",
    "Sm2VerifyBackend",
    "available_sign_backends",
    "available_verify_backends",
    "default_sign_backend",
    "default_verify_backend",
    "describe",
    "sign_backend",
    "verify_backend",
]

SIGN_PREFERENCE: tuple[str, ...] = ("gmssl-pyx", "openssl", "python")
VERIFY_PREFERENCE: tuple[str, ...] = ("openssl", "python")


class Sm2SignBackend(Protocol):
    """Signs e = SM3(Z_A ‖ M) (GB/T 32918.2 6.1 A3–A7) with a CSPRNG nonce."""

    @property
    def name(self) -> str: ...

    def prepare_private(self, private_key: bytes, public_key: bytes) -> object: ...

    def sign_digest(self, key: object, digest: bytes) -> tuple[int, int]: ...


class Sm2VerifyBackend(Protocol):
    """Verifies (r, s) over e = SM3(Z_A ‖ M) (GB/T 32918.2 7.1 B1–B7)."""

    @property
    def name(self) -> str: ...

    def prepare_public(self, public_key: bytes) -> object: ...

    def verify_digest(self, key: object, digest: bytes, r: int, s: int) -> bool: ...


class PythonSm2:
    """The pure-Python reference arithmetic (portable, slow, not constant-time)."""

    name = "python"

    def prepare_private(self, private_key: bytes, public_key: bytes) -> object:
        return int.from_bytes(private_key, "big")

    def sign_digest(self, key: object, digest: bytes) -> tuple[int, int]:
        if not isinstance(key, int):
            raise TypeError("not a reference SM2 private key handle")
        return _sm2_curve.sign_digest(key, int.from_bytes(digest, "big"))

    def prepare_public(self, public_key: bytes) -> object:
        return (int.from_bytes(public_key[:32], "big"), int.from_bytes(public_key[32:], "big"))

    def verify_digest(self, key: object, digest: bytes, r: int, s: int) -> bool:
        if not isinstance(key, tuple):
            raise TypeError("not a reference SM2 public key handle")
        return _sm2_curve.verify_digest(key, int.from_bytes(digest, "big"), r, s)


class GmsslPyxSm2:
    """GmSSL's SM2 signing through gmssl-pyx ``sm2_sign_sm3_digest`` (holds the GIL)."""

    name = "gmssl-pyx"

    def __init__(self) -> None:
        try:
            import gmssl_pyx
        except ImportError as exc:
            raise BackendUnavailableError("gmssl-pyx is not installed") from exc
        self._sign = gmssl_pyx.sm2_sign_sm3_digest
        self._error: type[Exception] = gmssl_pyx.GmsslInnerError
        self.version = str(gmssl_pyx.__version__)

    def prepare_private(self, private_key: bytes, public_key: bytes) -> object:
        return bytes(private_key)

    def sign_digest(self, key: object, digest: bytes) -> tuple[int, int]:
        if not isinstance(key, bytes):
            raise TypeError("not a GmSSL SM2 private key handle")
        try:
            der = self._sign(key, digest)
        except self._error as exc:
            raise InvalidKeyError("GmSSL could not sign with this SM2 key") from exc
        return _der.decode_signature(der)


def _construct_sign(name: str) -> Sm2SignBackend:
    if name == "python":
        return PythonSm2()
    if name == "gmssl-pyx":
        return GmsslPyxSm2()
    if name == "openssl":
        from gateway.crypto._openssl import OpenSslSm2

        return OpenSslSm2()
    raise BackendUnavailableError(f"{name!r} is not an SM2 signing backend")


def _construct_verify(name: str) -> Sm2VerifyBackend:
    if name == "python":
        return PythonSm2()
    if name == "openssl":
        from gateway.crypto._openssl import OpenSslSm2

        return OpenSslSm2()
    raise BackendUnavailableError(f"{name!r} is not an SM2 verifying backend")


# Self-test vector: reference signature of a fixed digest with a fixed nonce.
_TEST_KEY = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
_TEST_DIGEST = bytes.fromhex("f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640")


def _test_material() -> tuple[bytes, bytes]:
    x, y = _sm2_curve.public_point(_TEST_KEY)
    return _TEST_KEY.to_bytes(32, "big"), x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _self_test_sign(backend: Sm2SignBackend) -> None:
    private, public = _test_material()
    r, s = backend.sign_digest(backend.prepare_private(private, public), _TEST_DIGEST)
    reference = PythonSm2()
    if not reference.verify_digest(reference.prepare_public(public), _TEST_DIGEST, r, s):
        raise BackendUnavailableError(f"SM2 backend {backend.name} failed its signing self-test")


def _self_test_verify(backend: Sm2VerifyBackend) -> None:
    _, public = _test_material()
    r, s = _sm2_curve.sign_digest(_TEST_KEY, int.from_bytes(_TEST_DIGEST, "big"), nonce=12345)
    key = backend.prepare_public(public)
    if not backend.verify_digest(key, _TEST_DIGEST, r, s) or backend.verify_digest(
        key, _TEST_DIGEST, r, (s + 1) % _sm2_curve.N
    ):
        raise BackendUnavailableError(f"SM2 backend {backend.name} failed its verify self-test")


@functools.cache
def sign_backend(name: str) -> Sm2SignBackend:
    """The named signing backend, self-tested (raises :class:`BackendUnavailableError`)."""
    backend = _construct_sign(name)
    try:
        _self_test_sign(backend)
    except CryptoError as exc:
        raise BackendUnavailableError(f"SM2 backend {name} failed its self-test") from exc
    return backend


@functools.cache
def verify_backend(name: str) -> Sm2VerifyBackend:
    """The named verifying backend, self-tested (raises :class:`BackendUnavailableError`)."""
    backend = _construct_verify(name)
    try:
        _self_test_verify(backend)
    except CryptoError as exc:
        raise BackendUnavailableError(f"SM2 backend {name} failed its self-test") from exc
    return backend


def available_sign_backends() -> list[str]:
    """Signing backends that load and pass their self-test here, fastest first."""
    usable = []
    for name in SIGN_PREFERENCE:
        try:
            sign_backend(name)
        except BackendUnavailableError:
            continue
        usable.append(name)
    return usable


def available_verify_backends() -> list[str]:
    """Verifying backends that load and pass their self-test here, fastest first."""
    usable = []
    for name in VERIFY_PREFERENCE:
        try:
            verify_backend(name)
        except BackendUnavailableError:
            continue
        usable.append(name)
    return usable


@functools.cache
def default_sign_backend() -> Sm2SignBackend:
    """The fastest signing backend that passes its self-test on this machine."""
    return sign_backend(available_sign_backends()[0])


@functools.cache
def default_verify_backend() -> Sm2VerifyBackend:
    """The fastest verifying backend that passes its self-test on this machine."""
    return verify_backend(available_verify_backends()[0])


def openssl_version() -> str | None:
    """The libcrypto version used by the OpenSSL backend, or None when it is unavailable."""
    from gateway.crypto import _openssl

    try:
        return _openssl.load().version
    except BackendUnavailableError:
        return None


def describe() -> dict[str, object]:
    """What ``alliance crypto info`` prints: the chosen backends and what else is available."""
    import ssl

    import coincurve

    gmssl_version: str | None
    try:
        import gmssl_pyx

        gmssl_version = str(gmssl_pyx.__version__)
    except ImportError:
        gmssl_version = None
    return {
        "sm2_sign_backend": default_sign_backend().name,
        "sm2_verify_backend": default_verify_backend().name,
        "sm2_sign_backends_available": available_sign_backends(),
        "sm2_verify_backends_available": available_verify_backends(),
        "openssl_version": openssl_version(),
        "hashlib_openssl_version": ssl.OPENSSL_VERSION,
        "gmssl_pyx_version": gmssl_version,
        "sm3_backend": "hashlib (OpenSSL)",
        "sm4_backend": "cryptography (OpenSSL)",
        "secp256k1_backend": f"coincurve {getattr(coincurve, '__version__', '')}".strip(),
        "default_sm2_user_id": "1234567812345678",
    }
