"""The contract tests' view of a chain: deploy, transact, call, through the real chain client.

Thin on purpose: it only binds the test vocabulary (accounts, events by name, revert reasons)
to :class:`gateway.chain.client.ChainClient` and :class:`gateway.chain.contract.Contract`, so
every test goes through the client's encoding, signing, HTTP transport and receipt handling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.chain.artifact import ContractArtifact
from gateway.chain.client import ChainClient
from gateway.chain.contract import Contract
from gateway.chain.errors import TxReverted
from gateway.chain.suite import PrivateKey

BUILD_DIR = Path(__file__).resolve().parents[2] / "contracts" / "build"


@dataclass(frozen=True)
class Account:
    """A member, office or gateway account: an SM2 key and the address derived from it."""

    key: PrivateKey
    public_key: bytes  # 64 bytes, X || Y
    address: bytes

    @property
    def hex(self) -> str:
        return "0x" + self.address.hex()


@dataclass(frozen=True)
class Event:
    name: str
    args: dict[str, Any]


class AllianceChain:
    """Contracts of one build (``solc-0.6.10`` or ``solc-0.8.11``) on one chain."""

    reverted_error = TxReverted  # calls raise its subclass CallReverted

    def __init__(self, client: ChainClient, build: str) -> None:
        self.client = client
        self.build = build
        self._artefacts: dict[str, ContractArtifact] = {}

    def artefact(self, name: str) -> ContractArtifact:
        if name not in self._artefacts:
            self._artefacts[name] = ContractArtifact.from_file(
                BUILD_DIR / self.build / f"{name}.json"
            )
        return self._artefacts[name]

    def new_account(self) -> Account:
        suite = self.client.suite
        key = suite.generate_key()
        public_key = suite.public_key_of(key)
        return Account(key, public_key, suite.address_of(public_key))

    def deploy(self, name: str, *args: Any, sender: Account) -> Contract:
        return self.client.deploy(self.artefact(name), *args, key=sender.key)

    def transact(
        self, contract: Contract, function: str, *args: Any, sender: Account
    ) -> list[Event]:
        receipt = contract.transact(function, *args, key=sender.key)
        return [Event(event.name, event.args) for event in contract.decode_logs(receipt)]

    def call(self, contract: Contract, function: str, *args: Any) -> Any:
        return contract.call(function, *args)
