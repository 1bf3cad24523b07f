"""Cases exported to Excel, self-verifying the way audit workbooks are.

Sheets: 案件 (one row per case), 流转记录 (one row per transition, with its transaction hash
and block) and 清单 (the manifest). Every data row's digest is SM3 of the RFC 8785 canonical
JSON of its cells (:func:`gateway.audit.manifest.row_json`; all cells are text or integers);
the manifest digest is ``SM3(d_1 ‖ … ‖ d_n ‖ JCS(metadata))`` over the case rows then the
transition rows (:class:`gateway.audit.manifest.ManifestDigest`), signed with the gateway's
SM2 key (:func:`gateway.audit.manifest.sign_manifest`). :func:`verify_cases_workbook` checks
a workbook with the gateway's public key only.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook, load_workbook

from gateway.audit.manifest import (
    ManifestDigest,
    key_id_of,
    manifest_signature_valid,
    row_json,
    sign_manifest,
)
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.supervision.model import Case

CASES_SHEET = "案件"
TRANSITIONS_SHEET = "流转记录"
MANIFEST_SHEET = "清单"
FORMAT = "alliance-supervision-cases/1"

CASE_HEADERS = (
    "案件编号",
    "规则",
    "责任部门",
    "来源",
    "标题",
    "状态",
    "立案时间(UTC)",
    "整改期限(UTC)",
    "证据摘要",
    "证据根",
)
TRANSITION_HEADERS = (
    "案件编号",
    "序号",
    "原状态",
    "新状态",
    "操作成员",
    "账户",
    "说明",
    "详情摘要",
    "链上时间(UTC)",
    "交易哈希",
    "区块",
)
METADATA_KEYS = (
    "format",
    "generated_at",
    "case_count",
    "transition_count",
    "key_id",
    "sm2_user_id",
    "supervision_contract",
    "chain_suite",
)


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="milliseconds")


def case_row(case: Case) -> list[str | int | None]:
    return [
        case.case_id,
        case.rule_id,
        case.department,
        case.source,
        case.title,
        case.status.value,
        _text(case.opened_at),
        _text(case.due_at),
        case.evidence_hash,
        " ".join(case.evidence.get("roots", [])) or None,
    ]


def transition_rows(case: Case) -> Iterable[list[str | int | None]]:
    for step in case.transitions:
        yield [
            case.case_id,
            step.index,
            step.from_status.value if step.from_status else None,
            step.to_status.value,
            step.actor,
            step.account,
            step.note or None,
            step.detail_hash,
            _text(step.at),
            step.tx_hash,
            step.block_number,
        ]


def _digest(values: Sequence[str | int | None]) -> bytes:
    return hashlib.new("sm3", row_json(values)).digest()


def export_cases(
    cases: Sequence[Case],
    signer: Sm2PrivateKey,
    user_id: bytes,
    *,
    contract: str | None,
    suite: str,
    now: datetime | None = None,
) -> bytes:
    """The workbook's bytes; ``cases`` carry their transitions."""
    workbook = Workbook()
    cases_sheet = workbook.active
    cases_sheet.title = CASES_SHEET
    cases_sheet.append(list(CASE_HEADERS))
    steps_sheet = workbook.create_sheet(TRANSITIONS_SHEET)
    steps_sheet.append(list(TRANSITION_HEADERS))
    manifest = ManifestDigest()
    case_rows = [case_row(case) for case in cases]
    step_rows = [row for case in cases for row in transition_rows(case)]
    for row in case_rows:
        cases_sheet.append(row)
        manifest.add_row(_digest(row))
    for row in step_rows:
        steps_sheet.append(row)
        manifest.add_row(_digest(row))
    metadata: dict[str, object] = {
        "format": FORMAT,
        "generated_at": _text(now or datetime.now(UTC)),
        "case_count": len(case_rows),
        "transition_count": len(step_rows),
        "key_id": key_id_of(signer.public_key),
        "sm2_user_id": user_id.decode("utf-8"),
        "supervision_contract": contract,
        "chain_suite": suite,
    }
    digest = manifest.finish(metadata)
    sheet = workbook.create_sheet(MANIFEST_SHEET)
    for key in METADATA_KEYS:
        sheet.append([key, metadata[key]])
    sheet.append(["manifest_digest", "0x" + digest.hex()])
    sheet.append(["signature", sign_manifest(digest, signer, user_id)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class CasesWorkbookReport:
    cases: int = 0
    transitions: int = 0
    signature_ok: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cases": self.cases,
            "transitions": self.transitions,
            "signature_ok": self.signature_ok,
            "problems": self.problems,
        }


def _rows(sheet: Any, headers: Sequence[str], report: CasesWorkbookReport) -> list[list[Any]]:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    if not rows or tuple(rows[0][: len(headers)]) != tuple(headers):
        report.problems.append(f"{sheet.title}: the header row is not the export's")
        return []
    return [row[: len(headers)] + [None] * (len(headers) - len(row)) for row in rows[1:]]


def verify_cases_workbook(data: bytes, public_key: Sm2PublicKey) -> CasesWorkbookReport:
    """Check every row against the manifest digest and the manifest's SM2 signature."""
    report = CasesWorkbookReport()
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        for name in (CASES_SHEET, TRANSITIONS_SHEET, MANIFEST_SHEET):
            if name not in workbook.sheetnames:
                report.problems.append(f"the workbook has no {name} sheet")
                return report
        case_rows = _rows(workbook[CASES_SHEET], CASE_HEADERS, report)
        step_rows = _rows(workbook[TRANSITIONS_SHEET], TRANSITION_HEADERS, report)
        entries = {row[0]: row[1] for row in workbook[MANIFEST_SHEET].iter_rows(values_only=True)}
    finally:
        workbook.close()
    report.cases, report.transitions = len(case_rows), len(step_rows)
    metadata = {key: entries.get(key) for key in METADATA_KEYS}
    if (metadata["case_count"], metadata["transition_count"]) != (len(case_rows), len(step_rows)):
        report.problems.append("the row counts differ from the manifest's")
    if metadata["key_id"] != key_id_of(public_key):
        report.problems.append("the manifest was not signed by this key")
        return report
    manifest = ManifestDigest()
    try:
        for row in [*case_rows, *step_rows]:
            manifest.add_row(_digest(row))
    except TypeError:
        report.problems.append("a row holds a value of the wrong kind")
        return report
    digest = manifest.finish(metadata)
    if entries.get("manifest_digest") != "0x" + digest.hex():
        report.problems.append("the rows do not hash to the manifest digest")
    signature = entries.get("signature")
    user_id = str(metadata["sm2_user_id"] or "").encode("utf-8")
    report.signature_ok = isinstance(signature, str) and manifest_signature_valid(
        digest, signature, public_key, user_id
    )
    if not report.signature_ok:
        report.problems.append("the manifest signature is not valid")
    return report
