"""Signing and sending through the real chain client (HTTP transport) against a devnode."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from eth_abi import encode

from gateway.chain.results import Receipt
from gateway.chain.rpc import FiscoV2Rpc
from gateway.chain.suite import CryptoSuite, PrivateKey
from gateway.chain.transport.http import HttpTransport
from gateway.chain.tx.v2 import (
    SignedTransactionV2,
    TransactionFieldsV2,
    random_nonce,
    sign_transaction,
)

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
ARTEFACTS = ROOT / "contracts" / "build" / "solc-0.8.11"


OPEN_TRANSPORTS: list[HttpTransport] = []


def http_transport(url: str) -> HttpTransport:
    """An HTTP transport closed by the ``close_transports`` fixture after the test."""
    transport = HttpTransport(url)
    OPEN_TRANSPORTS.append(transport)
    return transport


def load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def artefact(name: str) -> dict[str, Any]:
    return dict(json.loads((ARTEFACTS / f"{name}.json").read_text(encoding="utf-8")))


def calldata(art: dict[str, Any], signature: str, types: list[str], args: list[Any]) -> bytes:
    return bytes.fromhex(art["methodIdentifiers"][signature]) + encode(types, args)


class Account:
    """One key sending 2.x transactions to one node through :class:`FiscoV2Rpc` over HTTP."""

    def __init__(
        self, url: str, suite: CryptoSuite, key: PrivateKey, chain_id: int = 1, group_id: int = 1
    ) -> None:
        self.rpc = FiscoV2Rpc(http_transport(url), group_id=group_id)
        self.suite = suite
        self.key = key
        self.chain_id = chain_id
        self.group_id = group_id
        self.address = suite.address_of_key(key)

    @property
    def hex_address(self) -> str:
        return "0x" + self.address.hex()

    def sign(self, to: bytes, data: bytes, **overrides: Any) -> SignedTransactionV2:
        values: dict[str, Any] = {
            "nonce": random_nonce(),
            "gas_price": 0,
            "gas_limit": 30_000_000,
            "block_limit": None,
            "to": to,
            "value": 0,
            "data": data,
            "chain_id": self.chain_id,
            "group_id": self.group_id,
            "extra_data": b"",
        }
        values.update(overrides)
        if values["block_limit"] is None:
            values["block_limit"] = self.rpc.block_number() + 500
        return sign_transaction(TransactionFieldsV2(**values), self.suite, self.key)

    def send(self, to: bytes, data: bytes, **overrides: Any) -> str:
        tx = self.sign(to, data, **overrides)
        tx_hash = self.rpc.send_raw_transaction(tx.raw)
        assert tx_hash == "0x" + tx.tx_hash.hex()
        return tx_hash

    def wait(self, tx_hash: str, timeout: float = 15.0) -> Receipt:
        return wait_receipt(self.rpc, tx_hash, timeout)

    def transact(self, to: bytes, data: bytes) -> Receipt:
        return self.wait(self.send(to, data))

    def deploy(
        self, art: dict[str, Any], types: list[str] | None = None, args: list[Any] | None = None
    ) -> bytes:
        code = bytes.fromhex(art["bytecode"][2:]) + encode(types or [], args or [])
        receipt = self.transact(b"", code)
        assert receipt.ok, receipt
        assert receipt.contract_address is not None
        return bytes.fromhex(receipt.contract_address[2:])

    def call(self, to: bytes, data: bytes) -> bytes:
        result = self.rpc.call(self.hex_address, "0x" + to.hex(), data)
        assert result.ok, result
        return result.output


def wait_receipt(rpc: FiscoV2Rpc, tx_hash: str, timeout: float = 15.0) -> Receipt:
    deadline = time.monotonic() + timeout
    while True:
        receipt = rpc.get_receipt(tx_hash)
        if receipt is not None:
            return receipt
        if time.monotonic() > deadline:
            raise AssertionError(f"no receipt for {tx_hash} after {timeout} s")
        time.sleep(0.02)
