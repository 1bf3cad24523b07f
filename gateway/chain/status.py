"""FISCO BCOS receipt status codes: 2.x and 3.x number them differently.

2.x sends ``status`` as a hex string (``"0x16"`` = 22 RevertInstruction); 3.x sends a JSON int
with its own numbering (16 = RevertInstruction, 10000+ for transaction-pool rejections).
Names follow the node sources (``TransactionException`` in 2.x, ``TransactionStatus.h`` in 3.x).
"""

from __future__ import annotations

from typing import Final

STATUS_OK: Final = 0

FISCO2_STATUS: Final[dict[int, str]] = {
    0: "None",
    1: "Unknown",
    2: "BadRLP",
    3: "InvalidFormat",
    4: "OutOfGasIntrinsic",
    5: "InvalidSignature",
    6: "InvalidNonce",
    7: "NotEnoughCash",
    8: "OutOfGasBase",
    9: "BlockGasLimitReached",
    10: "BadInstruction",
    11: "BadJumpDestination",
    12: "OutOfGas",
    13: "OutOfStack",
    14: "StackUnderflow",
    15: "NonceCheckFail",
    16: "BlockLimitCheckFail",
    17: "FilterCheckFail",
    18: "NoDeployPermission",
    19: "NoCallPermission",
    20: "NoTxPermission",
    21: "PrecompiledError",
    22: "RevertInstruction",
    23: "InvalidZeroSignatureFormat",
    24: "AddressAlreadyUsed",
    25: "PermissionDenied",
    26: "CallAddressError",
    27: "GasOverflow",
    28: "TxPoolIsFull",
    29: "TransactionRefused",
    30: "ContractFrozen",
    31: "AccountFrozen",
    10000: "AlreadyKnown",
    10001: "AlreadyInChain",
    10002: "InvalidChainId",
    10003: "InvalidGroupId",
    10004: "RequestNotBelongToTheGroup",
    10005: "MalformedTx",
    10006: "OverGroupMemoryLimit",
}

FISCO3_STATUS: Final[dict[int, str]] = {
    0: "None",
    1: "Unknown",
    2: "OutOfGasLimit",
    7: "NotEnoughCash",
    10: "BadInstruction",
    11: "BadJumpDestination",
    12: "OutOfGas",
    13: "OutOfStack",
    14: "StackUnderflow",
    15: "PrecompiledError",
    16: "RevertInstruction",
    17: "ContractAddressAlreadyUsed",
    18: "PermissionDenied",
    19: "CallAddressError",
    20: "GasOverflow",
    21: "ContractFrozen",
    22: "AccountFrozen",
    23: "AccountAbolished",
    24: "ContractAbolished",
    32: "WASMValidationFailure",
    33: "WASMArgumentOutOfRange",
    34: "WASMUnreachableInstruction",
    35: "WASMTrap",
    10000: "NonceCheckFail",
    10001: "BlockLimitCheckFail",
    10002: "TxPoolIsFull",
    10003: "Malformed",
    10004: "AlreadyInTxPool",
    10005: "TxAlreadyInChain",
    10006: "InvalidChainId",
    10007: "InvalidGroupId",
    10008: "InvalidSignature",
    10009: "RequestNotBelongToTheGroup",
    10010: "TransactionPoolTimeout",
    10011: "AlreadyInTxPoolAndAccept",
}

#: Statuses meaning "the node already has this very transaction": harmless on a re-send.
ALREADY_KNOWN: Final[dict[int, frozenset[int]]] = {
    2: frozenset({10000, 10001}),
    3: frozenset({10004, 10005, 10011}),
}


def status_name(status: int, fisco_version: int) -> str:
    """The node's name for a receipt status, e.g. ``RevertInstruction``."""
    table = FISCO3_STATUS if fisco_version >= 3 else FISCO2_STATUS
    return table.get(status, f"Status{status}")


def is_revert(status: int, fisco_version: int) -> bool:
    return status == (16 if fisco_version >= 3 else 22)
