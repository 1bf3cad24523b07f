"""Changing chain vendor: anchor on the FISCO BCOS devnode, hand over to a real EVM node
(Hardhat Network), anchor there, and verify receipts from before and after the switch, with
and without the old chain."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.bootstrap import build_container
from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import address_of
from gateway.evidence.receipt import sign_receipt
from gateway.handover.record import RECORD_KEY
from gateway.onchain.bound import text_to_bytes32
from gateway.onchain.runtime import governance_key_path, open_profile
from gateway.settings import Settings, load_settings
from tests.evidence_support import log_closed_record
from tests.evm_support import EvmNode, hardhat_node

ALLIANCE = [sys.executable, "-m", "gateway.cli"]
RECEIPT_FIELDS = (
    "request_id",
    "entry_id",
    "entry_version",
    "consumer",
    "provider",
    "request_digest",
    "response_digest",
    "decision",
    "reason",
)


@pytest.fixture(scope="module")
def evm_node() -> Iterator[EvmNode]:
    with hardhat_node() as node:
        yield node


@pytest.fixture
def alliance_env(seeded_settings: Settings, evm_node: EvmNode, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "alliance.toml"
    config.write_text(
        "[chain_profiles.hardhat]\n"
        'vendor = "evm"\n'
        f'rpc_url = "{evm_node.url}"\n'
        'suite = "ecdsa"\n'
        f"chain_id = {evm_node.chain_id}\n"
    )
    return {
        **os.environ,
        "ALLIANCE_CONFIG": str(config),
        "ALLIANCE_DATA_DIR": str(seeded_settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }


def _settings(env: dict[str, str]) -> Settings:
    return load_settings(environ=env)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ALLIANCE, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def ok(env: dict[str, str], *args: str) -> Any:
    result = run(env, *args)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def _log_anchor_and_receipt(env: dict[str, str], names: list[str], out: Path) -> dict[str, Any]:
    """Log closed accesses, anchor them on the current chain, write each one's receipt."""
    container = build_container(_settings(env))
    try:
        for index, name in enumerate(names):
            log_closed_record(container.evidence_log, name, 0x100 + index)
        report = container.anchorer.run_once()
        assert report.records == len(names)
        facts = {"vendor": container.chain.vendor}
        for name in names:
            record = container.evidence.evidence(name)
            assert record["status"] == "anchored"
            fields = {key: record["proof"]["record"][key] for key in RECEIPT_FIELDS}
            receipt = sign_receipt(fields, container.gateway_key())
            (out / f"{name}.json").write_text(receipt.to_json())
            facts[name] = record
        return facts
    finally:
        container.close()


def _checks(report: dict[str, Any]) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in report["checks"]}


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_anchor_switch_to_evm_and_verify_old_and_new(
    alliance_env: dict[str, str], evm_node: EvmNode, tmp_path: Path
) -> None:
    env = alliance_env
    settings = _settings(env)
    evm_key = Secp256k1PrivateKey.generate()
    write_private_key(governance_key_path(settings, "hardhat", "ecdsa"), evm_key)
    evm_node.fund(address_of(evm_key.public_key))

    before = _log_anchor_and_receipt(env, ["before-1", "before-2", "before-3"], tmp_path)
    assert before["vendor"] == "fisco-bcos"

    handover = ok(
        env,
        "chain",
        "switch",
        "--to",
        "hardhat",
        "--member",
        "GAO",
        "--member",
        "NRD",
        "--member",
        "TAX",
    )
    record = handover["record"]
    assert record["from"]["vendor"] == "fisco-bcos" and record["from"]["suite"] == "sm"
    assert record["to"]["vendor"] == "evm" and record["to"]["chain_id"] == "31337"
    assert record["last_sequence"] == 3
    assert record["log_checkpoint"]["tree_size"] == 3
    assert record["from"]["block_hash"].startswith("0x")
    assert {s["party"] for s in handover["signatures"]} == {"gateway", "GAO", "NRD", "TAX"}
    assert handover["deployed"] is True

    # the handover record is on both chains
    for profile in ("default", "hardhat"):
        runtime = open_profile(settings, profile)
        try:
            store = runtime.contract("RecordStore")
            content, *_ = store.call("getVersion", text_to_bytes32(RECORD_KEY), 0)
            assert "0x" + bytes(content).hex() == handover["digest"]
        finally:
            runtime.close()

    after = _log_anchor_and_receipt(env, ["after-1", "after-2"], tmp_path)
    assert after["vendor"] == "evm"
    assert after["after-1"]["sequence"] == 4  # the sequence continues on the new chain
    runtime = open_profile(settings, "hardhat")
    try:
        receipt = runtime.client.get_receipt(after["after-1"]["tx_hash"])
        assert receipt is not None and receipt.ok and receipt.block_hash
        assert runtime.client.block_hash(receipt.block_number) == receipt.block_hash
    finally:
        runtime.close()

    history = ok(env, "chain", "history")
    periods = [
        (p["profile"], p["vendor"], p["first_sequence"], p["last_sequence"])
        for p in history["periods"]
    ]
    assert periods == [("default", "fisco-bcos", 1, 3), ("hardhat", "evm", 4, None)]

    # before the switch, with the old chain reachable: checked on the FISCO BCOS devnode
    old = ok(env, "evidence", "verify", str(tmp_path / "before-2.json"), "--chains")
    assert old["ok"], old
    assert _checks(old)["anchored_root"] and _checks(old)["anchored_position"]
    assert "fisco-bcos" in old["checks"][0]["detail"]

    # after the switch: checked on the EVM node
    new = ok(env, "evidence", "verify", str(tmp_path / "after-2.json"), "--chains")
    assert new["ok"], new
    assert _checks(new)["anchored_root"] and "evm" in new["checks"][0]["detail"]

    # the old vendor's nodes are gone: proved through the handover record instead
    gone = {**env, "ALLIANCE_CHAIN_RPC_URL": _dead_url(), "ALLIANCE_CHAIN_TIMEOUT": "1"}
    offline = ok(gone, "evidence", "verify", str(tmp_path / "before-1.json"), "--chains")
    assert offline["ok"], offline
    checks = _checks(offline)
    assert checks["handover_signatures"] and checks["handover_on_chain"] and checks["log_inclusion"]
    assert "unreachable" in offline["checks"][1]["detail"]


def test_a_switch_without_a_quorum_is_refused_and_changes_nothing(
    alliance_env: dict[str, str], evm_node: EvmNode
) -> None:
    result = run(alliance_env, "chain", "switch", "--to", "hardhat", "--member", "GAO")
    assert result.returncode == 1
    assert "handover_refused" in result.stderr and "3 member signatures" in result.stderr
    assert ok(alliance_env, "chain", "history")["periods"][0]["frozen_at"] is None


def test_a_switch_to_an_unknown_profile_is_refused(alliance_env: dict[str, str]) -> None:
    result = run(alliance_env, "chain", "switch", "--to", "nowhere")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: chain_not_ready: no chain profile 'nowhere' in the settings"
    )
