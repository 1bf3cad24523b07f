"""The chain port: what the gateway needs from a ledger node, whatever its vendor.

:class:`~gateway.chain.contract.Contract`, the alliance deployment
(:mod:`gateway.onchain.deployment`), the chain runtime and the handover code need exactly
this much from a node; two adapters provide it:

- :class:`gateway.chain.client.ChainClient`: FISCO BCOS 2.x / 3.x (SM2/SM3 or ECDSA suites,
  a real node or the embedded devnode);
- :class:`gateway.evm.client.EvmClient`: an Ethereum JSON-RPC node of an EVM consortium chain
  (Hyperledger Besu, GoQuorum, Hardhat Network): secp256k1, Keccak-256, EIP-155 / EIP-1559
  transactions, built on web3.py and eth-account.

Receipts keep FISCO's convention that status ``0`` means success, so a revert is a
:class:`~gateway.chain.errors.TxReverted` on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from gateway.chain.contract import ContractClient
from gateway.chain.results import Receipt
from gateway.chain.suite import CryptoSuite, PrivateKey

if TYPE_CHECKING:
    from gateway.chain.artifact import ContractArtifact
    from gateway.chain.contract import Contract

FISCO_BCOS = "fisco-bcos"
EVM = "evm"
VENDORS = (FISCO_BCOS, EVM)


class ChainPort(ContractClient, Protocol):
    """One chain (one FISCO group, one EVM network) as the gateway uses it: what a contract
    needs (:class:`ContractClient`: calls, transactions, logs) and blocks, code, deployment."""

    vendor: str
    suite: CryptoSuite

    def block_number(self) -> int: ...

    def block_hash(self, number: int) -> str:
        """The ``0x`` hash of block ``number`` (the chain's own block hash function)."""
        ...

    def block_timestamp(self, number: int) -> float | None:
        """Seconds since the epoch at which block ``number`` was sealed; None if unknown."""
        ...

    def get_receipt(self, tx_hash: str) -> Receipt | None: ...

    def get_code(self, address: str) -> bytes: ...

    def deploy(
        self, artifact: ContractArtifact, *args: Any, key: PrivateKey, timeout: float | None = None
    ) -> Contract: ...

    def contract(self, artifact: ContractArtifact, address: str) -> Contract: ...
