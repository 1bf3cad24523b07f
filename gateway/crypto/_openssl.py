"""SM2 through OpenSSL 3 libcrypto, called with :mod:`ctypes`.

Why: OpenSSL's SM2 (GB/T 32918.2) is fast, constant-time, and its calls run without the GIL,
so verification scales with threads. Only the EVP_PKEY sign/verify primitives are used, over
the digest e = SM3(Z_A ‖ M) that :mod:`gateway.crypto.sm2` computes (Z_A cached per key), so
the distinguishing ID never has to cross the C boundary. Keys are handed to OpenSSL as DER
(SubjectPublicKeyInfo / PKCS#8), which OpenSSL 3 decodes as key type ``SM2``.

Every C object is freed in a ``finally`` block; a loaded key is freed when its Python handle
is collected. Nothing is loaded at import time: :func:`load` opens the library on first use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass

from gateway.crypto import _der
from gateway.crypto._pkcs8 import SM2_CURVE, encode_private_key, encode_public_key
from gateway.crypto.errors import BackendUnavailableError, InvalidKeyError

_c_p = ctypes.c_void_p
_SIGNATURE_MAX = 80


@dataclass(frozen=True)
class LibCrypto:
    """The loaded library and the version string it reports."""

    lib: ctypes.CDLL
    version: str


def _declare(lib: ctypes.CDLL) -> None:
    signatures: dict[str, tuple[list[object], object]] = {
        "OpenSSL_version": ([ctypes.c_int], ctypes.c_char_p),
        "d2i_PUBKEY": ([_c_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long], _c_p),
        "d2i_AutoPrivateKey": ([_c_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long], _c_p),
        "EVP_PKEY_free": ([_c_p], None),
        "EVP_PKEY_is_a": ([_c_p, ctypes.c_char_p], ctypes.c_int),
        "EVP_PKEY_CTX_new": ([_c_p, _c_p], _c_p),
        "EVP_PKEY_CTX_free": ([_c_p], None),
        "EVP_PKEY_sign_init": ([_c_p], ctypes.c_int),
        "EVP_PKEY_sign": (
            [
                _c_p,
                ctypes.c_char_p,
                ctypes.POINTER(ctypes.c_size_t),
                ctypes.c_char_p,
                ctypes.c_size_t,
            ],
            ctypes.c_int,
        ),
        "EVP_PKEY_verify_init": ([_c_p], ctypes.c_int),
        "EVP_PKEY_verify": (
            [_c_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t],
            ctypes.c_int,
        ),
        "ERR_clear_error": ([], None),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype


@functools.cache
def load() -> LibCrypto:
    """Open libcrypto 3 (raises :class:`BackendUnavailableError` if absent or too old)."""
    candidates = [ctypes.util.find_library("crypto"), "libcrypto.so.3", "libcrypto.3.dylib"]
    errors = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            lib = ctypes.CDLL(candidate)
            _declare(lib)
        except (OSError, AttributeError) as exc:
            errors.append(f"{candidate}: {exc}")
            continue
        version = (lib.OpenSSL_version(0) or b"").decode("ascii", "replace")
        if not version.startswith("OpenSSL 3"):
            errors.append(f"{candidate}: {version} is not OpenSSL 3")
            continue
        return LibCrypto(lib, version)
    raise BackendUnavailableError("no usable OpenSSL 3 libcrypto: " + "; ".join(errors))


class _Key:
    """Owns one ``EVP_PKEY*`` and a pool of operation contexts initialised for it.

    Initialising an ``EVP_PKEY_CTX`` fetches the SM2 signature implementation from the
    provider, which costs about as much as a verification's arithmetic; a context that is
    initialised once can sign or verify many times. A context is used by one thread at a time:
    it is taken from the pool for one call and put back afterwards (list.pop/append are atomic
    under the GIL). Everything is freed when the handle is collected.
    """

    __slots__ = ("_lib", "_sign_pool", "_verify_pool", "pointer")

    def __init__(self, lib: ctypes.CDLL, pointer: int) -> None:
        self._lib = lib
        self.pointer = pointer
        self._sign_pool: list[int] = []
        self._verify_pool: list[int] = []

    def take_context(self, *, sign: bool) -> int:
        pool = self._sign_pool if sign else self._verify_pool
        try:
            return pool.pop()
        except IndexError:
            pass
        lib = self._lib
        context: int | None = lib.EVP_PKEY_CTX_new(self.pointer, None)
        if not context:
            raise MemoryError("EVP_PKEY_CTX_new failed")
        initialise = lib.EVP_PKEY_sign_init if sign else lib.EVP_PKEY_verify_init
        if initialise(context) != 1:
            lib.EVP_PKEY_CTX_free(context)
            lib.ERR_clear_error()
            raise InvalidKeyError("OpenSSL cannot use this key for SM2")
        return context

    def return_context(self, context: int, *, sign: bool) -> None:
        (self._sign_pool if sign else self._verify_pool).append(context)

    def __del__(self) -> None:
        lib = self._lib
        for pool in (self._sign_pool, self._verify_pool):
            while pool:
                lib.EVP_PKEY_CTX_free(pool.pop())
        pointer, self.pointer = self.pointer, 0
        if pointer:
            lib.EVP_PKEY_free(pointer)


def _decode_key(lib: ctypes.CDLL, der: bytes, *, private: bool) -> _Key:
    cursor = ctypes.c_char_p(der)  # d2i advances this pointer; ``der`` stays alive meanwhile
    decoder = lib.d2i_AutoPrivateKey if private else lib.d2i_PUBKEY
    pointer = decoder(None, ctypes.byref(cursor), len(der))
    if not pointer:
        lib.ERR_clear_error()
        raise InvalidKeyError("OpenSSL rejected the SM2 key")
    key = _Key(lib, pointer)
    if lib.EVP_PKEY_is_a(pointer, b"SM2") != 1:
        raise InvalidKeyError("OpenSSL did not load the key as an SM2 key")
    return key


class OpenSslSm2:
    """SM2 sign/verify over e with OpenSSL libcrypto; releases the GIL during each call."""

    name = "openssl"

    #: Public keys kept loaded, so a verifier that rebuilds ``Sm2PublicKey`` objects for the
    #: same signers (e.g. per transaction) does not pay for decoding and context set-up.
    CACHE_SIZE = 1024

    def __init__(self) -> None:
        self._crypto = load()
        self._public_cache: OrderedDict[bytes, _Key] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def version(self) -> str:
        return self._crypto.version

    def prepare_public(self, public_key: bytes) -> _Key:
        with self._cache_lock:
            key = self._public_cache.get(public_key)
            if key is not None:
                self._public_cache.move_to_end(public_key)
                return key
        key = _decode_key(self._crypto.lib, encode_public_key(SM2_CURVE, public_key), private=False)
        with self._cache_lock:
            self._public_cache[public_key] = key
            while len(self._public_cache) > self.CACHE_SIZE:
                self._public_cache.popitem(last=False)
        return key

    def prepare_private(self, private_key: bytes, public_key: bytes) -> _Key:
        der = encode_private_key(SM2_CURVE, private_key, public_key)
        return _decode_key(self._crypto.lib, der, private=True)

    def sign_digest(self, key: object, digest: bytes) -> tuple[int, int]:
        if not isinstance(key, _Key):
            raise TypeError("not an OpenSSL SM2 key handle")
        lib = self._crypto.lib
        signature = ctypes.create_string_buffer(_SIGNATURE_MAX)
        length = ctypes.c_size_t(_SIGNATURE_MAX)
        context = key.take_context(sign=True)
        try:
            result = lib.EVP_PKEY_sign(
                context, signature, ctypes.byref(length), digest, len(digest)
            )
        except BaseException:
            lib.EVP_PKEY_CTX_free(context)
            raise
        if result != 1:
            lib.EVP_PKEY_CTX_free(context)
            lib.ERR_clear_error()
            raise InvalidKeyError("OpenSSL could not sign with this SM2 key")
        key.return_context(context, sign=True)
        return _der.decode_signature(signature.raw[: length.value])

    def verify_digest(self, key: object, digest: bytes, r: int, s: int) -> bool:
        if not isinstance(key, _Key):
            raise TypeError("not an OpenSSL SM2 key handle")
        lib = self._crypto.lib
        der = _der.encode_signature(r, s)
        context = key.take_context(sign=False)
        try:
            result = lib.EVP_PKEY_verify(context, der, len(der), digest, len(digest))
        except BaseException:
            lib.EVP_PKEY_CTX_free(context)
            raise
        if result != 1:
            # A failed verification leaves entries on this thread's OpenSSL error queue.
            lib.ERR_clear_error()
        key.return_context(context, sign=False)
        return result == 1
