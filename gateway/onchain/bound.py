"""An alliance contract bound to the governance key, resolved on first use.

Feature ledgers (members, catalogue, grants, evidence) talk to their contract through this:
chain errors become the feature's own typed errors here, in one place. A contract revert is
the feature's ``refused`` error carrying the contract's reason; an unreachable or failing
chain is ``503 service_unavailable`` and nothing was changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from gateway.chain.contract import Contract
from gateway.chain.errors import CallReverted, ChainError, TxReverted
from gateway.chain.results import Receipt
from gateway.chain.suite import PrivateKey
from gateway.errors import GatewayError, ServiceUnavailable
from gateway.onchain.runtime import ChainNotReady, ChainRuntime


def text_to_bytes32(value: str) -> bytes:
    """Short ASCII identifiers (member codes, entry ids, field names) as bytes32."""
    raw = value.encode("ascii")
    if len(raw) > 32:
        raise ValueError(f"{value!r} is longer than 32 bytes")
    return raw.ljust(32, b"\0")


def bytes32_to_text(value: bytes) -> str:
    return bytes(value).rstrip(b"\0").decode("ascii")


def hash_to_bytes32(value: str) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != 32:
        raise ValueError("a hash is 32 bytes")
    return raw


class BoundContract:
    def __init__(
        self,
        runtime: Callable[[], ChainRuntime],
        name: str,
        refused: type[GatewayError],
    ) -> None:
        self._runtime = runtime
        self.name = name
        self.refused = refused
        self._lock = threading.Lock()
        self._resolved: tuple[Contract, PrivateKey] | None = None
        self._resolved_on: ChainRuntime | None = None

    def _resolve(self) -> tuple[Contract, PrivateKey]:
        """The contract on the current chain (a chain handover swaps the runtime)."""
        with self._lock:
            try:
                runtime = self._runtime()
            except ChainNotReady as exc:
                raise ServiceUnavailable(str(exc)) from exc
            if self._resolved is None or self._resolved_on is not runtime:
                try:
                    self._resolved = (runtime.contract(self.name), runtime.governance_key())
                except ChainNotReady as exc:
                    raise ServiceUnavailable(str(exc)) from exc
                self._resolved_on = runtime
            return self._resolved

    @property
    def contract(self) -> Contract:
        return self._resolve()[0]

    def send(self, function: str, *args: Any) -> Receipt:
        """Send and wait for the receipt."""
        contract, key = self._resolve()
        try:
            return contract.transact(function, *args, key=key)
        except TxReverted as exc:
            raise self.refused(exc.reason or exc.status_name, status_code=exc.status) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain did not accept the change: {exc}") from exc

    def transact(self, function: str, *args: Any) -> str:
        """Send and wait for the receipt; returns the transaction hash."""
        return self.send(function, *args).transaction_hash

    def call(self, function: str, *args: Any) -> Any:
        contract, _ = self._resolve()
        try:
            return contract.call(function, *args)
        except CallReverted as exc:
            raise self.refused(exc.reason or exc.status_name) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc
