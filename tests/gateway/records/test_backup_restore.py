"""``alliance records backup`` and ``restore``: a bundle moves every record to a fresh
deployment on another chain, where every version verifies again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.bootstrap import build_container
from gateway.instance import initialise
from gateway.settings import Settings, load_settings

ALLIANCE = [sys.executable, "-m", "gateway.cli"]
FAST = {"ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02", "ALLIANCE_LOG_FORMAT": "text"}


def run(data_dir: Path, *args: str, chain_id: str = "1") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **FAST,
        "ALLIANCE_DATA_DIR": str(data_dir),
        "ALLIANCE_CHAIN_CHAIN_ID": chain_id,
    }
    return subprocess.run(
        [*ALLIANCE, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def ok(data_dir: Path, *args: str, chain_id: str = "1") -> Any:
    result = run(data_dir, *args, chain_id=chain_id)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def fresh_deployment(tmp_path: Path) -> Path:
    """A second alliance initialised from nothing: its own keys and devnode chain (id 7)."""
    data_dir = tmp_path / "other" / "var"
    environ = {**FAST, "ALLIANCE_DATA_DIR": str(data_dir), "ALLIANCE_CHAIN_CHAIN_ID": "7"}
    container = build_container(load_settings(environ=environ))
    try:
        initialise(container)
    finally:
        container.close()
    return data_dir


def _seed_records(settings: Settings) -> dict[str, list[str]]:
    container = build_container(settings)
    try:
        records = container.records
        for number in range(4):
            records.put(
                "DJB-320102-000123",
                content={"权利人": "张三", "面积": 100 + number, "抵押": number % 2 == 1},
                record_type="register",
                data_source="不动产登记系统",
                organisation="NRD",
                uploader="NRD/登记员A017",
                metadata={"登记类型": ["首次登记", "变更登记", "抵押登记", "注销抵押"][number]},
            )
        records.put(
            "ZZ-J320102-2026-000777",
            content="结婚证 J320102-2026-000777",
            record_type="电子证照",
            data_source="省电子证照库",
            organisation="ECERT",
            uploader="ECERT/ecert-sync",
            metadata={},
        )
        records.put(
            "DA-0042",
            content={"卷号": 42},
            record_type="archive",
            data_source="档案系统",
            organisation="NRD",
            uploader="NRD/归档",
            metadata={"保管期限": "永久"},
        )
        records.delete("DA-0042", "NRD/归档", "重复归档")
        return {
            key: [v.content_hash for v in records.history(key)]
            for key in records.index.record_keys()
        }
    finally:
        container.close()


@pytest.mark.slow
def test_backup_then_restore_into_a_fresh_deployment_verifies_every_record(
    seeded_settings: Settings, fresh_deployment: Path, tmp_path: Path
) -> None:
    hashes = _seed_records(seeded_settings)
    bundle_path = tmp_path / "records.json"
    written = ok(seeded_settings.data_dir, "records", "backup", "--out", str(bundle_path))
    assert (written["records"], written["versions"]) == (3, 7)
    assert bundle_path.stat().st_mode & 0o777 == 0o600
    source_signer = written["signer"]

    restored = ok(
        fresh_deployment,
        "records",
        "restore",
        str(bundle_path),
        "--signer",
        source_signer,
        chain_id="7",
    )
    assert restored["signer"] == source_signer
    assert (restored["records"], restored["versions_written"], restored["verified"]) == (3, 7, 3)
    assert restored["unverified"] == []
    assert restored["source"]["chain_id"] == "1" and restored["target"]["chain_id"] == "7"
    assert restored["source"]["record_store"] != restored["target"]["record_store"]

    source = json.loads(bundle_path.read_text())
    environ = {**FAST, "ALLIANCE_DATA_DIR": str(fresh_deployment), "ALLIANCE_CHAIN_CHAIN_ID": "7"}
    container = build_container(load_settings(environ=environ))
    try:
        for key, expected in hashes.items():
            history = container.records.history(key)
            assert [v.content_hash for v in history] == expected
            assert all(v.verified for v in history), history
            original = next(r for r in source["records"] if r["key"] == key)["versions"]
            assert [(v.origin or {})["tx_hash"] for v in history] == [
                v["tx_hash"] for v in original
            ]
            assert [v.created_at.isoformat() for v in history if v.created_at] == [
                v["created_at"] for v in original
            ]
            assert {v.chain.writer for v in history if v.chain}.isdisjoint(
                {v["chain"]["writer"] for v in original}
            )
    finally:
        container.close()
    latest = ok(fresh_deployment, "records", "get", "DJB-320102-000123", chain_id="7")
    assert latest["content"] == {"权利人": "张三", "面积": 103, "抵押": True}
    assert latest["verified"] is True
    deleted = ok(fresh_deployment, "records", "get", "DA-0042", chain_id="7")
    assert (deleted["deleted"], deleted["metadata"]) == (True, {"reason": "重复归档"})

    again = ok(fresh_deployment, "records", "restore", str(bundle_path), chain_id="7")
    assert (again["versions_written"], again["versions_present"]) == (0, 7)


def _tampered(bundle_path: Path, out: Path, change: Any) -> Path:
    bundle = json.loads(bundle_path.read_text())
    change(bundle)
    out.write_text(json.dumps(bundle, ensure_ascii=False))
    return out


def test_a_bundle_that_does_not_verify_is_refused(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    _seed_records(seeded_settings)
    bundle_path = tmp_path / "records.json"
    ok(seeded_settings.data_dir, "records", "backup", "--out", str(bundle_path))

    def content(bundle: dict[str, Any]) -> None:
        bundle["records"][0]["versions"][0]["content"]["卷号"] = 43

    def rehashed(bundle: dict[str, Any]) -> None:
        from gateway.crypto.canonical import message_digest

        bundle["records"][1]["versions"][2]["content"]["面积"] = 999
        bundle["manifest"]["records_digest"] = "0x" + message_digest(bundle["records"]).hex()

    def signature(bundle: dict[str, Any]) -> None:
        bundle["manifest"]["record_count"] = 2

    from gateway.records.bundle import verify_bundle
    from gateway.records.errors import InvalidBundle

    signature_fails = "the manifest's SM2 signature does not verify"
    expected = {
        content: {"records digest mismatch", "DA-0042 v0: content hash mismatch"},
        rehashed: {signature_fails, "DJB-320102-000123 v2: content hash mismatch"},
        signature: {signature_fails, "record count mismatch"},
    }
    for change, problems in expected.items():
        bundle = json.loads(bundle_path.read_text())
        change(bundle)
        with pytest.raises(InvalidBundle) as refused:
            verify_bundle(bundle)
        assert set(refused.value.extra["problems"]) == problems
    assert verify_bundle(json.loads(bundle_path.read_text())).version_count == 7

    bad = _tampered(bundle_path, tmp_path / "bad.json", rehashed)
    result = run(seeded_settings.data_dir, "records", "restore", str(bad))
    assert result.returncode == 1, result.stdout
    assert "invalid_record_bundle" in result.stderr
    assert "content hash mismatch" in result.stderr
    other_signer = run(
        seeded_settings.data_dir,
        "records",
        "restore",
        str(bundle_path),
        "--signer",
        "0x" + "1" * 40,
    )
    assert other_signer.returncode == 1
    assert "signed by" in other_signer.stderr


def test_records_that_do_not_verify_are_not_backed_up(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from gateway.records.tables import RecordVersionRow

    _seed_records(seeded_settings)
    container = build_container(seeded_settings)
    try:
        with Session(container.engine) as session, session.begin():
            session.execute(
                update(RecordVersionRow)
                .where(RecordVersionRow.key == "ZZ-J320102-2026-000777")
                .values(content_hash="0x" + "99" * 32)
            )
    finally:
        container.close()
    result = run(seeded_settings.data_dir, "records", "backup", "--out", str(tmp_path / "b.json"))
    assert result.returncode == 1
    assert "record_backup_refused" in result.stderr
    assert "stored_hash_mismatch" in result.stderr
    assert not (tmp_path / "b.json").exists()
