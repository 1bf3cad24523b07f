"""FISCO BCOS 2.x receipt status codes the devnode emits (``TransactionException``).

Names come from :data:`gateway.chain.status.FISCO2_STATUS`; 2.x receipts carry the codes as
hex strings (``"0x16"``), 3.x numbers them differently.
"""

from __future__ import annotations

from gateway.chain.status import FISCO2_STATUS

OK = 0x0
UNKNOWN = 0x1
OUT_OF_GAS_INTRINSIC = 0x4
NOT_ENOUGH_CASH = 0x7
BAD_INSTRUCTION = 0xA
BAD_JUMP_DESTINATION = 0xB
OUT_OF_GAS = 0xC
OUT_OF_STACK = 0xD
STACK_UNDERFLOW = 0xE
NONCE_CHECK_FAIL = 0xF
BLOCK_LIMIT_CHECK_FAIL = 0x10
REVERT_INSTRUCTION = 0x16
ADDRESS_ALREADY_USED = 0x18
CALL_ADDRESS_ERROR = 0x1A
TX_POOL_IS_FULL = 0x1C
ALREADY_KNOWN = 0x2710
ALREADY_IN_CHAIN = 0x2711
INVALID_CHAIN_ID = 0x2712
INVALID_GROUP_ID = 0x2713
MALFORMED_TX = 0x2715


def status_message(code: int) -> str:
    """The ``statusMsg`` a 2.x node writes beside ``status`` ("None" for success)."""
    return FISCO2_STATUS.get(code, "Unknown")
