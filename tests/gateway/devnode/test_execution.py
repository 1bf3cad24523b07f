"""Contract execution on the devnode: real artefacts, FISCO addresses, statuses and receipts."""

from __future__ import annotations

import rlp
from eth_abi import decode, encode
from eth_bloom import BloomFilter

from gateway.devnode.node import DevNode

from .helpers import Account, artefact, calldata

LEDGER = artefact("EvidenceLedger")


def test_deploy_address_is_the_suite_hash_of_sender_and_deploy_count(account: Account) -> None:
    first = account.deploy(LEDGER)
    second = account.deploy(LEDGER)
    suite = account.suite
    assert first == suite.hash(rlp.encode([account.address, 0]))[12:]
    assert second == suite.hash(rlp.encode([account.address, 1]))[12:]
    code = account.rpc.get_code("0x" + first.hex())
    assert code == bytes.fromhex(LEDGER["deployedBytecode"][2:])


def test_calls_between_plain_transactions_do_not_move_the_deploy_nonce(account: Account) -> None:
    ledger = account.deploy(LEDGER)
    account.transact(
        ledger, calldata(LEDGER, "authoriseGateway(address)", ["address"], [account.hex_address])
    )
    again = account.deploy(LEDGER)
    assert again == account.suite.hash(rlp.encode([account.address, 1]))[12:]


def test_state_changes_emit_the_artefact_event_and_are_readable(account: Account) -> None:
    ledger = account.deploy(LEDGER)
    authorise = calldata(LEDGER, "authoriseGateway(address)", ["address"], [account.hex_address])
    assert account.transact(ledger, authorise).ok
    digest = b"\x07" * 32
    receipt = account.transact(
        ledger, calldata(LEDGER, "anchorRecord(bytes32,uint64)", ["bytes32", "uint64"], [digest, 1])
    )
    assert receipt.ok
    topic = bytes.fromhex(LEDGER["eventTopics"]["RecordAnchored(bytes32,uint64,address)"][2:])
    (log,) = [entry for entry in receipt.logs if entry.topics[0] == topic]
    assert log.address == "0x" + ledger.hex()
    assert log.topics[1] == digest
    (count,) = decode(["uint256"], account.call(ledger, calldata(LEDGER, "recordCount()", [], [])))
    assert count == 1


def test_a_require_failure_is_status_0x16_with_the_revert_reason(account: Account) -> None:
    ledger = account.deploy(LEDGER)
    data = calldata(
        LEDGER, "anchorRecord(bytes32,uint64)", ["bytes32", "uint64"], [b"\x01" * 32, 1]
    )
    receipt = account.transact(ledger, data)
    assert receipt.status == 0x16
    assert receipt.status_name == "RevertInstruction"
    assert receipt.output[:4] == bytes.fromhex("08c379a0")
    (reason,) = decode(["string"], receipt.output[4:])
    assert reason == "EvidenceLedger: caller is not an authorised gateway"


def test_a_call_to_an_address_without_code_is_0x1a(account: Account) -> None:
    target = b"\x99" * 20
    result = account.rpc.call(account.hex_address, "0x" + target.hex(), b"")
    assert result.status == 0x1A
    (reason,) = decode(["string"], result.output[4:])
    assert reason == "Error address:" + target.hex()


def test_a_failed_deploy_has_no_contract_address(account: Account) -> None:
    receipt = account.transact(b"", bytes.fromhex("fe"))  # INVALID opcode as init code
    assert receipt.status == 0x0A
    assert receipt.contract_address is None


def test_read_calls_see_the_head_state(any_node: tuple[str, DevNode], account: Account) -> None:
    ledger = account.deploy(LEDGER)
    result = account.rpc.call(
        account.hex_address,
        "0x" + ledger.hex(),
        calldata(LEDGER, "isGovernor(address)", ["address"], [account.hex_address]),
    )
    assert result.ok
    assert decode(["bool"], result.output) == (True,)
    assert result.block_number == account.rpc.block_number()
    other = "0x" + (b"\x01" * 20).hex()
    result = account.rpc.call(
        other, "0x" + ledger.hex(), calldata(LEDGER, "isGovernor(address)", ["address"], [other])
    )
    assert decode(["bool"], result.output) == (False,)
    assert encode(["bool"], [False]) == result.output


def test_receipt_bloom_matches_an_independent_keccak_bloom(ecdsa_node: tuple[str, DevNode]) -> None:
    url, node = ecdsa_node
    account = Account(url, node.suite, node.suite.generate_key())
    ledger = account.deploy(LEDGER)
    authorise = calldata(LEDGER, "authoriseGateway(address)", ["address"], [account.hex_address])
    receipt = account.transact(ledger, authorise)
    assert receipt.logs
    expected = BloomFilter()
    for log in receipt.logs:
        expected.add(bytes.fromhex(log.address[2:]))
        for topic in log.topics:
            expected.add(topic)
    assert receipt.raw["logsBloom"] == "0x" + int(expected).to_bytes(256, "big").hex()
