"""EVM details that differ between a FISCO BCOS 2.x node and Ethereum, on hand-written code."""

from __future__ import annotations

import rlp

from gateway.crypto.hashing import keccak256

from .helpers import Account


def _deployable(runtime: bytes) -> bytes:
    """Init code that returns ``runtime`` (CODECOPY of the bytes after a 12-byte prefix)."""
    size = len(runtime)
    prefix = bytes([0x60, size, 0x60, 12, 0x60, 0, 0x39, 0x60, size, 0x60, 0, 0xF3])
    return prefix + runtime


RETURN_TOP = bytes.fromhex("60005260206000f3")  # MSTORE at 0, RETURN 32 bytes
CREATE_EMPTY = bytes.fromhex("600060006000f0") + RETURN_TOP
CREATE2_EMPTY = bytes.fromhex("6007600060006000f5") + RETURN_TOP
SHA3_OF_NOTHING = bytes.fromhex("6000600020") + RETURN_TOP


def _output_address(account: Account, contract: bytes) -> bytes:
    receipt = account.transact(contract, b"")
    assert receipt.ok, receipt
    return receipt.output[12:]


def test_create_from_a_contract_uses_the_suite_hash_and_a_nonce_starting_at_zero(
    account: Account,
) -> None:
    factory = account.deploy({"bytecode": "0x" + _deployable(CREATE_EMPTY).hex()})
    first = _output_address(account, factory)
    second = _output_address(account, factory)
    suite = account.suite
    assert first == suite.hash(rlp.encode([factory, 0]))[12:]
    assert second == suite.hash(rlp.encode([factory, 1]))[12:]


def test_create2_uses_the_suite_hash(account: Account) -> None:
    factory = account.deploy({"bytecode": "0x" + _deployable(CREATE2_EMPTY).hex()})
    child = _output_address(account, factory)
    h = account.suite.hash
    assert child == h(b"\xff" + factory + (7).to_bytes(32, "big") + h(b""))[12:]


def test_the_sha3_opcode_stays_keccak_in_both_suites(account: Account) -> None:
    contract = account.deploy({"bytecode": "0x" + _deployable(SHA3_OF_NOTHING).hex()})
    assert account.call(contract, b"") == keccak256(b"")
