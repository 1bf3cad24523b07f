"""An auditor verifies a workbook with public material only, and every sheet is covered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gateway.audit.manifest import (
    ANCHORS_SHEET,
    MANIFEST_SHEET,
    RECORDS_SHEET,
    SUMMARY_SHEET,
    key_fingerprint,
)
from gateway.audit.verify_workbook import verify_workbook
from gateway.audit.workbook import export_workbook
from gateway.crypto.sm2 import Sm2PrivateKey
from tests.alliance_support import Alliance


def _export(alliance: Alliance, path: Path) -> Path:
    container = alliance.container
    now = datetime.now(UTC)
    export_workbook(
        container.engine,
        path,
        start=now - timedelta(days=1),
        end=now + timedelta(days=1),
        signer=container.gateway_key(),
        evidence_ledger=container.chain.deployment().address("EvidenceLedger"),
    )
    return path


@pytest.fixture
def exported(alliance: Alliance, tmp_path: Path) -> tuple[Alliance, Path]:
    alliance.title_inquiries()
    return alliance, _export(alliance, tmp_path / "audit.xlsx")


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    workbook = load_workbook(path)
    change(workbook)
    workbook.save(path)


def _first(path: Path, key: Any) -> tuple[str, int | None, str | None, str]:
    report = verify_workbook(path, key)
    first = report.first_failure
    assert first is not None, report.to_dict()
    return first.sheet, first.row, first.column, first.check


def test_untouched_workbook_passes_but_says_the_roots_were_not_checked(
    exported: tuple[Alliance, Path],
) -> None:
    alliance, path = exported
    key = alliance.container.gateway_key().public_key
    report = verify_workbook(path, key).to_dict()
    assert report["ok"] is True and report["complete"] is False
    assert report["roots_on_chain"] == "not_checked"
    assert report["signer_key"] == ["public_key"]
    by_fingerprint = verify_workbook(path, fingerprint=key_fingerprint(key)).to_dict()
    assert by_fingerprint["ok"] and by_fingerprint["signer_key"] == ["fingerprint"]
    unanchored = verify_workbook(path).to_dict()
    assert unanchored["ok"] and unanchored["signer_key"] == "not_checked"


def test_with_the_chain_only_the_signer_and_every_root_are_checked_on_chain(
    exported: tuple[Alliance, Path],
) -> None:
    alliance, path = exported
    report = verify_workbook(path, rpc_url=alliance.container.chain.server.url)
    assert report.complete, report.to_dict()
    assert report.signer_key == ["on_chain"] and report.roots_on_chain == report.roots == 1


def test_a_resaved_untouched_workbook_still_verifies(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    _edit(path, lambda workbook: None)
    assert verify_workbook(path, alliance.container.gateway_key().public_key).ok


def _set(sheet: str, row: int, column: int, value: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        workbook[sheet].cell(row=row, column=column).value = value

    return change


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (3, 2, "2020-01-01T00:00:00+08:00"),  # period start
        (4, 2, "2099-01-01T00:00:00+08:00"),  # period end
        (2, 2, "UTC"),  # time zone
        (7, 2, 3),  # record count
        (8, 1, "锚定记录数"),  # a label
        (15, 2, 99),  # a per-member count
    ],
)
def test_an_edited_summary_cell_fails_naming_row_and_column(
    exported: tuple[Alliance, Path], row: int, column: int, value: Any
) -> None:
    alliance, path = exported
    _edit(path, _set(SUMMARY_SHEET, row, column, value))
    letter = "AB"[column - 1]
    key = alliance.container.gateway_key().public_key
    assert _first(path, key) == (SUMMARY_SHEET, row, letter, "summary")


def test_a_row_added_to_the_summary_fails(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    _edit(path, lambda workbook: workbook[SUMMARY_SHEET].append(["备注", "全部核对无误"]))
    sheet, row, column, check = _first(path, alliance.container.gateway_key().public_key)
    assert (sheet, column, check) == (SUMMARY_SHEET, "A", "summary") and row is not None


def _delete_row(workbook: Any) -> None:
    workbook[RECORDS_SHEET].delete_rows(3)


def _insert_row(workbook: Any) -> None:
    sheet = workbook[RECORDS_SHEET]
    copy = [cell.value for cell in sheet[2]]
    sheet.insert_rows(3)
    for index, value in enumerate(copy, start=1):
        sheet.cell(row=3, column=index).value = value


def _swap_rows(workbook: Any) -> None:
    sheet = workbook[RECORDS_SHEET]
    second = [cell.value for cell in sheet[2]]
    third = [cell.value for cell in sheet[3]]
    for index, (a, b) in enumerate(zip(second, third, strict=True), start=1):
        sheet.cell(row=2, column=index).value = b
        sheet.cell(row=3, column=index).value = a


@pytest.mark.parametrize(("change", "row"), [(_delete_row, 3), (_insert_row, 3), (_swap_rows, 2)])
def test_a_deleted_inserted_or_reordered_records_row_fails(
    exported: tuple[Alliance, Path], change: Callable[[Any], None], row: int
) -> None:
    alliance, path = exported
    _edit(path, change)
    report = verify_workbook(path, alliance.container.gateway_key().public_key)
    first = report.first_failure
    assert first is not None and (first.sheet, first.row, first.check) == (
        RECORDS_SHEET,
        row,
        "row_digest",
    )
    assert "deleted, inserted or reordered" in first.detail


def test_an_edited_records_cell_names_its_column_where_a_check_pins_it(
    exported: tuple[Alliance, Path],
) -> None:
    alliance, path = exported
    _edit(path, _set(RECORDS_SHEET, 4, 17, "0x" + "ab" * 32))  # 交易哈希
    assert _first(path, alliance.container.gateway_key().public_key) == (
        RECORDS_SHEET,
        4,
        "Q",
        "row_digest",
    )


def test_an_edited_or_added_records_cell_right_of_the_table_fails(
    exported: tuple[Alliance, Path],
) -> None:
    alliance, path = exported
    _edit(path, _set(RECORDS_SHEET, 2, 21, "note"))
    assert _first(path, alliance.container.gateway_key().public_key) == (
        RECORDS_SHEET,
        2,
        "U",
        "layout",
    )


def test_an_edited_anchors_cell_fails_naming_its_row(exported: tuple[Alliance, Path]) -> None:
    alliance, path = exported
    _edit(path, _set(ANCHORS_SHEET, 2, 6, "failed"))  # 状态
    sheet, row, _, check = _first(path, alliance.container.gateway_key().public_key)
    assert (sheet, row, check) == (ANCHORS_SHEET, 2, "row_digest")


def _manifest_cell(field: str, column: int, value: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        sheet = workbook[MANIFEST_SHEET]
        for row in sheet.iter_rows():
            if row[2].value == field:
                row[column - 1].value = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(MANIFEST_SHEET, 3, 2, "0x" + "00" * 32), (RECORDS_SHEET, 3, None, "row_digest")),
        (_manifest_cell("period_start", 2, "2020-01-01T00:00:00.000000Z"), "signature"),
        (_manifest_cell("manifest_digest", 2, "0x" + "11" * 32), "manifest_digest"),
        (_manifest_cell("member", 1, "委办局"), (MANIFEST_SHEET, None, "A", "layout")),
        (_manifest_cell("signature", 3, "sig"), (MANIFEST_SHEET, None, "C", "layout")),
    ],
)
def test_a_changed_manifest_fails(
    exported: tuple[Alliance, Path], change: Callable[[Any], None], expected: Any
) -> None:
    alliance, path = exported
    _edit(path, change)
    report = verify_workbook(path, alliance.container.gateway_key().public_key)
    assert not report.ok
    checks = [failure.check for failure in report.failures]
    if isinstance(expected, str):
        assert expected in checks, report.failures
        return
    first = report.first_failure
    assert first is not None
    sheet, row, column, check = expected
    assert (first.sheet, first.column, first.check) == (sheet, column, check), report.failures
    if row is not None:
        assert first.row == row


def test_a_workbook_signed_by_another_key_is_refused_even_with_its_own_key_inside(
    exported: tuple[Alliance, Path], tmp_path: Path
) -> None:
    alliance, _ = exported
    other = Sm2PrivateKey.from_bytes(bytes.fromhex("42" * 32))
    container = alliance.container
    forged = export_workbook(
        container.engine,
        tmp_path / "forged.xlsx",
        start=datetime.now(UTC) - timedelta(days=1),
        end=datetime.now(UTC) + timedelta(days=1),
        signer=other,
        evidence_ledger=container.chain.deployment().address("EvidenceLedger"),
    ).path
    assert verify_workbook(forged).ok  # self-consistent: only the key source can tell
    refused = verify_workbook(forged, container.gateway_key().public_key)
    assert refused.first_failure is not None and refused.first_failure.check == "signer"
    by_fingerprint = verify_workbook(
        forged, fingerprint=key_fingerprint(container.gateway_key().public_key)
    )
    assert by_fingerprint.first_failure is not None
    on_chain = verify_workbook(forged, rpc_url=container.chain.server.url)
    assert on_chain.first_failure is not None and on_chain.first_failure.check == "signer"
