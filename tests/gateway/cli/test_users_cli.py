"""``alliance users`` from the shell: console accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from gateway.bootstrap import build_container
from gateway.console.audit import AdminActionQuery
from gateway.settings import Settings


def run(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ALLIANCE_DATA_DIR": str(settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "users", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(settings: Settings, *args: str, stdin: str = "") -> Any:
    result = run(settings, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_create_list_disable_and_reset_password(seeded_settings: Settings) -> None:
    created = ok(
        seeded_settings,
        "create", "tax.user", "--role", "department", "--member", "TAX",
        "--display-name", "税务局用户", "--password-stdin",
        stdin="first long password\n",
    )  # fmt: skip
    assert created["role"] == "department" and created["member_code"] == "TAX"
    ok(
        seeded_settings,
        "create", "office", "--role", "admin", "--display-name", "办公厅", "--password-stdin",
        stdin="second long password\n",
    )  # fmt: skip
    listed = ok(seeded_settings, "list")
    assert [u["username"] for u in listed] == ["office", "tax.user"]
    assert all("password" not in key for user in listed for key in user)

    duplicate = run(
        seeded_settings,
        "create", "office", "--role", "auditor", "--display-name", "x", "--password-stdin",
        stdin="third long password\n",
    )  # fmt: skip
    assert duplicate.returncode == 1
    assert "console_user_exists" in duplicate.stderr
    unknown_member = run(
        seeded_settings,
        "create", "who", "--role", "department", "--member", "NOPE", "--display-name", "x",
        "--password-stdin",
        stdin="third long password\n",
    )  # fmt: skip
    assert unknown_member.returncode == 1 and "invalid_console_user" in unknown_member.stderr

    assert ok(seeded_settings, "disable", "tax.user")["disabled"] is True
    assert ok(seeded_settings, "disable", "tax.user", "--enable")["disabled"] is False
    ok(seeded_settings, "reset-password", "office", "--password-stdin", stdin="a new password!\n")
    missing = run(seeded_settings, "disable", "ghost")
    assert missing.returncode == 1 and "console_user_not_found" in missing.stderr

    container = build_container(seeded_settings)
    try:
        accounts = container.console.accounts
        assert accounts.authenticate("office", "a new password!").username == "office"
        logged = container.console.audit.find(AdminActionQuery(username="cli"))
        assert [(a.action, a.target) for a in reversed(logged)] == [
            ("user_create", "tax.user"),
            ("user_create", "office"),
            ("user_disable", "tax.user"),
            ("user_enable", "tax.user"),
            ("user_reset_password", "office"),
        ]
    finally:
        container.close()
