"""``alliance catalog`` and ``alliance grants`` from the shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from gateway.settings import Settings


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ALLIANCE_DATA_DIR": str(settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(settings: Settings, *args: str) -> Any:
    result = run(settings, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_publish_revise_retire_and_grant_cycle(seeded_settings: Settings, tmp_path: Path) -> None:
    assert [e["id"] for e in ok(seeded_settings, "catalog", "list", "-q", "婚姻")] == [
        "CIV-MARRIAGE"
    ]
    entry = {
        "id": "HUD-PERMIT",
        "provider": "HUD",
        "name": "商品房预售许可信息",
        "sharing_class": "unconditional",
        "update_frequency": "daily",
        "service": {"connector": "http", "path": "/api/presale-permit"},
        "fields": [{"name": "permit_number", "type": "string", "description": "预售许可证号"}],
    }
    file = tmp_path / "entry.json"
    file.write_text(json.dumps(entry, ensure_ascii=False))
    published = ok(seeded_settings, "catalog", "publish", str(file), "--as", "HUD")
    assert published["version"] == 0
    entry["description"] = "新增描述"
    file.write_text(json.dumps(entry, ensure_ascii=False))
    stale = run(
        seeded_settings,
        "catalog",
        "revise",
        "HUD-PERMIT",
        str(file),
        "--if-match",
        "0x" + "11" * 32,
    )
    assert stale.returncode == 1
    assert stale.stderr.startswith("Error: stale_entry_version")
    revised = ok(
        seeded_settings,
        "catalog",
        "revise",
        "HUD-PERMIT",
        str(file),
        "--if-match",
        published["version_hash"],
    )
    assert revised["versions"][1]["previous_hash"] == published["version_hash"]
    assert (
        ok(seeded_settings, "catalog", "retire", "HUD-PERMIT", "--reason", "并入新目录")["status"]
        == "retired"
    )
    assert ok(seeded_settings, "catalog", "sync")["missing_documents"] == []

    grant = ok(
        seeded_settings,
        "grants",
        "apply",
        "--consumer",
        "NRD",
        "--entry",
        "TAX-DEED",
        "--matter",
        "320100-FW-0001",
        "--purpose",
        "不动产转移登记",
        "--field",
        "voucher_number",
        "--field",
        "tax_amount",
        "--days",
        "30",
    )
    assert grant["status"] == "applied"
    approved = ok(seeded_settings, "grants", "approve", grant["id"], "--field", "voucher_number")
    assert approved["allowed_fields"] == ["voucher_number"]
    listed = ok(seeded_settings, "grants", "list", "--consumer", "NRD", "--status", "approved")
    assert grant["id"] in [g["id"] for g in listed]
    assert (
        ok(seeded_settings, "grants", "revoke", grant["id"], "--reason", "办结")["status"]
        == "revoked"
    )
    refused = run(
        seeded_settings,
        "grants",
        "apply",
        "--consumer",
        "NRD",
        "--entry",
        "PSB-RECORD",
        "--matter",
        "X",
        "--purpose",
        "x",
        "--field",
        "has_record",
    )
    assert refused.returncode == 1
    assert "entry_not_shared" in refused.stderr
