"""Typed errors of the chain client.

Every error carries a stable ``code`` so callers (and the HTTP edge) branch on types and codes,
never on message text. Transport failures, node-side JSON-RPC errors and failed transactions
are distinct types because they call for different reactions: retry later, fix the request,
or report the contract's refusal.
"""

from __future__ import annotations

from typing import Any


class ChainError(Exception):
    """Base class of every error raised by :mod:`gateway.chain`."""

    code: str = "chain_error"


class ChainUnavailable(ChainError):
    """The node could not be reached: connection refused or reset, DNS failure, node down."""

    code = "chain_unavailable"


class RpcTimeout(ChainUnavailable):
    """The node accepted the connection but did not answer within the configured timeout."""

    code = "rpc_timeout"


class ResponseFormatError(ChainError):
    """The node answered with something that is not the JSON-RPC shape the client expects."""

    code = "bad_response"


class RpcError(ChainError):
    """A JSON-RPC 2.0 error object returned by the node, with FISCO's numeric code.

    2.x codes are the -32xxx JSON-RPC codes and FISCO's -400xx codes (older nodes send small
    positive codes such as 7); 3.x adds the 10000+ transaction-pool codes.
    """

    code = "rpc_error"

    def __init__(self, rpc_code: int, message: str, data: object | None = None) -> None:
        super().__init__(f"JSON-RPC error {rpc_code}: {message}")
        self.rpc_code = rpc_code
        self.message = message
        self.data = data


class TxReverted(ChainError):
    """A committed transaction whose receipt status is not 0 (FISCO numbering of its version)."""

    code = "tx_reverted"

    def __init__(
        self, status: int, status_name: str, reason: str | None, receipt: Any = None
    ) -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"transaction failed with status {status} ({status_name}){detail}")
        self.status = status
        self.status_name = status_name
        self.reason = reason
        self.receipt = receipt


class CallReverted(TxReverted):
    """A read-only ``call`` that the contract refused (no receipt, no state change)."""

    code = "call_reverted"


class ReceiptTimeout(ChainError):
    """No receipt appeared for a sent transaction before the deadline."""

    code = "receipt_timeout"

    def __init__(self, tx_hash: str, timeout: float) -> None:
        super().__init__(f"no receipt for {tx_hash} after {timeout:g} s")
        self.tx_hash = tx_hash
        self.timeout = timeout


class TransactionDecodeError(ChainError):
    """Raw transaction bytes that are not a well-formed FISCO BCOS transaction."""

    code = "transaction_decode_error"


class TransactionFieldError(ChainError):
    """Transaction fields that cannot be encoded (negative, too large, bad address length)."""

    code = "transaction_field_error"


class AbiError(ChainError):
    """Arguments that do not match a function's ABI, or return data that does not decode."""

    code = "abi_error"


class ArtifactError(ChainError):
    """A contract artefact that is missing required parts or names an unknown function/event."""

    code = "artifact_error"


class InvalidAddress(ChainError, ValueError):
    """An address that is not 20 bytes of hex, or whose mixed case is not the suite's checksum."""

    code = "invalid_address"


class SuiteMismatch(ChainError):
    """A key, signature or artefact that belongs to the other crypto suite."""

    code = "suite_mismatch"
