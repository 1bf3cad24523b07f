"""The chain as the audit-workbook verifier reads it: ``EvidenceLedger`` over JSON-RPC.

Each batch root is looked up with ``batchByRoot`` (``recordByDigest`` for direct anchoring), and
the workbook's signer with ``isGateway``, on any FISCO BCOS 2.x node.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from gateway.audit.manifest import AuditWorkbookError
from gateway.errors import GatewayError


class ChainReader(Protocol):
    def batch(self, root: str, mode: str) -> tuple[int, int] | None:
        """(count, first sequence) of the anchored root, or None when not anchored."""

    def is_gateway(self, key_id: str) -> bool:
        """Whether the account is an authorised gateway of the ledger."""


class ChainLookupError(GatewayError):
    """The chain named by ``--rpc`` could not be read (not a verification failure)."""

    code: ClassVar[str] = "audit_chain_unreachable"
    status: ClassVar[int] = 502
    title: ClassVar[str] = "Chain unreachable"


class _RpcReader:
    """``EvidenceLedger`` reads over JSON-RPC on any FISCO BCOS 2.x node."""

    def __init__(self, rpc_url: str, contract: str, suite: str) -> None:
        from gateway.chain.client import ChainClient
        from gateway.chain.suite import suite_by_name
        from gateway.chain.transport.http import HttpTransport
        from gateway.onchain.artifacts import load_artifacts

        self.rpc_url = rpc_url
        client = ChainClient(HttpTransport(rpc_url, timeout=10.0), suite_by_name(suite))
        self.ledger = client.contract(load_artifacts()["EvidenceLedger"], contract)

    def _call(self, function: str, *args: object) -> Any:
        from gateway.chain.errors import ChainError

        try:
            return self.ledger.call(function, *args)
        except ChainError as exc:
            from gateway.chain.errors import CallReverted

            if isinstance(exc, CallReverted):
                raise
            raise ChainLookupError(f"cannot read EvidenceLedger at {self.rpc_url}: {exc}") from exc

    def batch(self, root: str, mode: str) -> tuple[int, int] | None:
        from gateway.chain.errors import CallReverted

        digest = bytes.fromhex(root[2:])
        try:
            if mode == "direct":
                sequence, _ = self._call("recordByDigest", digest)
                return 1, int(sequence)
            _index, count, first, *_ = self._call("batchByRoot", digest)
        except CallReverted:
            return None
        return int(count), int(first)

    def is_gateway(self, key_id: str) -> bool:
        from gateway.chain.errors import CallReverted

        try:
            result = self._call("isGateway", key_id)
        except CallReverted:
            return False
        return bool(result[0] if isinstance(result, list | tuple) else result)


def rpc_reader(rpc_url: str, contract: object, suite: object) -> ChainReader:
    """The chain as the verifier reads it: the workbook's ``EvidenceLedger`` at ``rpc_url``."""
    if not isinstance(contract, str) or not contract:
        raise AuditWorkbookError("the workbook names no EvidenceLedger contract address")
    return _RpcReader(rpc_url, contract, str(suite or "sm"))


__all__ = ["ChainLookupError", "ChainReader", "rpc_reader"]
