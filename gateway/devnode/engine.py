"""Contract execution with py-evm at the state level, with FISCO BCOS 2.x semantics.

py-evm's block machinery (``MiningChain.apply_transaction``) rebuilds the block tries on
every transaction, so the devnode drives py-evm's *state* directly: one ``State`` per block
over the flat state of :mod:`gateway.devnode.state`, one message per transaction, one change
set per block. What it changes to behave as a FISCO BCOS 2.x node
(``libexecutive/Executive.cpp``):

* gas: every transaction runs with the chain's ``tx_gas_limit`` (default 300000000) minus
  the intrinsic cost, whatever its own ``gas`` field says; there is no gas price, no fee,
  no balance check and no value transfer;
* the account nonce moves only on contract creation, and a new contract starts at nonce 0;
  the created address is ``H(rlp([sender, nonce]))[12:]`` with the suite hash H (SM3 on a
  guomi chain, Keccak-256 otherwise), for deploy transactions and the CREATE opcode alike;
  CREATE2 uses ``H(0xff ‖ sender ‖ salt ‖ H(init))[12:]``;
* a call to an address without code fails with status 0x1a ``CallAddressError`` and the
  ``Error(string)`` output ``"Error address:<hex>"`` (FISCO BCOS ≥ 2.3).

The EVM itself keeps Keccak-256 for the SHA3 opcode: the contracts are compiled by standard
solc, whose selectors and storage layout assume it (a guomi node runs solc-gm output with
SM3 inside the EVM instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import rlp
from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.exceptions import (
    ContractCreationCollision,
    FullStack,
    InsufficientFunds,
    InsufficientStack,
    InvalidInstruction,
    InvalidJumpDestination,
    OutOfGas,
    ReservedBytesInCode,
    Revert,
    StackDepthLimit,
    VMError,
)
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.berlin.logic import Create2EIP2929, CreateEIP2929
from eth.vm.forks.london.computation import LondonComputation
from eth.vm.forks.london.opcodes import LONDON_OPCODES
from eth.vm.forks.london.state import LondonState
from eth.vm.message import Message
from eth.vm.transaction_context import BaseTransactionContext
from eth_abi import encode as abi_encode
from eth_typing import Address, BlockNumber, Hash32
from eth_utils.toolz import merge

from gateway.devnode import status
from gateway.devnode.state import FlatAccountDB, FlatState, StateChanges

DEFAULT_TX_GAS_LIMIT = 300_000_000
EMPTY_ROOT = b"\x00" * 32  # state root of the genesis block (no state yet)
ZERO_ADDRESS = b"\x00" * 20
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string), from the compiler, not the suite
_ETH_PRECOMPILES = frozenset((i).to_bytes(20, "big") for i in range(1, 10))
_TX_GAS = 21_000
_JUMP_ANALYSIS: dict[bytes, tuple[set[int], set[int]]] = {}
_JUMP_ANALYSIS_LIMIT = 512
_CREATE_GAS = 32_000


@dataclass(frozen=True)
class LogEntry:
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class ExecutionResult:
    """What a receipt needs from one execution."""

    status: int
    output: bytes
    gas_used: int
    contract_address: bytes
    logs: tuple[LogEntry, ...]


def intrinsic_gas(data: bytes, is_create: bool) -> int:
    """Base cost of a transaction (Istanbul schedule, EIP-2028 calldata prices)."""
    zeros = data.count(0)
    return _TX_GAS + (_CREATE_GAS if is_create else 0) + 4 * zeros + 16 * (len(data) - zeros)


def error_string_output(text: str) -> bytes:
    """Solidity ``Error(string)`` payload, as FISCO writes it into a failed receipt."""
    return ERROR_SELECTOR + abi_encode(["string"], [text])


def _status_of(error: VMError) -> int:
    """Map a py-evm execution error to the FISCO 2.x receipt status (``TransactionException``)."""
    if isinstance(error, Revert):
        return status.REVERT_INSTRUCTION
    if isinstance(error, OutOfGas):
        return status.OUT_OF_GAS
    if isinstance(error, InvalidJumpDestination):
        return status.BAD_JUMP_DESTINATION
    if isinstance(error, InvalidInstruction | ReservedBytesInCode):
        return status.BAD_INSTRUCTION
    if isinstance(error, FullStack | StackDepthLimit):
        return status.OUT_OF_STACK
    if isinstance(error, InsufficientStack):
        return status.STACK_UNDERFLOW
    if isinstance(error, ContractCreationCollision):
        return status.ADDRESS_ALREADY_USED
    if isinstance(error, InsufficientFunds):
        return status.NOT_ENOUGH_CASH
    return status.UNKNOWN


def _build_computation_class(hash_fn: Callable[[bytes], bytes], name: str) -> type[Any]:
    """A London computation whose CREATE/CREATE2 addresses and new-contract nonces follow FISCO."""

    class FiscoCreate(CreateEIP2929):
        def generate_contract_address(
            self, stack_data: Any, call_data: bytes, computation: ComputationAPI
        ) -> Address:
            creator = computation.msg.storage_address
            nonce = computation.state.get_nonce(creator)
            computation.state.increment_nonce(creator)
            return Address(hash_fn(rlp.encode([creator, nonce]))[12:])

    class FiscoCreate2(Create2EIP2929):
        def generate_contract_address(
            self, stack_data: Any, call_data: bytes, computation: ComputationAPI
        ) -> Address:
            creator = computation.msg.storage_address
            computation.state.increment_nonce(creator)
            salt = stack_data.salt.to_bytes(32, "big")
            return Address(hash_fn(b"\xff" + creator + salt + hash_fn(call_data))[12:])

    opcodes = merge(
        LONDON_OPCODES,
        {
            0xF0: FiscoCreate.configure(
                __name__="opcode:CREATE", mnemonic="CREATE", gas_cost=32000
            )(),
            0xF5: FiscoCreate2.configure(
                __name__="opcode:CREATE2", mnemonic="CREATE2", gas_cost=32000
            )(),
        },
    )

    class FiscoComputation(LondonComputation):
        def __init__(self, state: StateAPI, message: MessageAPI, context: Any) -> None:
            super().__init__(state, message, context)
            # py-evm re-derives which positions are PUSH data for every message; the answer
            # depends only on the code, so share it between executions of the same code.
            shared = _JUMP_ANALYSIS.get(message.code)
            if shared is None:
                if len(_JUMP_ANALYSIS) >= _JUMP_ANALYSIS_LIMIT:
                    _JUMP_ANALYSIS.clear()
                shared = _JUMP_ANALYSIS[message.code] = (set(), set())
            stream: Any = self.code  # a CodeStream; the API type does not name these sets
            stream.invalid_positions, stream.valid_positions = shared

        @classmethod
        def apply_create_message(
            cls,
            state: StateAPI,
            message: MessageAPI,
            transaction_context: TransactionContextAPI,
            parent_computation: ComputationAPI | None = None,
        ) -> ComputationAPI:
            # As LondonComputation, but without EIP-161's "new contract starts at nonce 1":
            # FISCO sets the new account's nonce to the start nonce 0 (Executive::executeCreate).
            snapshot = state.snapshot()
            computation = cls.apply_message(
                state, message, transaction_context, parent_computation=parent_computation
            )
            if computation.is_error:
                state.revert(snapshot)
                return computation
            code = computation.output
            if code:
                try:
                    cls.validate_contract_code(code)
                    computation.consume_gas(len(code) * 200, reason="code deposit")
                except VMError as exc:
                    computation.error = exc
                    state.revert(snapshot)
                    return computation
                state.set_code(message.storage_address, code)
            state.commit(snapshot)
            return computation

    FiscoComputation.opcodes = opcodes
    FiscoComputation.__name__ = f"FiscoComputation_{name}"
    return FiscoComputation


class _FiscoTransactionContext(BaseTransactionContext):
    pass


@dataclass(frozen=True)
class BlockContext:
    number: int
    timestamp_ms: int
    sealer: bytes  # 20-byte coinbase address
    prev_hashes: tuple[bytes, ...] = ()


class Engine:
    """Executes FISCO 2.x transactions and calls on py-evm state for one crypto suite."""

    def __init__(
        self,
        hash_fn: Callable[[bytes], bytes],
        suite_name: str,
        flat_state: FlatState,
        chain_id: int = 1,
        tx_gas_limit: int = DEFAULT_TX_GAS_LIMIT,
    ) -> None:
        self._hash = hash_fn
        self.flat_state = flat_state
        self._chain_id = chain_id
        self.tx_gas_limit = tx_gas_limit
        computation_class = _build_computation_class(hash_fn, suite_name)
        self._state_class = LondonState.configure(
            __name__=f"FiscoState_{suite_name}",
            computation_class=computation_class,
            transaction_context_class=_FiscoTransactionContext,
            account_db_class=FlatAccountDB,
        )

    def open_state(self, state_root: bytes, block: BlockContext) -> StateAPI:
        context = ExecutionContext(
            coinbase=Address(block.sealer),
            # FISCO BCOS hands the EVM the block header's time: milliseconds since the epoch.
            timestamp=block.timestamp_ms,
            block_number=BlockNumber(block.number),
            difficulty=0,
            mix_hash=Hash32(b"\x00" * 32),
            gas_limit=self.tx_gas_limit,
            prev_hashes=[Hash32(h) for h in block.prev_hashes],
            chain_id=self._chain_id,
            base_fee_per_gas=0,
        )
        # The state's "database" is the flat state; FlatAccountDB is the only code using it.
        db: Any = self.flat_state
        state: StateAPI = self._state_class(db, context, Hash32(state_root))
        return state

    def contract_address(self, sender: bytes, nonce: int) -> bytes:
        return self._hash(rlp.encode([sender, nonce]))[12:]

    def execute(
        self, state: StateAPI, sender: bytes, to: bytes, data: bytes, *, deploy: bool
    ) -> ExecutionResult:
        """Apply one transaction (or call) to ``state``; changes stay in the state journal."""
        base = intrinsic_gas(data, deploy)
        if base > self.tx_gas_limit:
            return ExecutionResult(status.OUT_OF_GAS_INTRINSIC, b"", 0, ZERO_ADDRESS, ())
        gas = self.tx_gas_limit - base
        context = _FiscoTransactionContext(gas_price=0, origin=Address(sender))
        computation_class = state.computation_class
        state.mark_address_warm(Address(sender))
        if deploy:
            nonce = state.get_nonce(Address(sender))
            address = Address(self.contract_address(sender, nonce))
            state.increment_nonce(Address(sender))  # FISCO increments before the savepoint
            if state.has_code_or_nonce(address):
                return ExecutionResult(
                    status.ADDRESS_ALREADY_USED, b"", self.tx_gas_limit, ZERO_ADDRESS, ()
                )
            state.mark_address_warm(address)
            message = Message(
                gas=gas,
                to=CREATE_CONTRACT_ADDRESS,
                sender=Address(sender),
                value=0,
                data=b"",
                code=data,
                create_address=address,
            )
            computation = computation_class.apply_create_message(state, message, context)
        else:
            code = state.get_code(Address(to))
            if not code and to not in _ETH_PRECOMPILES:
                output = error_string_output("Error address:" + to.hex())
                return ExecutionResult(status.CALL_ADDRESS_ERROR, output, base, ZERO_ADDRESS, ())
            state.mark_address_warm(Address(to))
            message = Message(
                gas=gas, to=Address(to), sender=Address(sender), value=0, data=data, code=code
            )
            computation = computation_class.apply_message(state, message, context)
        if not computation.is_error:
            for account in computation.get_accounts_for_deletion():
                state.delete_account(account)
        return self._result(computation, base, gas, deploy)

    def _result(
        self, computation: ComputationAPI, base: int, gas: int, deploy: bool
    ) -> ExecutionResult:
        remaining = computation.get_gas_remaining()
        if computation.is_error:
            error = computation.error
            code = _status_of(error)
            output = computation.output if isinstance(error, Revert) else b""
            return ExecutionResult(code, output, base + gas - remaining, ZERO_ADDRESS, ())
        used = gas - remaining
        used -= min(computation.get_gas_refund(), used // 5)
        logs = tuple(
            LogEntry(address, tuple(t.to_bytes(32, "big") for t in topics), data)
            for address, topics, data in computation.get_log_entries()
        )
        address = bytes(computation.msg.storage_address) if deploy else ZERO_ADDRESS
        return ExecutionResult(
            status.OK, computation.output if not deploy else b"", base + used, address, logs
        )

    def run_block(
        self,
        state_root: bytes,
        block: BlockContext,
        transactions: Iterable[tuple[bytes, bytes, bytes, bool]],
    ) -> tuple[list[ExecutionResult], bytes, StateChanges]:
        """Execute ``(sender, to, data, deploy)`` tuples in order on the committed state.

        Returns the results, the new state root (``H(parent_root ‖ H(changes))``) and the
        block's state changes, for the store to write with the block. Only the sealer calls
        this, and committed state changes only through its own :meth:`FlatState.apply`.
        """
        state = self.open_state(state_root, block)
        results = []
        for sender, to, data, deploy in transactions:
            results.append(self.execute(state, sender, to, data, deploy=deploy))
            state.lock_changes()
        changes: StateChanges = state.persist()  # type: ignore[assignment]
        new_root = self._hash(state_root + changes.digest(self._hash))
        return results, new_root, changes

    def call(
        self, state_root: bytes, block: BlockContext, sender: bytes, to: bytes, data: bytes
    ) -> ExecutionResult:
        """A read-only call against the committed state; nothing is kept."""
        with self.flat_state.reading():
            state = self.open_state(state_root, block)
            return self.execute(state, sender, to, data, deploy=False)

    def get_code(self, address: bytes) -> bytes:
        with self.flat_state.reading():
            state = self.open_state(EMPTY_ROOT, BlockContext(0, 0, ZERO_ADDRESS))
            return bytes(state.get_code(Address(address)))
