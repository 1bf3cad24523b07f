"""ChainClient and Contract against an in-memory FISCO node that verifies what it receives."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.chain.abi import decode_values, encode_arguments
from gateway.chain.artifact import ContractArtifact
from gateway.chain.client import ChainClient
from gateway.chain.errors import (
    CallReverted,
    ChainUnavailable,
    ReceiptTimeout,
    ResponseFormatError,
    RpcError,
    TxReverted,
)
from gateway.chain.hexutil import to_hex
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE, CryptoSuite
from gateway.chain.tx import v2

ABI = [
    {"type": "constructor", "inputs": [{"name": "initial", "type": "string"}]},
    {
        "type": "function",
        "name": "set",
        "inputs": [{"name": "value", "type": "string"}],
        "outputs": [],
        "stateMutability": "nonpayable",
    },
    {
        "type": "function",
        "name": "get",
        "inputs": [],
        "outputs": [{"name": "", "type": "string"}],
        "stateMutability": "view",
    },
    {
        "type": "event",
        "name": "Stored",
        "anonymous": False,
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "value", "type": "string", "indexed": False},
        ],
    },
]


def artefact_for(suite: CryptoSuite) -> ContractArtifact:
    """As the contracts build writes it: identifiers hashed by the compiler for the suite."""
    return ContractArtifact.from_json(
        {
            "contractName": "Store",
            "abi": ABI,
            "bytecode": "0x60806040",
            "methodIdentifiers": {
                "set(string)": suite.selector("set(string)").hex(),
                "get()": suite.selector("get()").hex(),
            },
            "eventTopics": {
                "Stored(address,string)": to_hex(suite.event_topic("Stored(address,string)"))
            },
        }
    )


def _store_executor(suite: CryptoSuite, state: dict[str, str], version: int = 2) -> Any:
    revert = 22 if version == 2 else 16  # RevertInstruction in each numbering

    def execute(to: bytes, data: bytes) -> tuple[int, bytes, list[dict[str, Any]]]:
        if not to:  # deploy: bytecode followed by constructor arguments
            state["value"] = decode_values(["string"], data[4:])[0]
            return 0, b"", []
        if data[:4] != suite.selector("set(string)"):
            return revert, b"", []
        value = decode_values(["string"], data[4:])[0]
        if value == "":
            reason = suite.selector("Error(string)") + encode_arguments(
                ["string"], ["empty"], suite
            )
            return revert, reason, []
        state["value"] = value
        log = {
            "topics": [
                to_hex(suite.event_topic("Stored(address,string)")),
                to_hex(bytes(12) + bytes.fromhex("11" * 20)),
            ],
            "data": to_hex(encode_arguments(["string"], [value], suite)),
        }
        return 0, b"", [log]

    return execute


@pytest.fixture(
    params=[(2, "sm"), (2, "ecdsa"), (3, "sm"), (3, "ecdsa")], ids=lambda p: f"{p[0]}.x-{p[1]}"
)
def chain(request: pytest.FixtureRequest, fake_node_class: Any) -> tuple[ChainClient, Any, Any]:
    version, name = request.param
    suite = SM_SUITE if name == "sm" else ECDSA_SUITE
    state: dict[str, str] = {}
    node = fake_node_class(
        suite=suite, version=version, executor=_store_executor(suite, state, version)
    )

    def call(to: str, data: bytes) -> tuple[int, bytes]:
        if data[:4] == suite.selector("get()"):
            return 0, encode_arguments(["string"], [state.get("value", "")], suite)
        return 22, bytes.fromhex("08c379a0") + encode_arguments(
            ["string"], ["no such function"], suite
        )

    node.call_handler = call
    client = ChainClient(node, suite, fisco_version=version, poll_interval=0, sleep=lambda _: None)
    return client, node, suite.generate_key()


def test_deploy_call_transact_and_events(chain: Any) -> None:
    client, node, key = chain
    contract = client.deploy(artefact_for(client.suite), "hello", key=key)
    assert contract.deploy_receipt is not None and contract.deploy_receipt.ok
    assert contract.address == contract.deploy_receipt.contract_address
    deploy_tx = node.accepted[0]
    if client.fisco_version == 2:
        assert deploy_tx.fields.to == b""
    else:
        assert deploy_tx.data.to == "" and '"name":"set"' in deploy_tx.data.abi
    assert contract.call("get") == "hello"

    receipt = contract.transact("set", "世界", key=key)
    assert receipt.ok
    assert receipt.from_address == to_hex(client.suite.address_of_key(key))
    (event,) = contract.decode_logs(receipt)
    assert event.name == "Stored"
    assert event.args == {"who": "0x" + "11" * 20, "value": "世界"}
    assert contract.call("get") == "世界"

    events = contract.get_events("Stored", from_block=0)
    assert [e.args["value"] for e in events] == ["世界"]
    assert events[0].log.transaction_hash == receipt.transaction_hash


def test_transactions_carry_block_limit_ids_and_a_fresh_nonce(chain: Any) -> None:
    client, node, key = chain
    target = "0x" + "22" * 20
    height = node.height
    client.send_transaction(
        target,
        client.suite.selector("set(string)") + encode_arguments(["string"], ["a"], client.suite),
        key,
    )
    client.send_transaction(
        target,
        client.suite.selector("set(string)") + encode_arguments(["string"], ["b"], client.suite),
        key,
    )
    first, second = node.accepted
    if client.fisco_version == 2:
        assert first.fields.block_limit == height + 500 == height + v2.BLOCK_LIMIT_RANGE
        assert (first.fields.chain_id, first.fields.group_id) == (1, 1)
        assert first.fields.nonce != second.fields.nonce
        assert first.fields.nonce.bit_length() > 128
    else:
        assert first.data.block_limit == height + 500
        assert (first.data.chain_id, first.data.group_id) == ("chain0", "group0")
        assert first.data.to == target
        assert first.data.nonce != second.data.nonce
    assert all(tx.signature_valid for tx in node.accepted)


def test_reverted_transaction_raises_with_decoded_reason(chain: Any) -> None:
    client, _node, key = chain
    contract = client.contract(artefact_for(client.suite), "0x" + "33" * 20)
    with pytest.raises(TxReverted) as info:
        contract.transact("set", "", key=key)
    assert info.value.status == (22 if client.fisco_version == 2 else 16)
    assert info.value.status_name == "RevertInstruction"
    assert info.value.reason == "empty"
    assert info.value.receipt is not None and not info.value.receipt.ok
    assert info.value.code == "tx_reverted"


def test_reverted_call_raises_call_reverted(chain: Any) -> None:
    client, _node, _key = chain
    artefact = ContractArtifact.from_abi(
        [
            {
                "type": "function",
                "name": "missing",
                "inputs": [],
                "outputs": [],
                "stateMutability": "view",
            }
        ]
    )
    with pytest.raises(CallReverted) as info:
        client.contract(artefact, "0x" + "33" * 20).call("missing")
    assert info.value.reason == "no such function"
    assert info.value.code == "call_reverted"


def test_unchecked_send_returns_the_failed_receipt(chain: Any) -> None:
    client, _node, key = chain
    receipt = client.send_transaction("0x" + "44" * 20, b"\x00\x00\x00\x00", key, check=False)
    assert not receipt.ok
    assert receipt.status_name in (
        "RevertInstruction",
        "PrecompiledError",
        "CallAddressError",
    ) or receipt.status in (16, 22)


def test_resend_after_connection_loss_sends_the_same_bytes(chain: Any) -> None:
    client, node, key = chain
    data = client.suite.selector("set(string)") + encode_arguments(["string"], ["x"], client.suite)
    prepared = client.prepare_transaction("0x" + "55" * 20, data, key)
    send_method = "sendRawTransaction" if client.fisco_version == 2 else "sendTransaction"
    node.failures = [ChainUnavailable("connection reset")]
    receipt = client.send_prepared(prepared)
    assert receipt.transaction_hash == prepared.tx_hash
    sent = [
        params[-1 if client.fisco_version == 2 else 2]
        for m, params in node.requests
        if m == send_method
    ]
    assert len(sent) == 2 and sent[0] == sent[1] == to_hex(prepared.raw)
    assert len(node.accepted) == 1


def test_resend_of_a_transaction_the_node_already_has(chain: Any) -> None:
    """The first reply was lost: the node answers the re-send with an error but knows the tx."""
    client, node, key = chain
    data = client.suite.selector("set(string)") + encode_arguments(["string"], ["x"], client.suite)
    prepared = client.prepare_transaction("0x" + "55" * 20, data, key)
    client.submit(prepared)  # reached the node
    receipt = client.send_prepared(prepared)  # re-sent: AlreadyKnown / TxAlreadyInChain
    assert receipt.ok and receipt.transaction_hash == prepared.tx_hash
    assert len(node.accepted) == 1


def test_rejected_transaction_raises_rpc_error(chain: Any) -> None:
    client, node, key = chain
    prepared = client.prepare_transaction("0x" + "55" * 20, b"", key, block_limit=node.height)
    with pytest.raises(RpcError) as info:
        client.submit(prepared)
    assert info.value.rpc_code == (-32603 if client.fisco_version == 2 else 10001)


def test_unreachable_node_after_all_retries(chain: Any) -> None:
    client, node, key = chain
    prepared = client.prepare_transaction("0x" + "55" * 20, b"", key)
    node.failures = [ChainUnavailable("down")] * 3
    with pytest.raises(ChainUnavailable):
        client.submit(prepared)
    assert node.accepted == []


def test_receipt_timeout_with_a_clock(fake_node_class: Any) -> None:
    node = fake_node_class(suite=SM_SUITE, null_receipts_before_commit=10**6)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = ChainClient(node, SM_SUITE, poll_interval=1.0, sleep=sleep, clock=lambda: now[0])
    with pytest.raises(ReceiptTimeout) as info:
        client.send_transaction("0x" + "66" * 20, b"", SM_SUITE.generate_key(), timeout=5)
    assert info.value.timeout == 5
    assert 5 <= now[0] <= 6


def test_node_reporting_another_hash_is_detected(fake_node_class: Any) -> None:
    node = fake_node_class(suite=ECDSA_SUITE)
    real = node.rpc_sendRawTransaction
    node.rpc_sendRawTransaction = lambda raw: (real(raw), "0x" + "00" * 32)[1]
    client = ChainClient(node, ECDSA_SUITE, sleep=lambda _: None)
    with pytest.raises(ResponseFormatError, match="computed"):
        client.send_transaction("0x" + "66" * 20, b"", ECDSA_SUITE.generate_key())


def test_get_logs_filters_by_address_and_topics(fake_node_class: Any) -> None:
    suite = ECDSA_SUITE
    node = fake_node_class(suite=suite, executor=_store_executor(suite, {}))
    client = ChainClient(node, suite, poll_interval=0, sleep=lambda _: None)
    key = suite.generate_key()
    set_data = suite.selector("set(string)") + encode_arguments(["string"], ["v"], suite)
    first = client.send_transaction("0x" + "aa" * 20, set_data, key)
    client.send_transaction("0x" + "bb" * 20, set_data, key)
    topic = suite.event_topic("Stored(address,string)")
    assert len(client.get_logs(from_block=0)) == 2
    assert [log.transaction_hash for log in client.get_logs(address="0x" + "AA" * 20)] == [
        first.transaction_hash
    ]
    assert len(client.get_logs(topics=[topic, bytes(12) + b"\x11" * 20])) == 2
    assert client.get_logs(topics=[[bytes(32), topic], bytes(32)]) == []
    assert client.get_logs(topics=[None, None, None]) == []
    assert client.get_logs(from_block=node.height + 1, to_block=node.height + 3) == []


def test_version_defaults_and_validation(fake_node_class: Any) -> None:
    v3_client = ChainClient(fake_node_class(suite=SM_SUITE, version=3), SM_SUITE, fisco_version=3)
    assert (v3_client.group_id, v3_client.chain_id) == ("group0", "chain0")
    v2_client = ChainClient(fake_node_class(suite=SM_SUITE), SM_SUITE, 2, "7")
    assert (v2_client.group_id, v2_client.chain_id) == (2, 7)
    with pytest.raises(ValueError, match="fisco_version"):
        ChainClient(fake_node_class(suite=SM_SUITE), SM_SUITE, fisco_version=4)
