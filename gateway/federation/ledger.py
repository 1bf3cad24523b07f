"""``FederationLedger`` on chain: where a parent anchors its descendants' checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gateway.chain.errors import CallReverted, ChainError
from gateway.errors import GatewayError, ServiceUnavailable
from gateway.onchain.bound import bytes32_to_text, hash_to_bytes32, text_to_bytes32

CONTRACT = "FederationLedger"


class FederationLedgerRefused(GatewayError):
    code = "federation_ledger_refused"
    status = 409
    title = "FederationLedger refused the checkpoint"


@dataclass(frozen=True)
class AnchoredCheckpoint:
    """A checkpoint as FederationLedger holds it."""

    node: str
    tree_size: int
    root: str
    document_digest: str
    signer: str
    via: str
    anchored_at_ms: int


class ContractAccess(Protocol):
    """What the ledger needs of a bound contract (:class:`gateway.onchain.bound.BoundContract`)."""

    def send(self, function: str, *args: Any) -> Any: ...

    def call(self, function: str, *args: Any) -> Any: ...


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _checkpoint(node: str, values: Any) -> AnchoredCheckpoint:
    size, root, document, signer, via, anchored_at = values
    return AnchoredCheckpoint(
        node=node,
        tree_size=int(size),
        root=_hex(root),
        document_digest=_hex(document),
        signer=str(signer).lower(),
        via=bytes32_to_text(via),
        anchored_at_ms=int(anchored_at),
    )


class ChainFederationLedger:
    def __init__(self, contract: ContractAccess) -> None:
        self.contract = contract

    def anchor(
        self, node: str, via: str, tree_size: int, root: str, digest: str, signer: str
    ) -> tuple[str, int]:
        receipt = self.contract.send(
            "anchorCheckpoint",
            text_to_bytes32(node),
            text_to_bytes32(via),
            tree_size,
            hash_to_bytes32(root),
            hash_to_bytes32(digest),
            signer,
        )
        return receipt.transaction_hash, receipt.block_number

    def latest(self, node: str) -> AnchoredCheckpoint | None:
        if int(self.contract.call("checkpointCount", text_to_bytes32(node))) == 0:
            return None
        return _checkpoint(node, self.contract.call("latestCheckpoint", text_to_bytes32(node)))

    def by_size(self, node: str, tree_size: int) -> AnchoredCheckpoint | None:
        try:
            values = self.contract.call("checkpointBySize", text_to_bytes32(node), tree_size)
        except FederationLedgerRefused:
            return None
        return _checkpoint(node, values)

    def count(self, node: str) -> int:
        return int(self.contract.call("checkpointCount", text_to_bytes32(node)))


class ReadOnlyContract:
    """A contract read over any chain client (``alliance sync verify --rpc``): reverts become
    :class:`FederationLedgerRefused`, an unreachable node ``503``."""

    def __init__(self, contract: Any) -> None:
        self._contract = contract

    def call(self, function: str, *args: Any) -> Any:
        try:
            return self._contract.call(function, *args)
        except CallReverted as exc:
            raise FederationLedgerRefused(exc.reason or exc.status_name) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc

    def send(self, function: str, *args: Any) -> Any:
        raise FederationLedgerRefused("a read-only contract sends no transactions")
