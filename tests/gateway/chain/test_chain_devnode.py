"""The chain client end to end against the devnode: HTTP and in-process, SM and ECDSA.

The contract is hand-assembled EVM code so the test needs no compiler: ``echo(bytes32 v)``
returns ``v`` and emits an anonymous log whose single topic is ``v``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.chain.artifact import ContractArtifact
from gateway.chain.client import ChainClient
from gateway.chain.errors import CallReverted, TxReverted
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.chain.transport.http import HttpTransport
from gateway.devnode.inprocess import InProcessTransport
from gateway.devnode.rpc import Dispatcher
from gateway.devnode.testing import running_devnode

# runtime: CALLDATACOPY(0, 4, 32); LOG1(0, 32, CALLDATALOAD(4)); RETURN(0, 32)
RUNTIME = "6020600460003760043560206000a160206000f3"
# init: CODECOPY(0, 12, 20); RETURN(0, 20)
BYTECODE = bytes.fromhex("6014600c60003960146000f3" + RUNTIME)
ECHO_ABI = [
    {
        "type": "function",
        "name": "echo",
        "inputs": [{"name": "v", "type": "bytes32"}],
        "outputs": [{"name": "", "type": "bytes32"}],
        "stateMutability": "nonpayable",
    }
]


@pytest.fixture(params=[("sm", "http"), ("ecdsa", "http"), ("sm", "in-process")], ids=str)
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChainClient]:
    suite_name, wire = request.param
    suite = SM_SUITE if suite_name == "sm" else ECDSA_SUITE
    with running_devnode(tmp_path / suite_name, suite=suite_name) as (url, node):
        transport: Any = (
            HttpTransport(url) if wire == "http" else InProcessTransport(Dispatcher(node))
        )
        yield ChainClient(transport, suite, poll_interval=0.02, receipt_timeout=15)


def test_deploy_call_transact_and_logs_on_a_devnode(client: ChainClient) -> None:
    key = client.suite.generate_key()
    artifact = ContractArtifact.from_abi(ECHO_ABI, bytecode=BYTECODE, name="Echo")
    echo = client.deploy(artifact, key=key)
    assert echo.deploy_receipt is not None and echo.deploy_receipt.ok
    assert client.get_code(echo.address) == bytes.fromhex(RUNTIME)

    value = client.suite.hash(b"evidence batch root")
    assert echo.call("echo", value) == value
    receipt = echo.transact("echo", value, key=key)
    assert receipt.ok
    assert receipt.from_address == "0x" + client.suite.address_of_key(key).hex()
    assert echo.function("echo").decode_output(receipt.output) == value
    assert [log.topics for log in receipt.logs] == [(value,)]

    logs = client.get_logs(from_block=0, address=echo.address, topics=[value])
    assert [log.transaction_hash for log in logs] == [receipt.transaction_hash]
    transaction = client.get_transaction(receipt.transaction_hash)
    assert transaction is not None and transaction.from_address == receipt.from_address
    assert client.status().block_number >= receipt.block_number


ARTEFACTS = Path(__file__).resolve().parents[3] / "contracts" / "build" / "solc-0.6.10"


def test_committed_artefact_on_a_guomi_devnode(tmp_path: Path) -> None:
    """A Keccak-compiled artefact on an SM chain: selectors and topics come from the artefact,
    reverts carry their reason, events decode with their indexed values."""
    ledger_artifact = ContractArtifact.from_file(ARTEFACTS / "EvidenceLedger.json")
    assert ledger_artifact.hash_family is ECDSA_SUITE
    with running_devnode(tmp_path, suite="sm") as (url, _node), HttpTransport(url) as transport:
        client = ChainClient(transport, SM_SUITE, poll_interval=0.02, receipt_timeout=15)
        governor = SM_SUITE.generate_key()
        gateway = "0x" + SM_SUITE.address_of_key(governor).hex()
        ledger = client.deploy(ledger_artifact, key=governor)
        digest = SM_SUITE.hash(b"record 1")

        with pytest.raises(TxReverted) as refused:
            ledger.transact("anchorRecord", digest, 1, key=governor)
        assert refused.value.status_name == "RevertInstruction"
        assert refused.value.reason == "EvidenceLedger: caller is not an authorised gateway"

        authorised = ledger.transact("authoriseGateway", gateway, key=governor)
        (event,) = ledger.decode_logs(authorised)
        assert (event.name, event.args) == (
            "GatewayAuthorised",
            {"account": gateway, "by": gateway},
        )

        anchored = ledger.transact("anchorRecord", digest, 1, key=governor)
        (event,) = ledger.decode_logs(anchored)
        assert event.args == {"recordDigest": digest, "seq": 1, "gateway": gateway}
        seq, anchored_at = ledger.call("recordByDigest", digest)
        assert seq == 1 and anchored_at > 0
        assert ledger.call("recordCount") == 1

        with pytest.raises(CallReverted) as unknown:
            ledger.call("recordByDigest", SM_SUITE.hash(b"never anchored"))
        assert unknown.value.reason == "EvidenceLedger: unknown record digest"

        events = ledger.get_events("RecordAnchored")
        assert [e.log.transaction_hash for e in events] == [anchored.transaction_hash]
