"""ABI-bound contracts: functions to call or transact, events to decode or fetch.

A :class:`Contract` joins a :class:`~gateway.chain.client.ChainClient`, an artefact and an
address. Selectors and topics come from the artefact (see :mod:`gateway.chain.artifact`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from gateway.chain.abi import DecodedEvent, EventAbi, FunctionAbi, decode_revert_reason
from gateway.chain.artifact import ContractArtifact
from gateway.chain.errors import CallReverted
from gateway.chain.hexutil import to_hex
from gateway.chain.results import LogEntry, Receipt
from gateway.chain.suite import PrivateKey

if TYPE_CHECKING:
    from gateway.chain.port import ChainPort


def _unwrap(values: tuple[Any, ...]) -> Any:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


class ContractFunction:
    """One function of a deployed contract."""

    def __init__(self, contract: Contract, abi: FunctionAbi, selector: bytes) -> None:
        self.contract = contract
        self.abi = abi
        self.selector = selector

    def encode(self, *args: Any) -> bytes:
        """Calldata: selector followed by the ABI-encoded arguments."""
        return self.abi.encode_call(self.selector, args, self.contract.client.suite)

    def call(self, *args: Any, from_address: str | None = None) -> Any:
        """Run the function read-only; one return value is returned bare, several as a tuple.

        Raises :class:`CallReverted` (with the decoded ``Error(string)`` reason) when the
        node reports a non-zero status.
        """
        client = self.contract.client
        result = client.call(self.contract.address, self.encode(*args), from_address=from_address)
        if not result.ok:
            reason = decode_revert_reason(result.output, client.suite)
            raise CallReverted(result.status, result.status_name, reason, None)
        return _unwrap(self.abi.decode_output(result.output))

    def transact(self, *args: Any, key: PrivateKey, timeout: float | None = None) -> Receipt:
        """Send a signed transaction and wait for its receipt (raises TxReverted on failure)."""
        client = self.contract.client
        return client.send_transaction(
            self.contract.address, self.encode(*args), key, timeout=timeout
        )

    def decode_output(self, output: bytes) -> Any:
        return _unwrap(self.abi.decode_output(output))

    def __repr__(self) -> str:
        return f"<ContractFunction {self.abi.signature} selector={to_hex(self.selector)}>"


class Contract:
    """A deployed contract bound to a client."""

    def __init__(
        self,
        client: ChainPort,
        artifact: ContractArtifact,
        address: str,
        *,
        deploy_receipt: Receipt | None = None,
    ) -> None:
        self.client = client
        self.artifact = artifact
        self.address = "0x" + client.suite.parse_address(address).hex()
        self.deploy_receipt = deploy_receipt
        self._events_by_topic: dict[bytes, EventAbi] = {
            artifact.topic(event, client.suite): event
            for event in artifact.events()
            if not event.anonymous
        }

    def function(self, name_or_signature: str, arg_count: int | None = None) -> ContractFunction:
        abi = self.artifact.function(name_or_signature, arg_count)
        return ContractFunction(self, abi, self.artifact.selector(abi, self.client.suite))

    def call(self, name_or_signature: str, *args: Any, from_address: str | None = None) -> Any:
        return self.function(name_or_signature, len(args)).call(*args, from_address=from_address)

    def transact(
        self, name_or_signature: str, *args: Any, key: PrivateKey, timeout: float | None = None
    ) -> Receipt:
        function = self.function(name_or_signature, len(args))
        return function.transact(*args, key=key, timeout=timeout)

    def event_topic(self, name_or_signature: str) -> bytes:
        return self.artifact.topic(self.artifact.event(name_or_signature), self.client.suite)

    def decode_logs(self, logs: Receipt | Iterable[LogEntry]) -> list[DecodedEvent]:
        """Events of this contract among ``logs`` (other contracts' logs are skipped)."""
        entries = logs.logs if isinstance(logs, Receipt) else logs
        decoded = []
        for log in entries:
            if log.address != self.address or not log.topics:
                continue
            event = self._events_by_topic.get(log.topics[0])
            if event is not None:
                decoded.append(event.decode_log(log))
        return decoded

    def get_events(
        self,
        name_or_signature: str | None = None,
        *,
        from_block: int = 0,
        to_block: int | None = None,
    ) -> list[DecodedEvent]:
        """Events of this contract in a block range, optionally of one event only."""
        topics: list[bytes | list[bytes] | None] | None = None
        if name_or_signature is not None:
            topics = [self.event_topic(name_or_signature)]
        logs = self.client.get_logs(
            from_block=from_block, to_block=to_block, address=self.address, topics=topics
        )
        return self.decode_logs(logs)

    def __repr__(self) -> str:
        return f"<Contract {self.artifact.contract_name or '?'} at {self.address}>"
