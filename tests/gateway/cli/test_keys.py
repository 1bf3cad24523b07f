"""``alliance keys``: what an operator sees when generating, showing and importing keys."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gateway.cli.main import main
from gateway.crypto.keyfiles import load_private_key

DATA = Path(__file__).resolve().parents[2] / "data"


def alliance(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _accounts() -> Any:
    return json.loads((DATA / "accounts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("suite", ["sm", "ecdsa"])
def test_generate_writes_0600_key_and_prints_its_identity(tmp_path: Path, suite: str) -> None:
    out = tmp_path / "node.pem"
    result = alliance("keys", "generate", "--suite", suite, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["suite"] == suite
    assert len(printed["public_key"]) == 128
    assert printed["address"].startswith("0x") and printed["address"] == printed["address"].lower()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert load_private_key(out).public_key.to_bytes().hex() == printed["public_key"]
    shown = json.loads(alliance("keys", "show", str(out)).stdout)
    assert (shown["public_key"], shown["address"]) == (printed["public_key"], printed["address"])


def test_generate_into_directory_uses_fisco_console_name(tmp_path: Path) -> None:
    result = alliance("keys", "generate", "--out", str(tmp_path))
    printed = json.loads(result.stdout)
    assert Path(printed["file"]).name == printed["address"] + ".pem"
    assert printed["suite"] == "sm"


def test_generate_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "k.pem"
    assert alliance("keys", "generate", "--out", str(out)).exit_code == 0
    before = out.read_bytes()
    result = alliance("keys", "generate", "--out", str(out))
    assert result.exit_code != 0
    assert "exists" in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes() == before


def test_encrypted_key_needs_passphrase_from_env(tmp_path: Path) -> None:
    out = tmp_path / "k.pem"
    env = {"KEY_PASS": "operator secret"}
    result = alliance(
        "keys", "generate", "--out", str(out), "--passphrase-env", "KEY_PASS", env=env
    )
    assert result.exit_code == 0, result.stderr
    assert b"ENCRYPTED PRIVATE KEY" in out.read_bytes()
    denied = alliance("keys", "show", str(out))
    assert denied.exit_code != 0
    assert denied.stderr.count("\n") == 1 and "passphrase" in denied.stderr
    wrong = alliance(
        "keys", "show", str(out), "--passphrase-env", "KEY_PASS", env={"KEY_PASS": "x"}
    )
    assert wrong.exit_code != 0
    shown = alliance("keys", "show", str(out), "--passphrase-env", "KEY_PASS", env=env)
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["suite"] == "sm"


def test_unset_passphrase_variable_is_a_usage_error(tmp_path: Path) -> None:
    result = alliance(
        "keys", "generate", "--out", str(tmp_path / "k.pem"), "--passphrase-env", "NOPE_UNSET"
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "NOPE_UNSET" in result.stderr
    assert not (tmp_path / "k.pem").exists()


def test_import_fisco_gm_account_json(tmp_path: Path) -> None:
    fixture = _accounts()["gm"]["keyfiles"][0]
    source = tmp_path / "gm_account.json"
    source.write_text(json.dumps(fixture["file_content"]))
    out = tmp_path / "imported.pem"
    result = alliance(
        "keys", "import-fisco", str(source), "--password", fixture["password"], "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["address"] == fixture["address"].lower()
    assert printed["public_key"] == fixture["public_key"][2:]
    assert load_private_key(out).to_bytes().hex() == fixture["private_key"][2:]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_import_fisco_wrong_password_fails_cleanly(tmp_path: Path) -> None:
    fixture = _accounts()["gm"]["keyfiles"][0]
    source = tmp_path / "gm_account.json"
    source.write_text(json.dumps(fixture["file_content"]))
    result = alliance(
        "keys", "import-fisco", str(source), "--password", "wrong", "--out", str(tmp_path / "o")
    )
    assert result.exit_code != 0
    assert "key_file_error" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_import_fisco_console_pem_written_by_openssl(tmp_path: Path) -> None:
    console = tmp_path / "console.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", str(console)], check=True)
    out_dir = tmp_path / "accounts"
    out_dir.mkdir()
    result = alliance(
        "keys", "import-fisco", str(console), "--out", str(out_dir),
        "--passphrase-env", "P", env={"P": "new passphrase"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    written = Path(printed["file"])
    assert written.name == printed["address"] + ".pem"
    assert load_private_key(written, b"new passphrase") == load_private_key(console)


def test_show_of_garbage_file_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n")
    result = alliance("keys", "show", str(bad))
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1
