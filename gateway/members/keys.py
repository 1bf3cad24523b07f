"""SM2 key pairs the gateway generates for departments that bring none.

Keys are written once, mode 0600, to ``<data_dir>/credentials/<CODE>-sm2.pem``; the
department takes the file over with its credentials. Bringing one's own public key is the
better practice and needs no file here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.sm2 import Sm2PrivateKey


class FileMemberKeys:
    def __init__(self, directory: Path, address_of: Callable[[bytes], str]) -> None:
        self.directory = directory
        self._address_of = address_of

    def _path(self, code: str) -> Path:
        return self.directory / f"{code}-sm2.pem"

    def generate(self, code: str) -> bytes:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Sm2PrivateKey.generate()
        path = self._path(code)
        write_private_key(path, key, overwrite=path.exists())
        return key.public_key.to_bytes()

    def address_of(self, public_key: bytes) -> str:
        return self._address_of(public_key)

    def path_of(self, code: str) -> str | None:
        path = self._path(code)
        return str(path) if path.exists() else None
