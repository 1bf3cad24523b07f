"""Record content at rest: SM4-GCM (GB/T 32907, RFC 8998) under the gateway's storage key.

The associated data binds each ciphertext to its record key and version, so a sealed content
moved to another row no longer opens.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gateway.crypto import sm4
from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import DecryptionError

_LABEL = b"alliance-record:"


class ContentUnreadable(Exception):
    """The sealed content does not open (altered, moved, or another storage key)."""


def _associated_data(key_hash: str, index: int) -> bytes:
    return _LABEL + bytes.fromhex(key_hash.removeprefix("0x")) + index.to_bytes(8, "big")


class ContentVault:
    def __init__(self, storage_key: Callable[[], bytes]) -> None:
        self._storage_key = storage_key

    def seal(self, key_hash: str, index: int, content: Any) -> bytes:
        return sm4.seal(
            self._storage_key(), canonical_json(content), _associated_data(key_hash, index)
        )

    def open(self, key_hash: str, index: int, sealed: bytes) -> Any:
        try:
            plain = sm4.unseal(
                self._storage_key(), bytes(sealed), _associated_data(key_hash, index)
            )
            return json.loads(plain)
        except (DecryptionError, ValueError) as exc:
            raise ContentUnreadable(str(exc)) from exc
