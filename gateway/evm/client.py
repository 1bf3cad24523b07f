"""The EVM adapter of the chain port: an Ethereum JSON-RPC node of a consortium chain.

Hyperledger Besu, GoQuorum or Hardhat Network: secp256k1 accounts, Keccak-256, transactions
signed by eth-account as EIP-1559 (type 2, EIP-2718 envelope) or legacy EIP-155 ones (for
free-gas networks that run with ``gasPrice = 0``), sent and read through web3.py. Calldata is
encoded by the same eth-abi layer as on FISCO BCOS (:mod:`gateway.chain.abi`), so the same
artefacts (``contracts/build/solc-0.8.11``, Keccak selectors) drive both chains.

Receipts follow the port's convention: status ``0`` is success, ``1`` a revert (EVM receipts
say ``0x1`` and ``0x0``). EVM receipts carry no revert data, so before signing the
transaction is estimated (``eth_estimateGas``), which runs it and returns the revert reason;
a transaction that would revert is refused with :class:`TxReverted` and never sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, TransactionNotFound, Web3Exception
from web3.providers import HTTPProvider

from gateway.chain.abi import decode_revert_reason, encode_arguments
from gateway.chain.contract import Contract
from gateway.chain.errors import (
    ChainUnavailable,
    ReceiptTimeout,
    ResponseFormatError,
    RpcError,
    SuiteMismatch,
    TxReverted,
)
from gateway.chain.results import CallResult, LogEntry, Receipt
from gateway.chain.suite import ECDSA_SUITE, PrivateKey
from gateway.crypto.secp256k1 import Secp256k1PrivateKey

if TYPE_CHECKING:
    from gateway.chain.artifact import ContractArtifact
    from gateway.chain.client import TopicFilter

STATUS_REVERTED = 1
EIP1559 = "eip1559"
LEGACY = "legacy"
GAS_HEADROOM = 1.25


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value) if str(value).startswith("0x") else "0x" + str(value)


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return bytes.fromhex(str(value).removeprefix("0x"))


def _revert_data(exc: ContractLogicError) -> bytes:
    data = exc.data
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""


class EvmClient:
    """:class:`gateway.chain.port.ChainPort` over Ethereum JSON-RPC (web3.py, eth-account)."""

    vendor = "evm"
    suite = ECDSA_SUITE
    fisco_version = 0

    def __init__(
        self,
        url: str,
        chain_id: int,
        *,
        timeout: float = 10.0,
        transaction_type: str = EIP1559,
        gas_price: int | None = None,
        poll_interval: float = 0.05,
        receipt_timeout: float = 30.0,
        web3: Web3 | None = None,
    ) -> None:
        if transaction_type not in (EIP1559, LEGACY):
            raise ValueError("transaction_type is eip1559 or legacy")
        self.url = url
        self.w3 = web3 or Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
        self._chain_id = int(chain_id)
        self.transaction_type = transaction_type
        self.gas_price = gas_price
        self.poll_interval = poll_interval
        self.receipt_timeout = receipt_timeout
        self._nonces: dict[str, int] = {}
        self._lock = threading.Lock()
        self._checked_chain = False

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def group_id(self) -> str:
        return "evm"

    def _rpc(self, read: Callable[[], Any]) -> Any:
        """Run a web3 call, mapping its failures onto the chain package's typed errors."""
        try:
            return read()
        except ContractLogicError:
            raise
        except (TimeExhausted, TransactionNotFound):
            raise
        except (OSError, Web3Exception) as exc:
            message = getattr(exc, "message", None) or str(exc)
            if isinstance(exc, OSError) or "connect" in type(exc).__name__.lower():
                raise ChainUnavailable(f"{self.url}: {message}") from exc
            raise RpcError(-32000, str(message)) from exc
        except ValueError as exc:  # a JSON-RPC error object (web3 raises ValueError subclasses)
            raise RpcError(-32000, str(exc)) from exc

    def _check_chain(self) -> None:
        if self._checked_chain:
            return
        reported = int(self._rpc(lambda: self.w3.eth.chain_id))
        if reported != self._chain_id:
            raise ResponseFormatError(
                f"the node at {self.url} is chain {reported}, not chain {self._chain_id}"
            )
        self._checked_chain = True

    # -- reads ---------------------------------------------------------------------------

    def block_number(self) -> int:
        return int(self._rpc(lambda: self.w3.eth.block_number))

    def block_hash(self, number: int) -> str:
        block = self._rpc(lambda: self.w3.eth.get_block(number))
        return _hex(block["hash"])

    def block_timestamp(self, number: int) -> float | None:
        block = self._rpc(lambda: self.w3.eth.get_block(number))
        return float(block["timestamp"])

    def get_code(self, address: str) -> bytes:
        return bytes(self._rpc(lambda: self.w3.eth.get_code(self._checksum(address))))

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        try:
            raw = self._rpc(lambda: self.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        return self._receipt(raw)

    def call(self, to: str, data: bytes, *, from_address: str | None = None) -> CallResult:
        request: dict[str, Any] = {"to": self._checksum(to), "data": _hex(data)}
        if from_address:
            request["from"] = self._checksum(from_address)
        height = self.block_number()
        try:
            output = self._rpc(lambda: self.w3.eth.call(request))  # type: ignore[arg-type]
        except ContractLogicError as exc:
            return CallResult(_revert_data(exc), STATUS_REVERTED, "Reverted", height)
        return CallResult(bytes(output), 0, "None", height)

    def get_logs(
        self,
        *,
        from_block: int = 0,
        to_block: int | None = None,
        address: str | None = None,
        topics: Sequence[TopicFilter] | None = None,
    ) -> list[LogEntry]:
        query: dict[str, Any] = {
            "fromBlock": from_block,
            "toBlock": "latest" if to_block is None else to_block,
        }
        if address:
            query["address"] = self._checksum(address)
        if topics:
            query["topics"] = [
                None
                if topic is None
                else [_hex(t) for t in topic]
                if isinstance(topic, list)
                else _hex(topic)
                for topic in topics
            ]
        return [self._log(log) for log in self._rpc(lambda: self.w3.eth.get_logs(query))]  # type: ignore[arg-type]

    # -- transactions --------------------------------------------------------------------

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
        """Estimate, sign (eth-account), send and wait; raise :class:`TxReverted` on a revert."""
        if not isinstance(key, Secp256k1PrivateKey):
            raise SuiteMismatch("an EVM chain signs with a secp256k1 key")
        self._check_chain()
        account = Account.from_key(key.to_bytes())
        request: dict[str, Any] = {"from": account.address, "data": _hex(data), "value": 0}
        if to:
            request["to"] = self._checksum(to)
        try:
            gas = int(self._rpc(lambda: self.w3.eth.estimate_gas(request)))  # type: ignore[arg-type]
        except ContractLogicError as exc:
            reason = decode_revert_reason(_revert_data(exc), self.suite) or exc.message
            raise TxReverted(STATUS_REVERTED, "Reverted", reason, None) from exc
        request["gas"] = int(gas * GAS_HEADROOM) + 10_000
        request["chainId"] = self._chain_id
        request.update(self._fees())
        with self._lock:
            pending = int(
                self._rpc(lambda: self.w3.eth.get_transaction_count(account.address, "pending"))
            )
            nonce = max(pending, self._nonces.get(account.address, 0))
            request["nonce"] = nonce
            signed = Account.sign_transaction(request, key.to_bytes())
            tx_hash = _hex(
                self._rpc(lambda: self.w3.eth.send_raw_transaction(signed.raw_transaction))
            )
            self._nonces[account.address] = nonce + 1
        receipt = self.wait_for_receipt(tx_hash, timeout)
        if check and not receipt.ok:
            raise TxReverted(receipt.status, receipt.status_name, None, receipt)
        return receipt

    def _fees(self) -> dict[str, int]:
        if self.transaction_type == LEGACY:
            price = self.gas_price
            if price is None:
                price = int(self._rpc(lambda: self.w3.eth.gas_price))
            return {"gasPrice": price}
        base = int(self._rpc(lambda: self.w3.eth.get_block("latest")).get("baseFeePerGas", 0))
        tip = self.gas_price if self.gas_price is not None else 0
        if self.gas_price is None:
            tip = int(self._rpc(lambda: self.w3.eth.max_priority_fee))
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def wait_for_receipt(self, tx_hash: str, timeout: float | None = None) -> Receipt:
        limit = self.receipt_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            receipt = self.get_receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() >= deadline:
                raise ReceiptTimeout(tx_hash, limit)
            time.sleep(self.poll_interval)

    # -- contracts -----------------------------------------------------------------------

    def deploy(
        self, artifact: ContractArtifact, *args: Any, key: PrivateKey, timeout: float | None = None
    ) -> Contract:
        constructor = artifact.constructor()
        data = artifact.bytecode + encode_arguments(constructor.input_types, args, self.suite)
        receipt = self.send_transaction(None, data, key, timeout=timeout)
        if receipt.contract_address is None:
            raise ResponseFormatError("deploy receipt has no contract address")
        return Contract(self, artifact, receipt.contract_address, deploy_receipt=receipt)

    def contract(self, artifact: ContractArtifact, address: str) -> Contract:
        return Contract(self, artifact, address)

    # -- shapes --------------------------------------------------------------------------

    def _checksum(self, address: str) -> ChecksumAddress:
        return Web3.to_checksum_address("0x" + self.suite.parse_address(address).hex())

    @staticmethod
    def _log(raw: Any) -> LogEntry:
        return LogEntry(
            address=str(raw["address"]).lower(),
            topics=tuple(_bytes(topic) for topic in raw["topics"]),
            data=_bytes(raw["data"]),
            block_number=int(raw["blockNumber"]),
            transaction_hash=_hex(raw["transactionHash"]),
            log_index=int(raw["logIndex"]),
        )

    def _receipt(self, raw: Any) -> Receipt:
        ok = int(raw["status"]) == 1
        contract = raw.get("contractAddress")
        return Receipt(
            transaction_hash=_hex(raw["transactionHash"]),
            block_number=int(raw["blockNumber"]),
            status=0 if ok else STATUS_REVERTED,
            status_name="None" if ok else "Reverted",
            fisco_version=0,
            output=b"",
            logs=tuple(self._log(log) for log in raw["logs"]),
            gas_used=int(raw["gasUsed"]),
            from_address=str(raw["from"]).lower(),
            to_address=str(raw["to"]).lower() if raw.get("to") else None,
            contract_address=str(contract).lower() if contract else None,
            block_hash=_hex(raw["blockHash"]),
            transaction_index=int(raw["transactionIndex"]),
            raw=dict(raw),
        )
