"""One suite for both adapters of the chain port: the FISCO BCOS devnode (SM2/SM3) and a real
EVM node (Hardhat Network, secp256k1/Keccak-256, EIP-1559 and legacy EIP-155 transactions).

The same committed artefacts (solc 0.8.11) are deployed on each; evidence is anchored, read
back and its receipts checked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.chain.client import ChainClient
from gateway.chain.errors import (
    CallReverted,
    ChainUnavailable,
    ResponseFormatError,
    SuiteMismatch,
    TxReverted,
)
from gateway.chain.port import ChainPort
from gateway.chain.suite import SM_SUITE, PrivateKey
from gateway.chain.transport.http import HttpTransport
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.devnode.testing import running_devnode
from gateway.evm.client import LEGACY, EvmClient
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.deployment import Deployment, deploy_alliance
from tests.evm_support import EvmNode, hardhat_node

ROOT_1 = "0x" + "11" * 32
ROOT_2 = "0x" + "22" * 32
ZERO = "0x" + "00" * 32


@dataclass
class Chain:
    client: ChainPort
    key: PrivateKey
    deployment: Deployment


@pytest.fixture(scope="module")
def evm_node() -> Iterator[EvmNode]:
    with hardhat_node() as node:
        yield node


def _funded_key(node: EvmNode) -> Secp256k1PrivateKey:
    key = Secp256k1PrivateKey.generate()
    node.fund(address_of(key.public_key))
    return key


@pytest.fixture(params=["fisco-devnode", "evm-eip1559", "evm-legacy"])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chain]:
    artifacts = load_artifacts()
    if request.param == "fisco-devnode":
        with running_devnode(tmp_path, "sm", block_interval=0.02) as (url, _node):
            client: ChainPort = ChainClient(HttpTransport(url), SM_SUITE, 1, 1, poll_interval=0.02)
            key: PrivateKey = Sm2PrivateKey.generate()
            yield Chain(client, key, deploy_alliance(client, key, artifacts))
        return
    node: EvmNode = request.getfixturevalue("evm_node")
    kind = LEGACY if request.param == "evm-legacy" else "eip1559"
    client = EvmClient(node.url, node.chain_id, transaction_type=kind)
    key = _funded_key(node)
    yield Chain(client, key, deploy_alliance(client, key, artifacts))


def test_the_alliance_deploys_and_evidence_is_anchored_and_read_back(chain: Chain) -> None:
    client, key = chain.client, chain.key
    artifacts = load_artifacts()
    for name, deployed in chain.deployment.contracts.items():
        assert client.get_code(deployed.address) == artifacts[name].deployed_bytecode, name
    ledger = client.contract(
        artifacts["EvidenceLedger"], chain.deployment.address("EvidenceLedger")
    )

    receipt = ledger.transact("anchorBatch", bytes.fromhex(ROOT_1[2:]), 3, 1, 3, bytes(32), key=key)
    assert receipt.ok and receipt.block_hash == client.block_hash(receipt.block_number)
    assert client.get_receipt(receipt.transaction_hash) == receipt
    (event,) = ledger.decode_logs(receipt)
    assert event.name == "BatchAnchored" and event.args["count"] == 3
    assert event.args["gateway"] == address_of(key.public_key)
    assert [e.args["root"] for e in ledger.get_events("BatchAnchored")] == [
        bytes.fromhex(ROOT_1[2:])
    ]

    _index, count, first, last, *_ = ledger.call("batchByRoot", bytes.fromhex(ROOT_1[2:]))
    assert (count, first, last) == (3, 1, 3)
    assert ledger.call("nextSequence") == 4
    stamp = client.block_timestamp(receipt.block_number)
    assert stamp is not None and stamp > 1.7e9


def test_reverts_carry_the_contracts_reason(chain: Chain) -> None:
    ledger = chain.client.contract(
        load_artifacts()["EvidenceLedger"], chain.deployment.address("EvidenceLedger")
    )
    with pytest.raises(TxReverted, match="sequence does not continue the last anchor"):
        ledger.transact("anchorBatch", bytes.fromhex(ROOT_2[2:]), 1, 5, 5, bytes(32), key=chain.key)
    with pytest.raises(CallReverted, match="unknown root"):
        ledger.call("batchByRoot", bytes.fromhex(ROOT_2[2:]))


def test_a_new_chain_continues_the_evidence_log(chain: Chain) -> None:
    ledger = chain.client.contract(
        load_artifacts()["EvidenceLedger"], chain.deployment.address("EvidenceLedger")
    )
    ledger.transact("continueFrom", 41, bytes.fromhex(ROOT_1[2:]), key=chain.key)
    assert ledger.call("nextSequence") == 42
    with pytest.raises(TxReverted, match="previous root is not the latest root"):
        ledger.transact(
            "anchorBatch", bytes.fromhex(ROOT_2[2:]), 1, 42, 42, bytes(32), key=chain.key
        )
    ledger.transact(
        "anchorBatch",
        bytes.fromhex(ROOT_2[2:]),
        1,
        42,
        42,
        bytes.fromhex(ROOT_1[2:]),
        key=chain.key,
    )
    with pytest.raises(TxReverted, match="anchors exist already"):
        ledger.transact("continueFrom", 99, bytes(32), key=chain.key)


def test_an_evm_chain_refuses_a_foreign_key_and_a_wrong_chain_id(evm_node: EvmNode) -> None:
    client = EvmClient(evm_node.url, evm_node.chain_id)
    with pytest.raises(SuiteMismatch):
        client.send_transaction(None, b"\x00", Sm2PrivateKey.generate())
    wrong = EvmClient(evm_node.url, 1)
    with pytest.raises(ResponseFormatError, match="is chain 31337, not chain 1"):
        wrong.send_transaction(None, b"\x00", _funded_key(evm_node))


def test_an_unreachable_evm_node_is_chain_unavailable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(ChainUnavailable):
        EvmClient(url, 31337, timeout=1).block_number()
