"""``alliance members`` and ``alliance clients`` as the office's operator uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from gateway.settings import Settings

ALLIANCE = [sys.executable, "-m", "gateway.cli"]


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ALLIANCE_DATA_DIR": str(settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    return subprocess.run(
        [*ALLIANCE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def ok(settings: Settings, *args: str) -> Any:
    result = run(settings, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_show_and_lifecycle(seeded_settings: Settings) -> None:
    members = ok(seeded_settings, "members", "list")
    assert len(members) == 12
    assert ok(seeded_settings, "members", "list", "--role", "office")[0]["code"] == "GAO"

    shown = ok(seeded_settings, "members", "show", "ECERT")
    assert shown["on_chain"]["status"] == "active"
    assert shown["on_chain"]["account"] == shown["account"]
    assert [event["action"] for event in shown["history"]] == ["apply", "approve"]

    assert (
        ok(seeded_settings, "members", "suspend", "ECERT", "--reason", "维护")["status"]
        == "suspended"
    )
    refused = run(seeded_settings, "members", "suspend", "ECERT", "--reason", "again")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: illegal_member_transition: cannot suspend a member that is suspended"
    ]
    missing_reason = run(seeded_settings, "members", "revoke", "ECERT")
    assert missing_reason.returncode == 2
    assert ok(seeded_settings, "members", "reinstate", "ECERT")["status"] == "active"


def test_apply_approve_and_clients(seeded_settings: Settings) -> None:
    applied = ok(
        seeded_settings,
        "members",
        "apply",
        "--code",
        "AUDIT",
        "--name-zh",
        "省审计厅",
        "--credit-code",
        "11320000011904537R",
        "--role",
        "auditor",
    )
    assert applied["status"] == "applied"
    approved = ok(seeded_settings, "members", "approve", "AUDIT")
    credentials = approved["credentials"]
    assert credentials["scopes"] == [
        "members:read",
        "audit:read",
        "audit:export",
        "supervision:read",
        "transfer:read",
    ]
    assert len(credentials["client_secret"]) >= 40

    listed = ok(seeded_settings, "clients", "list", "--member", "AUDIT")
    assert [c["client_id"] for c in listed] == [credentials["client_id"]]
    assert credentials["client_secret"] not in json.dumps(listed)
    extra = ok(seeded_settings, "clients", "create", "AUDIT", "--name", "backup system")
    assert extra["client_id"] != credentials["client_id"]
    revoked = ok(seeded_settings, "clients", "revoke", extra["client_id"])
    assert revoked["active"] is False
    unknown = run(seeded_settings, "clients", "revoke", "nope")
    assert unknown.returncode == 1
    assert "oauth_client_not_found" in unknown.stderr
