"""The committed contract artefacts: identifiers, EVM target, provenance, both compilers alike."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from .contract_helpers import BUILDS

ROOT = Path(__file__).resolve().parents[2] / "contracts"
CONTRACTS = (
    "AccessGrants",
    "DataCatalog",
    "EvidenceLedger",
    "FederationLedger",
    "MemberRegistry",
    "RecordStore",
    "Supervision",
    "TransferCase",
)
EVM_VERSIONS = {"solc-0.6.10": "istanbul", "solc-0.8.11": "london"}
PUSH0, PUSH1, PUSH32 = 0x5F, 0x60, 0x7F


def load(build: str, name: str) -> dict:
    return json.loads((ROOT / "build" / build / f"{name}.json").read_text(encoding="utf-8"))


def signature(item: dict) -> str:
    return f"{item['name']}({','.join(param['type'] for param in item['inputs'])})"


def push0_offsets(code: bytes) -> list[int]:
    """PUSH0 at opcode positions, skipping PUSH immediates and the trailing CBOR metadata."""
    end = len(code) - int.from_bytes(code[-2:], "big") - 2
    offsets, pc = [], 0
    while pc < end:
        opcode = code[pc]
        if opcode == PUSH0:
            offsets.append(pc)
        pc += 1 + (opcode - PUSH1 + 1 if PUSH1 <= opcode <= PUSH32 else 0)
    return offsets


ARTEFACTS = [(build, name) for build in BUILDS for name in CONTRACTS]


def test_every_build_holds_exactly_the_deployable_contracts():
    for build in BUILDS:
        assert sorted(path.stem for path in (ROOT / "build" / build).glob("*.json")) == list(
            CONTRACTS
        )


@pytest.mark.parametrize(("build", "name"), ARTEFACTS)
def test_method_identifiers_are_keccak_selectors_of_every_function(build, name):
    artefact = load(build, name)
    functions = [item for item in artefact["abi"] if item["type"] == "function"]
    expected = {signature(item): keccak(signature(item).encode())[:4].hex() for item in functions}
    assert artefact["methodIdentifiers"] == expected


@pytest.mark.parametrize(("build", "name"), ARTEFACTS)
def test_event_topics_are_keccak_of_every_event_signature(build, name):
    artefact = load(build, name)
    events = [item for item in artefact["abi"] if item["type"] == "event"]
    expected = {signature(item): "0x" + keccak(signature(item).encode()).hex() for item in events}
    assert artefact["eventTopics"] == expected
    assert events, "every contract emits events"


def test_known_identifiers():
    registry = load("solc-0.8.11", "MemberRegistry")
    # Keccak-256("addGovernor(address)") and ("GovernorAdded(address,address)"), independently known
    assert registry["methodIdentifiers"]["addGovernor(address)"] == "3c4a25d0"
    assert registry["eventTopics"]["GovernorAdded(address,address)"] == (
        "0xef494c3b4faacdfaa6d63889e5c1d8f0668edfc925b34fea5c5655fe6e53fe6f"
    )


@pytest.mark.parametrize(("build", "name"), ARTEFACTS)
def test_runtime_code_targets_an_evm_fisco_runs(build, name):
    artefact = load(build, name)
    settings = artefact["compiler"]["settings"]
    assert settings["evmVersion"] == EVM_VERSIONS[build]
    assert settings["optimizer"] == {"enabled": True, "runs": 200}
    assert artefact["compiler"]["version"].startswith(build.removeprefix("solc-") + "+commit.")
    for field in ("bytecode", "deployedBytecode"):
        code = bytes.fromhex(artefact[field].removeprefix("0x"))
        assert code, f"{field} is empty"
        assert push0_offsets(code) == []


def test_the_push0_scan_finds_push0_and_skips_push_data():
    metadata = bytes.fromhex("a164736f6c6343000811000a") + (12).to_bytes(2, "big")
    code = bytes([PUSH1, PUSH0, PUSH0, 0x7F]) + bytes([PUSH0]) * 32 + bytes([PUSH0]) + metadata
    assert push0_offsets(code) == [2, 36]


@pytest.mark.parametrize(("build", "name"), ARTEFACTS)
def test_source_hash_matches_the_sources_on_disk(build, name):
    artefact = load(build, name)
    whole = hashlib.sha256()
    for unit in sorted(artefact["sources"]):
        content = (ROOT / "src" / unit).read_bytes()
        each = hashlib.sha256(unit.encode() + b"\0" + content + b"\0").hexdigest()
        assert artefact["sources"][unit] == "0x" + each, f"{unit} changed: rebuild contracts/build"
        whole.update(unit.encode() + b"\0" + content + b"\0")
    assert artefact["sourceHash"] == "0x" + whole.hexdigest()
    assert f"{name}.sol" in artefact["sources"]


@pytest.mark.parametrize("name", CONTRACTS)
def test_both_compilers_give_the_same_interface(name):
    interfaces = [load(build, name) for build in BUILDS]
    first, second = (
        sorted(json.dumps(item, sort_keys=True) for item in artefact["abi"])
        for artefact in interfaces
    )
    assert first == second
    assert interfaces[0]["methodIdentifiers"] == interfaces[1]["methodIdentifiers"]


@pytest.mark.parametrize(("build", "name"), ARTEFACTS)
def test_artefact_files_are_canonical_json(build, name):
    text = (ROOT / "build" / build / f"{name}.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
