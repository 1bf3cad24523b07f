"""A reconciliation report as an Excel workbook: 概要 (summary) and 差异明细 (findings)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from gateway.audit.workbook import SheetWriter

SUMMARY_SHEET = "概要"
FINDINGS_SHEET = "差异明细"
KIND_LABELS = {
    "row_changed_after_anchoring": "上链后记录被修改",
    "digest_mismatch": "摘要不一致",
    "records_missing": "记录缺失",
    "missing_anchor": "未上链",
    "anchor_not_on_chain": "链上无此批次",
    "anchor_without_records": "链上批次无对应记录",
    "sequence_gap": "序号不连续",
    "membership_drift": "成员信息不一致",
    "catalog_drift": "目录信息不一致",
}
OUTCOME_LABELS = {"clean": "一致", "mismatch": "发现差异", "failed": "未完成"}


def _naive(value: Any) -> Any:
    return value.replace(tzinfo=None) if hasattr(value, "tzinfo") and value.tzinfo else value


def _changes(detail: dict[str, Any]) -> str:
    fields = detail.get("fields") or {}
    return "; ".join(
        f"{name}: {json.dumps(change.get('anchored', change.get('chain')), ensure_ascii=False)}"
        f" → {json.dumps(change.get('current', change.get('index')), ensure_ascii=False)}"
        for name, change in fields.items()
    )


def write_report_workbook(report: dict[str, Any], out_path: str | Path) -> Path:
    """Write ``report`` (with its findings) to ``out_path`` atomically; returns the path."""
    out = Path(out_path)
    partial = out.with_name(out.name + ".partial")
    _report_workbook(report).save(partial)
    partial.replace(out)
    return out


def report_workbook_bytes(report: dict[str, Any]) -> bytes:
    """``report`` (with its findings) as the bytes of an .xlsx file, for a download."""
    buffer = io.BytesIO()
    _report_workbook(report).save(buffer)
    return buffer.getvalue()


def _report_workbook(report: dict[str, Any]) -> Workbook:
    workbook = Workbook(write_only=True)
    summary = SheetWriter(workbook.create_sheet(SUMMARY_SHEET))
    findings = SheetWriter(workbook.create_sheet(FINDINGS_SHEET))
    summary.header(["项目", "值"], [24, 60])
    for label, value in (
        ("报告编号", report["id"]),
        ("开始时间(UTC)", _naive(report["started_at"])),
        ("结束时间(UTC)", _naive(report["finished_at"])),
        ("结论", OUTCOME_LABELS.get(report["outcome"], report["outcome"])),
        ("核对记录数", report["records_checked"]),
        ("核对批次数", report["anchors_checked"]),
        ("差异数", report["findings_count"]),
    ):
        summary.append([label, value])
    for kind, count in report["summary"].get("by_kind", {}).items():
        summary.append([KIND_LABELS.get(kind, kind), count])
    for name, reason in report["summary"].get("skipped", {}).items():
        summary.append([f"未核对: {name}", reason])

    findings.header(
        [
            "差异类型",
            "类型代码",
            "对象",
            "请求编号",
            "说明",
            "字段差异(上链值 → 当前值)",
            "详情(JSON)",
        ],
        [20, 28, 18, 36, 40, 60, 80],
    )
    rows = 1
    for finding in report.get("findings", []):
        detail = finding["detail"]
        findings.append(
            [
                KIND_LABELS.get(finding["kind"], finding["kind"]),
                finding["kind"],
                finding["subject"],
                detail.get("request_id"),
                detail.get("problem"),
                _changes(detail),
                json.dumps(detail, ensure_ascii=False, sort_keys=True),
            ]
        )
        rows += 1
    findings.filter(7, rows)
    return workbook
