"""``alliance audit verify`` run by an auditor in an empty directory: no data dir, no settings,
only the workbook (and the gateway's public key); each outcome its own exit status, one line."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gateway.audit.manifest import MANIFEST_SHEET, SUMMARY_SHEET
from gateway.audit.workbook import export_workbook
from tests.alliance_support import Alliance


def _alliance(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean["HOME"] = str(cwd)
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture
def auditor(alliance: Alliance, tmp_path: Path) -> tuple[Alliance, Path]:
    """An empty directory holding only the workbook and the key ``alliance audit public-key``
    gave out."""
    alliance.title_inquiries()
    container = alliance.container
    now = datetime.now(UTC)
    empty = tmp_path / "auditor"
    empty.mkdir()
    export_workbook(
        container.engine,
        empty / "day.xlsx",
        start=now - timedelta(days=1),
        end=now + timedelta(days=1),
        signer=container.gateway_key(),
        evidence_ledger=container.chain.deployment().address("EvidenceLedger"),
    )
    published = _alliance(
        tmp_path,
        "audit",
        "public-key",
        "--out",
        str(empty / "gateway.pem"),
        env={"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir)},
    )
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout)["fingerprint"].startswith("0x")
    return alliance, empty


def test_an_untouched_export_verifies_from_an_empty_directory(
    auditor: tuple[Alliance, Path],
) -> None:
    alliance, empty = auditor
    result = _alliance(empty, "audit", "verify", "day.xlsx", "--public-key", "gateway.pem")
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["roots_on_chain"] == "not_checked"
    assert "roots were NOT checked" in _one_line_error(result)
    assert sorted(path.name for path in empty.iterdir()) == ["day.xlsx", "gateway.pem"]

    nothing = _alliance(empty, "audit", "verify", "day.xlsx")
    assert nothing.returncode == 4
    assert "NOT verified" in _one_line_error(nothing)

    on_chain = _alliance(
        empty, "audit", "verify", "day.xlsx", "--rpc", alliance.container.chain.server.url
    )
    assert on_chain.returncode == 0, on_chain.stderr
    assert json.loads(on_chain.stdout)["complete"] is True


def test_an_edited_summary_period_exits_non_zero_naming_the_cell(
    auditor: tuple[Alliance, Path],
) -> None:
    _, empty = auditor
    workbook = load_workbook(empty / "day.xlsx")
    workbook[SUMMARY_SHEET]["B3"] = "2020-01-01T00:00:00+08:00"
    workbook.save(empty / "day.xlsx")
    result = _alliance(empty, "audit", "verify", "day.xlsx", "--public-key", "gateway.pem")
    assert result.returncode == 1
    line = _one_line_error(result)
    assert line.startswith("Error: 摘要 row 3 column B: summary:"), line
    assert json.loads(result.stdout)["first_failure"]["column"] == "B"


def _write_not_a_workbook(path: Path) -> None:
    path.write_text("request_id,decision\nr1,allowed\n")


def _write_zip_without_sheets(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_manifest(path: Path) -> None:
    workbook = load_workbook(path)
    del workbook[MANIFEST_SHEET]
    workbook.save(path)


def _empty_manifest(path: Path) -> None:
    workbook = load_workbook(path)
    sheet = workbook[MANIFEST_SHEET]
    sheet.delete_rows(1, sheet.max_row)
    workbook.save(path)


@pytest.mark.parametrize(
    "damage",
    [_write_not_a_workbook, _write_zip_without_sheets, _truncate, _drop_manifest, _empty_manifest],
)
def test_an_unreadable_or_malformed_file_is_one_line_and_exit_5(
    auditor: tuple[Alliance, Path], damage: object
) -> None:
    _, empty = auditor
    assert callable(damage)
    damage(empty / "day.xlsx")
    result = _alliance(empty, "audit", "verify", "day.xlsx", "--public-key", "gateway.pem")
    assert result.returncode == 5, (result.stdout, result.stderr)
    _one_line_error(result)
    assert result.stdout == ""


def test_an_unreachable_node_is_exit_6_and_a_bad_key_file_is_a_usage_error(
    auditor: tuple[Alliance, Path],
) -> None:
    _, empty = auditor
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = _alliance(empty, "audit", "verify", "day.xlsx", "--rpc", closed)
    assert result.returncode == 6, result.stderr
    assert "audit_chain_unreachable" in _one_line_error(result)
    shutil.copy(empty / "day.xlsx", empty / "not-a-key.pem")
    bad_key = _alliance(empty, "audit", "verify", "day.xlsx", "--public-key", "not-a-key.pem")
    assert bad_key.returncode == 2 and "Traceback" not in bad_key.stderr
