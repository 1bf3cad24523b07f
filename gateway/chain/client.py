"""The chain client: typed, snake_case access to a FISCO BCOS 2.x or 3.x group.

Layering follows web3.py: a transport moves JSON-RPC, a wire dialect (:mod:`.rpc`) knows the
version's method names and shapes, this client builds, signs and sends transactions and waits
for receipts, and :class:`~gateway.chain.contract.Contract` binds an ABI on top. Everything is
passed in through the constructor; nothing happens until a method is called.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.chain.abi import decode_revert_reason, encode_arguments
from gateway.chain.artifact import ContractArtifact
from gateway.chain.contract import Contract, TopicFilter
from gateway.chain.errors import (
    ChainUnavailable,
    ReceiptTimeout,
    ResponseFormatError,
    RpcError,
    TxReverted,
)
from gateway.chain.hexutil import ZERO_ADDRESS, to_hex
from gateway.chain.results import Block, CallResult, ChainTransaction, LogEntry, NodeStatus, Receipt
from gateway.chain.rpc import FiscoV2Rpc, FiscoV3Rpc, NodeRpc
from gateway.chain.status import ALREADY_KNOWN
from gateway.chain.suite import CryptoSuite, PrivateKey
from gateway.chain.transport.base import Transport
from gateway.chain.transport.retry import RetryingTransport, RetryPolicy
from gateway.chain.tx import v2, v3


@dataclass(frozen=True)
class PreparedTransaction:
    """Signed transaction bytes ready to send, and re-send, unchanged."""

    raw: bytes
    tx_hash: str
    sender: str
    block_limit: int
    fisco_version: int


class ChainClient:
    """Blocks, calls, transactions, receipts and logs of one group, for one crypto suite.

    The FISCO BCOS adapter of :class:`gateway.chain.port.ChainPort`.
    """

    vendor = "fisco-bcos"

    def __init__(
        self,
        transport: Transport,
        suite: CryptoSuite,
        group_id: int | str | None = None,
        chain_id: int | str | None = None,
        *,
        fisco_version: int = 2,
        node_name: str = "",
        retry: RetryPolicy | None = None,
        poll_interval: float = 0.5,
        receipt_timeout: float = 30.0,
        block_limit_range: int = v2.BLOCK_LIMIT_RANGE,
        transaction_options: v3.TransactionOptionsV3 | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if fisco_version not in (2, 3):
            raise ValueError("fisco_version is 2 or 3")
        if transaction_options is not None and fisco_version != 3:
            raise ValueError("transaction_options (version, gas, extension) are for 3.x nodes")
        self.transaction_options = transaction_options or v3.TransactionOptionsV3()
        self.suite = suite
        self.fisco_version = fisco_version
        self.retry = retry or RetryPolicy()
        self.poll_interval = poll_interval
        self.receipt_timeout = receipt_timeout
        self.block_limit_range = block_limit_range
        self._sleep = sleep
        self._clock = clock
        reads = RetryingTransport(transport, self.retry, sleep=sleep)
        self.rpc: NodeRpc
        if fisco_version == 2:
            self.group_id: int | str = 1 if group_id is None else int(group_id)
            self.chain_id: int | str = 1 if chain_id is None else int(chain_id)
            self.rpc = FiscoV2Rpc(reads, int(self.group_id))
        else:
            self.group_id = "group0" if group_id is None else str(group_id)
            self.chain_id = "chain0" if chain_id is None else str(chain_id)
            self.rpc = FiscoV3Rpc(reads, str(self.group_id), node_name)
        self._send_rpc = (
            FiscoV2Rpc(transport, int(self.group_id))
            if fisco_version == 2
            else FiscoV3Rpc(transport, str(self.group_id), node_name)
        )

    # -- reads ---------------------------------------------------------------------------

    def block_number(self) -> int:
        return self.rpc.block_number()

    def get_block(self, number: int, *, full_transactions: bool = False) -> Block | None:
        return self.rpc.get_block(number, full_transactions=full_transactions)

    def block_hash(self, number: int) -> str:
        block = self.get_block(number)
        if block is None:
            raise ResponseFormatError(f"the node has no block {number}")
        return block.hash

    def block_timestamp(self, number: int) -> float | None:
        block = self.get_block(number)
        return None if block is None else block.timestamp / 1000

    def get_transaction(self, tx_hash: str) -> ChainTransaction | None:
        return self.rpc.get_transaction(tx_hash)

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt, or ``None`` while the transaction is not committed."""
        return self.rpc.get_receipt(tx_hash)

    def get_code(self, address: str) -> bytes:
        return self.rpc.get_code(self._address(address))

    def status(self) -> NodeStatus:
        return self.rpc.status()

    def call(self, to: str, data: bytes, *, from_address: str | None = None) -> CallResult:
        """Execute ``data`` against ``to`` without a transaction (2.x requires a ``from``)."""
        sender = self._address(from_address) if from_address else ZERO_ADDRESS
        return self.rpc.call(sender, self._address(to), data)

    def _address(self, text: str) -> str:
        return to_hex(self.suite.parse_address(text))

    # -- transactions --------------------------------------------------------------------

    def prepare_transaction(
        self,
        to: str | None,
        data: bytes,
        key: PrivateKey,
        *,
        abi: str = "",
        block_limit: int | None = None,
        options: v3.TransactionOptionsV3 | None = None,
    ) -> PreparedTransaction:
        """Sign a transaction (``to=None`` deploys) with a fresh CSPRNG nonce.

        ``block_limit`` defaults to the current height plus :attr:`block_limit_range`; keep
        the result to re-send the very same transaction later. On 3.x, ``options`` (default
        :attr:`transaction_options`) give the transaction version and its later fields.
        """
        if block_limit is None:
            block_limit = self.block_number() + self.block_limit_range
        target = b"" if not to else self.suite.parse_address(to)
        if self.fisco_version == 2:
            fields = v2.TransactionFieldsV2(
                nonce=v2.random_nonce(),
                gas_price=30_000_000,
                gas_limit=30_000_000,
                block_limit=block_limit,
                to=target,
                value=0,
                data=data,
                chain_id=int(self.chain_id),
                group_id=int(self.group_id),
                extra_data=b"",
            )
            signed2 = v2.sign_transaction(fields, self.suite, key)
            raw, tx_hash, sender = signed2.raw, signed2.tx_hash, signed2.sender
        else:
            tx_data = v3.TransactionDataV3(
                chain_id=str(self.chain_id),
                group_id=str(self.group_id),
                block_limit=block_limit,
                nonce=v3.random_nonce(),
                to=to_hex(target) if target else "",
                input=data,
                abi=abi,
                **(options or self.transaction_options).fields(),  # type: ignore[arg-type]
            )
            signed3 = v3.sign_transaction(tx_data, self.suite, key)
            raw, tx_hash, sender = signed3.raw, signed3.tx_hash, signed3.sender
        return PreparedTransaction(
            raw, to_hex(tx_hash), to_hex(sender), block_limit, self.fisco_version
        )

    def submit(self, prepared: PreparedTransaction) -> Receipt | None:
        """Send ``prepared``; re-send the same bytes while the node is unreachable.

        Returns the receipt when the node gives it at once (3.x), else ``None``. A node that
        answers a re-send with an error but already knows the transaction counts as success.
        """
        delays = self.retry.delays()
        while True:
            try:
                result = self._send_rpc.send_raw_transaction(prepared.raw)
            except ChainUnavailable:
                delay = next(delays, None)
                if delay is None:
                    raise
                self._sleep(delay)
                continue
            except RpcError as exc:
                if exc.rpc_code in ALREADY_KNOWN[self.fisco_version] or self._node_knows(prepared):
                    return None
                raise
            break
        if result is None or isinstance(result, Receipt):
            return result
        if result != prepared.tx_hash:
            raise ResponseFormatError(
                f"node reported transaction hash {result}, computed {prepared.tx_hash}"
            )
        return None

    def _node_knows(self, prepared: PreparedTransaction) -> bool:
        return self.rpc.get_transaction(prepared.tx_hash) is not None

    def send_prepared(
        self, prepared: PreparedTransaction, *, timeout: float | None = None, check: bool = True
    ) -> Receipt:
        receipt = self.submit(prepared)
        if receipt is None:
            receipt = self.wait_for_receipt(prepared.tx_hash, timeout)
        if check:
            self.check_receipt(receipt)
        return receipt

    def send_transaction(
        self,
        to: str | None,
        data: bytes,
        key: PrivateKey,
        *,
        timeout: float | None = None,
        check: bool = True,
        abi: str = "",
    ) -> Receipt:
        """Sign, send, wait for the receipt; raise :class:`TxReverted` if it failed."""
        prepared = self.prepare_transaction(to, data, key, abi=abi)
        return self.send_prepared(prepared, timeout=timeout, check=check)

    def wait_for_receipt(self, tx_hash: str, timeout: float | None = None) -> Receipt:
        """Poll until the receipt exists (2.x returns ``null`` until commit)."""
        limit = self.receipt_timeout if timeout is None else timeout
        deadline = self._clock() + limit
        while True:
            receipt = self.get_receipt(tx_hash)
            if receipt is not None:
                return receipt
            if self._clock() >= deadline:
                raise ReceiptTimeout(tx_hash, limit)
            self._sleep(self.poll_interval)

    def check_receipt(self, receipt: Receipt) -> Receipt:
        """Raise :class:`TxReverted` (with the decoded reason) unless the status is 0."""
        if not receipt.ok:
            reason = decode_revert_reason(receipt.output, self.suite) or receipt.message or None
            raise TxReverted(receipt.status, receipt.status_name, reason, receipt)
        return receipt

    # -- contracts -----------------------------------------------------------------------

    def deploy(
        self,
        artifact: ContractArtifact,
        *args: Any,
        key: PrivateKey,
        timeout: float | None = None,
    ) -> Contract:
        """Deploy ``artifact`` with constructor ``args``; the receipt is ``deploy_receipt``."""
        constructor = artifact.constructor()
        data = artifact.bytecode + encode_arguments(constructor.input_types, args, self.suite)
        abi = (
            json.dumps(list(artifact.abi), separators=(",", ":")) if self.fisco_version == 3 else ""
        )
        receipt = self.send_transaction(None, data, key, timeout=timeout, abi=abi)
        if receipt.contract_address is None:
            raise ResponseFormatError("deploy receipt has no contract address")
        return Contract(self, artifact, receipt.contract_address, deploy_receipt=receipt)

    def contract(self, artifact: ContractArtifact, address: str) -> Contract:
        return Contract(self, artifact, address)

    def get_logs(
        self,
        *,
        from_block: int = 0,
        to_block: int | None = None,
        address: str | None = None,
        topics: Sequence[TopicFilter] | None = None,
    ) -> list[LogEntry]:
        """Logs in ``[from_block, to_block]`` from receipts, filtered like ``eth_getLogs``."""
        last = self.block_number() if to_block is None else to_block
        wanted = None if address is None else address.lower()
        found: list[LogEntry] = []
        for number in range(from_block, last + 1):
            block = self.get_block(number)
            if block is None:
                continue
            for tx_hash in block.transaction_hashes:
                receipt = self.get_receipt(tx_hash)
                if receipt is None:
                    continue
                for log in receipt.logs:
                    if (wanted is None or log.address == wanted) and _topics_match(log, topics):
                        found.append(log)
        return found


def _topics_match(log: LogEntry, topics: Sequence[TopicFilter] | None) -> bool:
    if not topics:
        return True
    if len(log.topics) < len(topics):
        return False
    for position, expected in enumerate(topics):
        if expected is None:
            continue
        options = expected if isinstance(expected, list) else [expected]
        if log.topics[position] not in options:
            return False
    return True
