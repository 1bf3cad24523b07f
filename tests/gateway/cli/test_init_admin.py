"""``alliance init --admin NAME``: the console's first admin, created once."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gateway.bootstrap import build_container
from gateway.cli.main import main
from gateway.settings import Settings

from .test_service_cli import run


def _accounts(settings: Settings) -> list[tuple[str, str]]:
    container = build_container(settings)
    try:
        return [(a.username, a.role.value) for a in container.console.accounts.list()]
    finally:
        container.close()


def test_init_creates_the_first_admin_once_from_a_password_file(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    env = {"ALLIANCE_DATA_DIR": str(seeded_settings.data_dir)}
    weak = tmp_path / "weak.txt"
    weak.write_text("short\n")
    refused = run(["init", "--admin", "office", "--password-file", str(weak)], env)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid_console_user" in lines[0] and "at least" in lines[0]
    assert _accounts(seeded_settings) == []

    good = tmp_path / "password.txt"
    good.write_text("a-long-passphrase\n")
    first = run(["init", "--admin", "office", "--password-file", str(good)], env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["admin"] == {
        "username": "office",
        "role": "admin",
        "created": True,
    }
    again = run(["init", "--admin", "office", "--password-file", str(good)], env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["admin"]["created"] is False
    assert _accounts(seeded_settings) == [("office", "admin")]

    container = build_container(seeded_settings)
    try:
        signed_in = container.console.accounts.authenticate("office", "a-long-passphrase")
        assert signed_in.username == "office"
    finally:
        container.close()


def test_init_prompts_for_the_admin_password_and_checks_the_options(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    env = {"ALLIANCE_DATA_DIR": str(seeded_settings.data_dir)}
    runner = CliRunner()
    prompted = runner.invoke(
        main, ["init", "--admin", "root"], env=env, input="prompted passphrase\n" * 2
    )
    assert prompted.exit_code == 0, prompted.output
    assert _accounts(seeded_settings) == [("root", "admin")]
    no_prompt_again = runner.invoke(main, ["init", "--admin", "root"], env=env, input="")
    assert no_prompt_again.exit_code == 0, no_prompt_again.output
    alone = runner.invoke(main, ["init", "--password-file", str(tmp_path / "x")], env=env)
    assert alone.exit_code == 2 and "--password-file needs --admin" in alone.output
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    blank = runner.invoke(
        main, ["init", "--admin", "other", "--password-file", str(empty)], env=env
    )
    assert blank.exit_code == 2 and "holds no password" in blank.output
