"""ABI encoding and decoding against SDK calldata, receipts and node revert outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.chain.abi import (
    EventAbi,
    FunctionAbi,
    canonical_type,
    decode_revert_reason,
    decode_values,
    encode_arguments,
)
from gateway.chain.artifact import ContractArtifact
from gateway.chain.errors import AbiError, ArtifactError
from gateway.chain.results import parse_receipt
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE

SUITES = {"ecdsa": ECDSA_SUITE, "gm": SM_SUITE}


def _arg(value: Any) -> Any:
    """The vectors' JSON conventions: {"hex"} is bytes, {"int"} a big integer, lists nest."""
    if isinstance(value, dict) and "hex" in value:
        return bytes.fromhex(value["hex"][2:])
    if isinstance(value, dict) and "int" in value:
        return int(value["int"])
    if isinstance(value, list):
        return [_arg(v) for v in value]
    return value


def _hex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


@pytest.mark.parametrize("family", ["ecdsa", "gm"])
def test_sdk_calldata_reproduces_from_artefact_selectors(abi_calldata: Any, family: str) -> None:
    suite = SUITES[family]
    for call in abi_calldata["calls"]:
        args = [_arg(a) for a in call.get("args_gm" if family == "gm" else "args", call["args"])]
        expected = call[family].get("calldata_canonical_eth_abi_6", call[family]["calldata_sdk"])
        # an artefact as the compiler writes it: methodIdentifiers without 0x
        artifact = ContractArtifact.from_json(
            {
                "contractName": "T",
                "abi": [call["abi"]],
                "methodIdentifiers": {call["signature"]: call[family]["selector"][2:]},
            }
        )
        function = artifact.function(call["signature"])
        assert function.signature == call["signature"]
        selector = artifact.selector(function, suite)
        assert selector == _hex(call[family]["selector"])
        assert "0x" + function.encode_call(selector, args, suite).hex() == expected
        # and the SDK's own calldata decodes back to the arguments
        decoded = function.decode_input(_hex(call[family]["calldata_sdk"]))
        assert _normalise(decoded) == _normalise(tuple(args))


def _normalise(values: Any) -> Any:
    if isinstance(values, list | tuple):
        return [_normalise(v) for v in values]
    if isinstance(values, str) and values.startswith("0x") and len(values) == 42:
        return values.lower()
    if isinstance(values, bytes):
        return values.rstrip(b"\x00")
    return values


def test_selector_falls_back_to_the_suite_hash_without_identifiers(abi_calldata: Any) -> None:
    call = abi_calldata["calls"][0]
    artifact = ContractArtifact.from_abi([call["abi"]])
    function = artifact.function("set")
    assert artifact.selector(function, SM_SUITE) == _hex(call["gm"]["selector"])
    assert artifact.selector(function, ECDSA_SUITE) == _hex(call["ecdsa"]["selector"])


def test_artefact_identifiers_win_over_the_chain_suite(abi_calldata: Any) -> None:
    """A standard-solc artefact deployed on a guomi chain still dispatches on Keccak."""
    set_call, get_call = abi_calldata["calls"][:2]
    artifact = ContractArtifact.from_json(
        {
            "abi": [set_call["abi"], get_call["abi"]],
            "methodIdentifiers": {"set(string)": set_call["ecdsa"]["selector"][2:]},
        }
    )
    assert artifact.hash_family is ECDSA_SUITE
    # get() has no identifier: the artefact's own hash family fills it in
    assert artifact.selector(artifact.function("get"), SM_SUITE) == _hex(
        get_call["ecdsa"]["selector"]
    )


def test_abi_decode_cases(abi_calldata: Any) -> None:
    for case in abi_calldata["abi_decode"]["cases"]:
        types = case["types"].strip("()").split(",")
        assert list(decode_values(types, _hex(case["data"]))) == case["decoded"]


def test_address_arguments_accept_suite_checksums_and_reject_wrong_ones() -> None:
    gm_checksummed = SM_SUITE.checksum_address(
        bytes.fromhex("7029c502b4f824d19bd7921e9cb74ef92392fb1b")
    )
    encoded = encode_arguments(["address"], [gm_checksummed], SM_SUITE)
    assert encoded[-20:].hex() == "7029c502b4f824d19bd7921e9cb74ef92392fb1b"
    with pytest.raises(AbiError, match="checksum"):
        encode_arguments(["address"], [gm_checksummed], ECDSA_SUITE)


@pytest.mark.parametrize(
    ("types", "args"),
    [
        (["uint8"], [256]),
        (["uint256"], ["x"]),
        (["address"], [123]),
        (["uint256[]"], ["12"]),
        (["(uint256,bool)"], [[1]]),
        (["bytes32"], ["not hex"]),
        (["uint256", "uint256"], [1]),
    ],
)
def test_mismatched_arguments_raise_abi_error(types: list[str], args: list[Any]) -> None:
    with pytest.raises(AbiError):
        encode_arguments(types, args, ECDSA_SUITE)


def test_undecodable_output_raises_abi_error() -> None:
    with pytest.raises(AbiError):
        decode_values(["string"], b"\x00" * 5)


def test_tuple_types_are_canonical() -> None:
    param = {
        "type": "tuple[]",
        "components": [{"type": "uint256"}, {"type": "tuple", "components": [{"type": "address"}]}],
    }
    assert canonical_type(param) == "(uint256,(address))[]"
    entry = {"type": "function", "name": "f", "inputs": [param], "outputs": [], "constant": True}
    function = FunctionAbi.from_entry(entry)
    assert function.signature == "f((uint256,(address))[])"
    assert function.is_read_only


# -- receipts -----------------------------------------------------------------------------


def test_sample_receipt_events_decode(receipt_decoding: Any) -> None:
    artifact = ContractArtifact.from_abi(receipt_decoding["abi"])
    receipt = parse_receipt(receipt_decoding["receipt"], 2)
    by_topic = {artifact.topic(e, ECDSA_SUITE): e for e in artifact.events()}
    for name, topic in receipt_decoding["event_topics_from_abi"].items():
        assert by_topic[_hex(topic)].name == name
    decoded = [by_topic[log.topics[0]].decode_log(log) for log in receipt.logs]
    for event, expected in zip(decoded, receipt_decoding["decoded_logs"], strict=True):
        assert event.name == expected["eventname"]
        event_abi = artifact.event(event.name)
        plain = [event.args[p.name] for p in event_abi.inputs if not p.indexed]
        assert plain == expected["eventdata"]
    on_change = decoded[1]
    indexed = [p for p in artifact.event("on_change").inputs if p.indexed]
    checks = receipt_decoding["indexed_topic_checks"]
    # an indexed string is only its hash; an indexed address decodes to the address
    assert on_change.args[indexed[0].name] == _hex(checks[0]["in_receipt"])
    assert ECDSA_SUITE.hash(b"simplename") == _hex(checks[0]["computed"])
    assert on_change.args[indexed[1].name] == "0x" + checks[1]["in_receipt"][-40:]


def test_sample_receipt_output_and_transaction_input(receipt_decoding: Any) -> None:
    artifact = ContractArtifact.from_abi(receipt_decoding["abi"])
    expected_input = receipt_decoding["decoded_tx_input"]
    function = artifact.function(expected_input["signature"])
    for selector, name in receipt_decoding["function_selectors_from_abi"].items():
        assert artifact.function(name).name == name
        assert any(
            artifact.selector(f, ECDSA_SUITE) == _hex(selector) for f in artifact.functions()
        )
    receipt = parse_receipt(receipt_decoding["receipt"], 2)
    assert list(function.decode_output(receipt.output)) == receipt_decoding["decoded_output_set"]
    assert (
        list(function.decode_input(_hex(receipt_decoding["tx"]["input"]))) == expected_input["args"]
    )


def test_revert_reasons_from_node_outputs(receipt_decoding: Any) -> None:
    for case in receipt_decoding["doc_revert_outputs"]:
        reason = decode_revert_reason(_hex(case["output"]), ECDSA_SUITE)
        assert [reason] == case["decoded_by_sdk_parse_error_msg"]


def test_revert_reason_with_the_sm3_error_selector() -> None:
    body = encode_arguments(["string"], ["余额不足"], SM_SUITE)
    assert decode_revert_reason(SM_SUITE.selector("Error(string)") + body, SM_SUITE) == "余额不足"
    # Keccak-compiled contracts on a guomi chain revert with the Keccak selector
    assert decode_revert_reason(bytes.fromhex("08c379a0") + body, SM_SUITE) == "余额不足"
    assert decode_revert_reason(SM_SUITE.selector("Error(string)") + body, ECDSA_SUITE) is None


def test_panic_and_unreadable_revert_data() -> None:
    panic = bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big")
    assert decode_revert_reason(panic, ECDSA_SUITE) == "Panic(0x11)"
    assert decode_revert_reason(b"", ECDSA_SUITE) is None
    assert decode_revert_reason(bytes.fromhex("08c379a0") + b"\x01", ECDSA_SUITE) is None
    assert decode_revert_reason(bytes.fromhex("deadbeef"), ECDSA_SUITE) is None


def test_event_with_wrong_topic_count_is_an_abi_error(receipt_decoding: Any) -> None:
    artifact = ContractArtifact.from_abi(receipt_decoding["abi"])
    receipt = parse_receipt(receipt_decoding["receipt"], 2)
    with pytest.raises(AbiError, match="indexed topics"):
        artifact.event("on_change").decode_log(receipt.logs[0])


def test_anonymous_events_decode_all_topics() -> None:
    event = EventAbi.from_entry(
        {
            "type": "event",
            "name": "A",
            "anonymous": True,
            "inputs": [{"name": "who", "type": "uint256", "indexed": True}],
        }
    )
    from gateway.chain.results import LogEntry

    log = LogEntry(address="0x" + "11" * 20, topics=((7).to_bytes(32, "big"),), data=b"")
    assert event.decode_log(log).args == {"who": 7}


# -- artefacts ----------------------------------------------------------------------------


def test_artefact_file_round_trip(tmp_path: Any, abi_calldata: Any) -> None:
    path = tmp_path / "HelloWorld.json"
    path.write_text(
        json.dumps(
            {
                "contractName": "HelloWorld",
                "abi": [abi_calldata["calls"][0]["abi"], abi_calldata["calls"][1]["abi"]],
                "bytecode": "0x6080",
                "deployedBytecode": "0x60",
                "methodIdentifiers": {"set(string)": "3590b49f", "get()": "299f7f9d"},
                "eventTopics": {},
                "compiler": {"version": "0.8.11-gm"},
                "sourceHash": "0xab",
            }
        )
    )
    artifact = ContractArtifact.from_file(path)
    assert artifact.bytecode == b"\x60\x80"
    assert artifact.compiler_version == "0.8.11-gm"
    assert artifact.hash_family is SM_SUITE
    assert artifact.constructor().input_types == ()


@pytest.mark.parametrize(
    "data",
    [
        {"abi": "not a list"},
        {"abi": [], "bytecode": "0xzz"},
        {"abi": [], "methodIdentifiers": {"f()": "1234"}},
        {"abi": [], "eventTopics": {"E()": "0x00"}},
        {"abi": [], "methodIdentifiers": ["f()"]},
    ],
)
def test_broken_artefacts_raise_artifact_error(data: dict[str, Any]) -> None:
    with pytest.raises(ArtifactError):
        ContractArtifact.from_json(data)


def test_unknown_and_overloaded_functions(abi_calldata: Any) -> None:
    transfer_abis = [
        c["abi"] for c in abi_calldata["calls"] if c["signature"].startswith("transfer")
    ]
    overloaded = {**transfer_abis[0], "inputs": [{"name": "to", "type": "address"}]}
    artifact = ContractArtifact.from_abi([transfer_abis[0], overloaded])
    with pytest.raises(ArtifactError, match="overloaded"):
        artifact.function("transfer")
    assert artifact.function("transfer", 1).signature == "transfer(address)"
    assert artifact.function("transfer(address,uint256)").input_types == ("address", "uint256")
    with pytest.raises(ArtifactError, match="no function"):
        artifact.function("burn")
