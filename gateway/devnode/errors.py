"""Typed errors of the devnode.

Each error carries a stable ``code``. Errors a FISCO BCOS 2.x node reports over JSON-RPC also
carry the node's own numbers (``rpc_code``) and message, so the dispatcher can answer exactly
as a real node would (FISCO-BCOS-DOC ``2.x/docs/api.md``, error codes table).
"""

from __future__ import annotations

# JSON-RPC 2.0 standard codes and the FISCO BCOS 2.x specific ones (librpc/Common.h).
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
PARSE_ERROR = -32700
GROUP_ID_NOT_EXIST = -40001
BLOCK_HASH_NOT_EXIST = -40003
BLOCK_NUMBER_NOT_EXIST = -40004
TRANSACTION_INDEX_OUT_OF_RANGE = -40005
CALL_NEEDS_FROM = -40006
ONLY_PBFT_HAS_VIEW = -40007
INVALID_SYSTEM_CONFIG = -40008


class DevnodeError(Exception):
    """Base of every devnode error."""

    code: str = "devnode_error"


class RpcMethodError(DevnodeError):
    """A JSON-RPC error answer, with the code and message a FISCO BCOS 2.x node uses."""

    code = "rpc_error"

    def __init__(self, rpc_code: int, message: str) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code
        self.message = message


class TransactionRejected(RpcMethodError):
    """The transaction pool refused a transaction (FISCO ``TxPool::submitTransactions``).

    In synchronous submit mode a 2.x node answers ``sendRawTransaction`` with a JSON-RPC
    internal error (-32603) whose message starts with the ``ImportResult`` name, e.g.
    ``TransactionNonceCheckFail``; ``status`` is the matching receipt status code (§1.3).
    """

    code = "transaction_rejected"

    def __init__(self, reason: str, status: int, tx_hash: bytes | None, detail: str = "") -> None:
        text = reason + (f", {detail}" if detail else "")
        if tx_hash is not None:
            text += f", txHash={tx_hash.hex()}"
        super().__init__(INTERNAL_ERROR, text)
        self.reason = reason
        self.status = status


class StoreError(DevnodeError):
    """The data directory cannot be opened or is inconsistent."""

    code = "devnode_store_error"


class DataDirectoryLocked(StoreError):
    """Another devnode process already serves this data directory."""

    code = "devnode_data_locked"


class SuiteMismatch(StoreError):
    """The data directory was created for another crypto suite, chain id or group id."""

    code = "devnode_suite_mismatch"
