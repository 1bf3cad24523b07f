"""Auditors export a day of access records to a signed workbook and verify it offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from gateway.audit.manifest import (
    ANCHORS_SHEET,
    MANIFEST_SHEET,
    RECORD_COLUMNS,
    RECORDS_SHEET,
    SUMMARY_SHEET,
)
from gateway.audit.verify_workbook import verify_workbook
from gateway.audit.workbook import export_workbook
from gateway.cli.main import main
from gateway.crypto.sm2 import Sm2PrivateKey
from tests.alliance_support import Alliance


def _run_queries(alliance: Alliance) -> int:
    alliance.title_inquiries()
    return 4


def _day() -> tuple[datetime, datetime]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today, today + timedelta(days=1)


def _export(alliance: Alliance, path: Path, **options: Any) -> Any:
    container = alliance.container
    start, end = _day()
    return export_workbook(
        container.engine,
        path,
        start=start,
        end=end,
        signer=container.gateway_key(),
        evidence_ledger=container.chain.deployment().address("EvidenceLedger"),
        **options,
    )


@pytest.fixture
def exported(alliance: Alliance, tmp_path: Path) -> tuple[Alliance, Path]:
    _run_queries(alliance)
    path = tmp_path / "audit.xlsx"
    seen: list[tuple[int, int]] = []
    result = _export(alliance, path, progress=lambda done, total: seen.append((done, total)))
    assert result.rows == 4 and seen[-1] == (4, 4)
    return alliance, path


def test_workbook_has_the_four_sheets_with_headers_filter_and_frozen_row(
    exported: tuple[Alliance, Path],
) -> None:
    _, path = exported
    workbook = load_workbook(path)
    assert workbook.sheetnames == [SUMMARY_SHEET, RECORDS_SHEET, ANCHORS_SHEET, MANIFEST_SHEET]
    records = workbook[RECORDS_SHEET]
    headers = [cell.value for cell in records[1]]
    assert headers == [column.header for column in RECORD_COLUMNS]
    assert headers[:3] == ["请求编号", "接收时间(UTC)", "应答时间(UTC)"]
    assert records.max_row == 5
    assert records.freeze_panes == "A2"
    assert records.auto_filter.ref == f"A1:T{records.max_row}"
    received = records.cell(row=2, column=2)
    assert isinstance(received.value, datetime)
    assert received.number_format == "yyyy-mm-dd hh:mm:ss"
    decisions = [records.cell(row=r, column=9).value for r in range(2, 6)]
    assert sorted(decisions) == ["allowed", "allowed", "allowed", "denied"]
    assert all(records.cell(row=r, column=14).value for r in range(2, 6))  # all anchored
    anchors = workbook[ANCHORS_SHEET]
    assert anchors.max_row == 2 and anchors.cell(row=2, column=5).value == 4
    summary = {
        row[0]: row[1:] for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) if row
    }
    assert summary["记录数"][0] == 4
    assert summary["TAX"][:2] == (4, 0)
    manifest = workbook[MANIFEST_SHEET]
    assert [manifest.cell(row=r, column=1).value for r in range(2, 6)] == [2, 3, 4, 5]


def test_untouched_workbook_verifies_offline_and_on_chain(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    key = alliance.container.gateway_key().public_key
    report = verify_workbook(path, key)
    assert report.ok, report.to_dict()
    assert report.rows == 4 and report.anchored_rows == 4 and report.signature_ok
    on_chain = verify_workbook(path, key, rpc_url=alliance.container.chain.server.url)
    assert on_chain.ok, on_chain.to_dict()
    assert on_chain.roots_on_chain == 1


@pytest.mark.parametrize(
    ("row", "column", "value"), [(3, 9, "denied"), (4, 19, None), (5, 16, "[]")]
)
def test_any_changed_cell_fails_and_names_its_row(
    exported: tuple[Alliance, Path], row: int, column: int, value: Any
) -> None:
    alliance, path = exported
    workbook = load_workbook(path)
    workbook[RECORDS_SHEET].cell(row=row, column=column).value = value
    workbook.save(path)
    report = verify_workbook(path, alliance.container.gateway_key().public_key)
    assert not report.ok
    first = report.first_failure
    assert first is not None and (first.sheet, first.row, first.check) == (
        RECORDS_SHEET,
        row,
        "row_digest",
    )


def test_changed_date_cell_fails_as_time_cell(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    workbook = load_workbook(path)
    cell = workbook[RECORDS_SHEET].cell(row=2, column=2)
    cell.value = cell.value - timedelta(hours=1)
    workbook.save(path)
    first = verify_workbook(path, alliance.container.gateway_key().public_key).first_failure
    assert first is not None and (first.row, first.check) == (2, "time_cell")


def test_tampered_signature_fails(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    workbook = load_workbook(path)
    manifest = workbook[MANIFEST_SHEET]
    for _label, value, field in manifest.iter_rows(min_row=2, max_col=3):
        if field.value == "signature":
            value.value = value.value[:-2] + ("00" if value.value[-2:] != "00" else "01")
    workbook.save(path)
    report = verify_workbook(path, alliance.container.gateway_key().public_key)
    assert not report.signature_ok
    assert report.first_failure is not None and report.first_failure.check == "signature"


def test_member_filter_keeps_only_that_members_records(alliance: Alliance, tmp_path: Path) -> None:
    _run_queries(alliance)
    result = _export(alliance, tmp_path / "civ.xlsx", member="CIV")
    assert result.rows == 1
    assert verify_workbook(result.path, alliance.container.gateway_key().public_key).ok


def test_cli_exports_and_verifies_with_exit_codes(alliance: Alliance, tmp_path: Path) -> None:
    _run_queries(alliance)
    runner = CliRunner()
    env = {"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir), "ALLIANCE_TIMEZONE": "UTC"}
    start, end = _day()
    out = tmp_path / "cli.xlsx"
    exported = runner.invoke(
        main,
        [
            "audit",
            "export",
            "--from",
            start.strftime("%Y-%m-%d"),
            "--to",
            end.strftime("%Y-%m-%dT%H:%M"),
            "--out",
            str(out),
        ],
        env=env,
    )
    assert exported.exit_code == 0, exported.output
    assert '"rows": 4' in exported.output
    rpc = alliance.container.chain.server.url
    verified = runner.invoke(main, ["audit", "verify", str(out), "--rpc", rpc])
    assert verified.exit_code == 0, verified.output
    workbook = load_workbook(out)
    workbook[RECORDS_SHEET].cell(row=3, column=1).value = "forged"
    workbook.save(out)
    failed = runner.invoke(main, ["audit", "verify", str(out), "--rpc", rpc])
    assert failed.exit_code == 1
    assert "访问记录 row 3: row_digest" in failed.output


def test_text_that_looks_like_a_formula_stays_text_and_verifies(
    alliance: Alliance, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from gateway.evidence.tables import AccessRecordRow

    tax = alliance.token("TAX")
    refused = alliance.query(tax, "CIV-MARRIAGE", {"purpose": "1", "params": {"id_number": "x"}})
    assert refused.status_code == 403
    with alliance.container.engine.begin() as connection:
        connection.execute(update(AccessRecordRow).values(purpose="=SUM(A1:A9)"))
    alliance.container.anchorer.run_once()
    result = _export(alliance, tmp_path / "formula.xlsx")
    workbook = load_workbook(result.path)
    cell = workbook[RECORDS_SHEET].cell(row=2, column=8)
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9)", "s")
    assert verify_workbook(result.path, alliance.container.gateway_key().public_key).ok


def test_cli_verify_on_chain_and_with_another_key(alliance: Alliance, tmp_path: Path) -> None:
    _run_queries(alliance)
    result = _export(alliance, tmp_path / "day.xlsx")
    runner = CliRunner()
    rpc = alliance.container.chain.server.url
    verified = runner.invoke(main, ["audit", "verify", str(result.path), "--rpc", rpc])
    assert verified.exit_code == 0, verified.output
    assert '"roots_on_chain": 1' in verified.output
    assert '"on_chain"' in verified.output
    other = tmp_path / "other.hex"
    other.write_text(Sm2PrivateKey.from_bytes(bytes.fromhex("42" * 32)).public_key.to_bytes().hex())
    refused = runner.invoke(main, ["audit", "verify", str(result.path), "--public-key", str(other)])
    assert refused.exit_code == 1
    assert "清单: signer" in refused.output


def test_cli_refuses_a_backwards_period(alliance: Alliance, tmp_path: Path) -> None:
    env = {"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir)}
    backwards = CliRunner().invoke(
        main,
        ["audit", "export", "--from", "2026-11-28", "--to", "2026-11-27", "--out", "x.xlsx"],
        env=env,
    )
    assert backwards.exit_code == 2
    assert "--to must be after --from" in backwards.output
