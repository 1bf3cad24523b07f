"""Hash functions: SM3 (GB/T 32905), Ethereum Keccak-256, HMAC-SM3 (RFC 2104 over SM3).

SM3 and HMAC-SM3 come from OpenSSL through :mod:`hashlib`; Keccak-256 (the pre-standard
Keccak padding used by Ethereum and FISCO BCOS, *not* SHA3-256) comes from eth-hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast

from eth_hash.auto import keccak as _keccak

SM3_DIGEST_SIZE = 32


@functools.cache
def _sm3_prototype() -> Any:
    return hashlib.new("sm3")


def sm3(data: bytes) -> bytes:
    """SM3 digest of ``data`` (GB/T 32905-2016), 32 bytes.

    Copies a fresh SM3 context instead of looking the algorithm up by name each time: for the
    short inputs of Merkle nodes that lookup is most of the cost."""
    context = _sm3_prototype().copy()
    context.update(data)
    return bytes(context.digest())


@functools.cache
def _sm3_one_call() -> Callable[[bytes], bytes]:
    """The fastest one-call SM3 here: GmSSL's ``sm3_hash`` (gmssl-pyx, one C call per input)
    when it is installed and gives the GB/T 32905 answer for "abc", else :func:`sm3`."""
    try:
        from gmssl_pyx import sm3_hash
    except ImportError:  # pragma: no cover - gmssl-pyx is a dependency
        return sm3
    if bytes(sm3_hash(b"abc")) != _SM3_ABC:  # pragma: no cover - a broken build
        return sm3
    return cast(Callable[[bytes], bytes], sm3_hash)


_SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")


def sm3_many(items: Iterable[bytes]) -> list[bytes]:
    """SM3 of each item, in order: one C call per item and no Python frame in between (about
    a third faster than :func:`sm3` in a loop for Merkle-sized inputs, see docs/benchmarks.md)."""
    return list(map(_sm3_one_call(), items))


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum and non-guomi FISCO BCOS (differs from SHA3-256)."""
    return bytes(_keccak(data))


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104) with SM3 as the hash; 32 bytes. Used for keyed digests of personal data."""
    return hmac.new(key, data, "sm3").digest()


class Hasher(Protocol):
    """A named hash function, so a crypto suite can carry its hash as a value."""

    @property
    def name(self) -> str: ...

    @property
    def digest_size(self) -> int: ...

    def hash(self, data: bytes) -> bytes: ...


class Sm3Hasher:
    """:class:`Hasher` for SM3."""

    name = "sm3"
    digest_size = SM3_DIGEST_SIZE

    def hash(self, data: bytes) -> bytes:
        return sm3(data)

    def __repr__(self) -> str:
        return "Sm3Hasher()"


class Keccak256Hasher:
    """:class:`Hasher` for Ethereum Keccak-256."""

    name = "keccak256"
    digest_size = 32

    def hash(self, data: bytes) -> bytes:
        return keccak256(data)

    def __repr__(self) -> str:
        return "Keccak256Hasher()"


SM3: Hasher = Sm3Hasher()
KECCAK256: Hasher = Keccak256Hasher()
