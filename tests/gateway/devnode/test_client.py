"""The gateway's own chain client (ChainClient over HTTP) drives the devnode end to end."""

from __future__ import annotations

import pytest

from gateway.chain.artifact import ContractArtifact
from gateway.chain.client import ChainClient
from gateway.chain.errors import TxReverted
from gateway.devnode.node import DevNode

from .helpers import ARTEFACTS, http_transport


def _client(url: str, node: DevNode) -> ChainClient:
    return ChainClient(http_transport(url), node.suite, 1, 1, poll_interval=0.02)


def test_deploy_transact_call_and_events_through_the_chain_client(
    any_node: tuple[str, DevNode],
) -> None:
    url, node = any_node
    client = _client(url, node)
    key = node.suite.generate_key()
    me = "0x" + node.suite.address_of_key(key).hex()
    ledger = client.deploy(ContractArtifact.from_file(ARTEFACTS / "EvidenceLedger.json"), key=key)
    ledger.transact("authoriseGateway", me, key=key)
    receipt = ledger.transact("anchorRecord", b"\x42" * 32, 1, key=key)
    (event,) = [e for e in ledger.decode_logs(receipt) if e.name == "RecordAnchored"]
    assert event.args["recordDigest"] == b"\x42" * 32
    assert event.args["seq"] == 1
    assert ledger.call("recordCount", from_address=me) == 1
    assert ledger.call("isGateway", me, from_address=me) is True
    (found,) = ledger.get_events("RecordAnchored")
    assert found.log.transaction_hash == receipt.transaction_hash
    with pytest.raises(TxReverted) as reverted:
        ledger.transact("anchorRecord", b"\x42" * 32, 2, key=key)
    assert reverted.value.status == 0x16
    assert reverted.value.reason == "EvidenceLedger: record already anchored"
