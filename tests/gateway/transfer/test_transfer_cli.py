"""``alliance transfer open|attest|status|revoke|complete`` from the shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.sm2 import Sm2PrivateKey


def run(alliance: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ALLIANCE_DATA_DIR": str(alliance.settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "transfer", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(alliance: Any, *args: str) -> Any:
    result = run(alliance, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_case_from_open_to_completed_on_the_command_line(alliance: Any, tmp_path: Path) -> None:
    opened = ok(alliance, "open", "CLI-0001", "--sample", "--deadline-days", "7")
    assert opened["status"] == "pending"
    for condition in ("tax_paid", "no_seizure", "marriage_status"):
        ok(alliance, "attest", "CLI-0001", condition)

    forged_key = tmp_path / "forged.pem"
    write_private_key(forged_key, Sm2PrivateKey.generate())
    forged = run(alliance, "attest", "CLI-0001", "contract_filed", "--key", str(forged_key))
    assert forged.returncode == 1
    assert "attestation_signature_invalid" in forged.stderr
    early = run(
        alliance, "complete", "CLI-0001",
        "--registration-number", "BDC-1", "--certificate-hash", "0x" + "cd" * 32,
    )  # fmt: skip
    assert early.returncode == 1 and "transfer_pending" in early.stderr

    hud_key = alliance.settings.data_dir / "credentials" / "HUD-sm2.pem"
    ok(alliance, "attest", "CLI-0001", "contract_filed", "--key", str(hud_key))
    done = ok(
        alliance, "complete", "CLI-0001",
        "--registration-number", "BDC-1", "--certificate-hash", "0x" + "cd" * 32,
    )  # fmt: skip
    assert done["status"] == "completed"
    status = ok(alliance, "status", "CLI-0001")
    assert [item["proof"]["verified"] for item in status["attestations"]] == [True] * 4
    assert [case["case_id"] for case in ok(alliance, "status")] == ["CLI-0001"]
    unknown = run(alliance, "status", "NOPE")
    assert unknown.returncode == 1 and "transfer_not_found" in unknown.stderr
