"""contracts/build.mjs: the artefact check catches drift, and the guomi (solc-gm) import path.

These run node with the pinned npm packages (``npm --prefix contracts ci``); without them
they skip, saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.chain.suite import SM_SUITE

ROOT = Path(__file__).resolve().parents[2] / "contracts"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (ROOT / "node_modules" / "js-sha3").is_dir(),
    reason="node and contracts/node_modules are needed (npm --prefix contracts ci)",
)


def run_build(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run(
        [NODE, str(directory / "build.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The contracts folder (sources, script, committed build) with the real node_modules."""
    copy = tmp_path / "contracts"
    for part in ("src", "lib", "build"):
        shutil.copytree(ROOT / part, copy / part)
    for part in ("build.mjs", "package.json"):
        shutil.copy2(ROOT / part, copy / part)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    return copy


@pytest.mark.slow
def test_check_fails_when_artefacts_drift_from_the_sources(project_copy):
    assert run_build(project_copy, "--check").returncode == 0

    source = project_copy / "src" / "RecordStore.sol"
    source.write_text(source.read_text().replace("key is empty", "key is blank"))
    (project_copy / "build" / "solc-0.8.11" / "DataCatalog.json").unlink()
    result = run_build(project_copy, "--check")

    assert result.returncode != 0
    assert result.stderr.splitlines()[:3] == [
        "differs from a fresh build: build/solc-0.6.10/RecordStore.json",
        "missing from build/: solc-0.8.11/DataCatalog.json",
        "differs from a fresh build: build/solc-0.8.11/RecordStore.json",
    ]
    assert "AccessGrants" not in result.stderr


def test_emitted_input_is_standard_json_with_the_pinned_settings(tmp_path):
    result = run_build(ROOT, "--emit-input", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for version, evm in (("0.6.10", "istanbul"), ("0.8.11", "london")):
        document = json.loads((tmp_path / f"solc-{version}.input.json").read_text())
        assert document["language"] == "Solidity"
        assert document["settings"]["evmVersion"] == evm
        assert document["settings"]["metadata"] == {"bytecodeHash": "none"}
        assert sorted(document["sources"]) == sorted(p.name for p in (ROOT / "src").glob("*.sol"))


def guomi_output(selectors: dict[str, str]) -> tuple[dict, dict]:
    """A standard-JSON input/output pair shaped like solc-gm's for a one-function contract."""
    source = (
        "contract HelloWorld { event Set(string value); function set(string memory v) public {} }"
    )
    abi = [
        {
            "type": "function",
            "name": "set",
            "inputs": [{"name": "v", "type": "string"}],
            "outputs": [],
        },
        {
            "type": "event",
            "name": "Set",
            "anonymous": False,
            "inputs": [{"name": "value", "type": "string", "indexed": False}],
        },
    ]
    metadata = {
        "compiler": {"version": "0.8.11+commit.d7f03943"},
        "sources": {"HelloWorld.sol": {}},
    }
    compiled = {
        "abi": abi,
        "metadata": json.dumps(metadata),
        "evm": {
            "bytecode": {"object": "6080604052"},
            "deployedBytecode": {"object": "6080604052"},
            "methodIdentifiers": selectors,
        },
    }
    document = {
        "language": "Solidity",
        "sources": {"HelloWorld.sol": {"content": source}},
        "settings": {"evmVersion": "london", "optimizer": {"enabled": True, "runs": 200}},
    }
    return document, {"contracts": {"HelloWorld.sol": {"HelloWorld": compiled}}}


def test_guomi_output_becomes_an_artefact_with_sm3_topics(tmp_path):
    # SM3 selector of set(string), as found in FISCO's solc-gm HelloWorld bytecode
    document, output = guomi_output({"set(string)": "3590b49f"})
    (tmp_path / "in.json").write_text(json.dumps(document))
    (tmp_path / "out.json").write_text(json.dumps(output))

    result = run_build(
        ROOT,
        "--from-output",
        str(tmp_path / "out.json"),
        "--input",
        str(tmp_path / "in.json"),
        "--out",
        str(tmp_path / "gm"),
        "--hash",
        "sm3",
    )

    assert result.returncode == 0, result.stderr
    artefact = json.loads((tmp_path / "gm" / "HelloWorld.json").read_text())
    assert artefact["methodIdentifiers"] == {"set(string)": "3590b49f"}
    assert artefact["eventTopics"] == {
        "Set(string)": "0x" + SM_SUITE.event_topic("Set(string)").hex()
    }
    assert artefact["compiler"]["hash"] == "sm3"
    assert artefact["compiler"]["version"] == "0.8.11+commit.d7f03943"


def test_keccak_selectors_are_refused_as_guomi_output(tmp_path):
    document, output = guomi_output({"set(string)": "4ed3885e"})  # Keccak-256 selector
    (tmp_path / "in.json").write_text(json.dumps(document))
    (tmp_path / "out.json").write_text(json.dumps(output))

    result = run_build(
        ROOT,
        "--from-output",
        str(tmp_path / "out.json"),
        "--input",
        str(tmp_path / "in.json"),
        "--out",
        str(tmp_path / "gm"),
        "--hash",
        "sm3",
    )

    assert result.returncode != 0
    assert "HelloWorld: selector of set(string) is not sm3" in result.stderr
    assert not (tmp_path / "gm").exists()


def test_the_script_finds_push0_at_opcode_positions_only():
    # PUSH1 0x5f | PUSH0 | PUSH32 (32 x 0x5f) | PUSH0 | CBOR metadata {"solc": 0.8.17} + length
    code = "605f5f7f" + "5f" * 32 + "5f" + "a164736f6c6343000811000a" + "000c"
    script = (
        "import { push0Offsets } from './lib/artefact.mjs';"
        f"console.log(JSON.stringify(push0Offsets('0x{code}')));"
    )
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == [2, 36]
