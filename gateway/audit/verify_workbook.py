"""Offline verification of an audit workbook, as an auditor holding only the file runs it.

Checks, per records-sheet row: the date cells agree with their RFC 3339 text; the row's SM3
digest (RFC 8785 canonical JSON) equals the manifest's; for an anchored row, the evidence leaf
rebuilt from the row's 13 evidence fields (docs/evidence.md) leads through the row's RFC 6962
audit path (RFC 9162 §2.1.3.2) to the row's batch root, at the position the anchors sheet gives
that batch. Then: the row count, the signer's key id, and the SM2 signature (GB/T 32918.2) over
the manifest digest. With an RPC URL, each distinct root is looked up in ``EvidenceLedger`` on
the chain (``batchByRoot``, or ``recordByDigest`` for direct anchoring) and its count and first
sequence compared. A failed check is an answer naming the sheet row, not an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import load_workbook

from gateway.audit.manifest import (
    ANCHORS_SHEET,
    COLUMN_INDEX,
    MANIFEST_SHEET,
    METADATA_LABELS,
    RECORD_COLUMNS,
    RECORDS_SHEET,
    TIME_TEXT_COLUMNS,
    AuditWorkbookError,
    ManifestDigest,
    key_id_of,
    manifest_signature_valid,
    row_digest,
)
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.errors import GatewayError
from gateway.evidence.digests import EVIDENCE_FIELDS, EvidenceFormatError, evidence_leaf
from gateway.evidence.merkle import leaf_hash, root_from_inclusion_proof

TIME_TOLERANCE = timedelta(milliseconds=1)
"""How far a date cell may be from its text: Excel keeps times as day fractions and openpyxl
reads them back rounded to the millisecond."""

ChainLookup = Callable[[str, str], "tuple[int, int] | None"]
"""``lookup(root, mode)`` → (count, first sequence) on chain, or None when not anchored."""


class ChainLookupError(GatewayError):
    """The chain named by ``--rpc`` could not be read (not a verification failure)."""

    code: ClassVar[str] = "audit_chain_unreachable"
    status: ClassVar[int] = 502
    title: ClassVar[str] = "Chain unreachable"


@dataclass(frozen=True)
class Failure:
    sheet: str
    row: int | None
    check: str
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "check": self.check, "detail": self.detail}


@dataclass
class WorkbookReport:
    """Every failure found (first one first) and what was checked."""

    rows: int = 0
    anchored_rows: int = 0
    roots: int = 0
    roots_on_chain: int | None = None
    signature_ok: bool = False
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    def fail(self, sheet: str, row: int | None, check: str, detail: str) -> None:
        self.failures.append(Failure(sheet, row, check, detail))

    def to_dict(self) -> dict[str, object]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "rows": self.rows,
            "anchored_rows": self.anchored_rows,
            "roots": self.roots,
            "roots_on_chain": self.roots_on_chain,
            "signature_ok": self.signature_ok,
            "first_failure": None if first is None else first.to_dict(),
            "failures": len(self.failures),
        }


@dataclass(frozen=True)
class _Batch:
    root: str
    prev_root: str
    first: int
    count: int


def _sheet(workbook: Any, name: str) -> Any:
    if name not in workbook.sheetnames:
        raise AuditWorkbookError(f"the workbook has no sheet {name!r}")
    return workbook[name]


def _manifest(sheet: Any) -> tuple[list[tuple[Any, Any]], dict[str, Any]]:
    rows = sheet.iter_rows(min_row=2, values_only=True)
    digests: list[tuple[Any, Any]] = []
    for row in rows:
        if not row or all(value is None for value in row):
            break
        digests.append((row[0], row[1] if len(row) > 1 else None))
    metadata: dict[str, Any] = {}
    for row in rows:
        if row and len(row) >= 3 and isinstance(row[2], str) and row[0] != "项目":
            metadata[row[2]] = row[1]
    return digests, metadata


def _batches(sheet: Any) -> dict[str, _Batch]:
    batches: dict[str, _Batch] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row and isinstance(row[0], str) and isinstance(row[2], int) and isinstance(row[4], int):
            batches[row[0]] = _Batch(row[0], str(row[1]), row[2], row[4])
    return batches


def _padded(row: tuple[Any, ...]) -> list[Any]:
    values = list(row[: len(RECORD_COLUMNS)])
    return values + [None] * (len(RECORD_COLUMNS) - len(values))


def _time_cells_agree(values: list[Any]) -> str | None:
    for date_index, text_index in TIME_TEXT_COLUMNS.items():
        cell, text = values[date_index], values[text_index]
        if cell is None and text is None:
            continue
        if not isinstance(cell, datetime) or not isinstance(text, str):
            return f"{RECORD_COLUMNS[date_index].header} and its text do not match"
        try:
            moment = datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            return f"{RECORD_COLUMNS[text_index].header} is not an RFC 3339 time"
        if abs(cell - moment) > TIME_TOLERANCE:
            return f"{RECORD_COLUMNS[date_index].header} differs from {text}"
    return None


def _evidence_fields(values: list[Any]) -> dict[str, object]:
    fields = {name: values[COLUMN_INDEX[name]] for name in EVIDENCE_FIELDS}
    fields["received_at"] = values[COLUMN_INDEX["received_at_text"]]
    fields["responded_at"] = values[COLUMN_INDEX["responded_at_text"]]
    return fields


def _inclusion_problem(values: list[Any], batches: dict[str, _Batch]) -> tuple[str, str] | None:
    root = values[COLUMN_INDEX["batch_root"]]
    batch = batches.get(root)
    if batch is None:
        return "anchor_listed", f"batch root {root} is not in the anchors sheet"
    sequence, index = values[COLUMN_INDEX["sequence"]], values[COLUMN_INDEX["leaf_index"]]
    if not isinstance(sequence, int) or not isinstance(index, int):
        return "anchored_position", "sequence and leaf index must be integers"
    if sequence - batch.first != index:
        return "anchored_position", f"sequence {sequence} is not leaf {index} of its batch"
    try:
        leaf = leaf_hash(evidence_leaf(_evidence_fields(values)))
        path = [bytes.fromhex(node[2:]) for node in json.loads(values[COLUMN_INDEX["proof"]])]
        expected = bytes.fromhex(root[2:])
    except (EvidenceFormatError, ValueError, TypeError, AttributeError) as exc:
        return "evidence_leaf", f"the row's evidence cannot be rebuilt: {exc}"
    computed = root_from_inclusion_proof(leaf, index, batch.count, path)
    if computed != expected:
        return "inclusion", "the audit path does not lead to the batch root"
    return None


def _records(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    yield from enumerate(sheet.iter_rows(values_only=True), start=1)


def verify_workbook(
    path: str | Path,
    gateway_public_key: Sm2PublicKey,
    rpc_url: str | None = None,
    *,
    chain_lookup: ChainLookup | None = None,
) -> WorkbookReport:
    """Check the audit workbook at ``path`` against the gateway's public key and, with
    ``rpc_url`` (or an explicit ``chain_lookup``), against the chain."""
    report = WorkbookReport()
    workbook = load_workbook(path, read_only=True)
    try:
        manifest_rows, metadata = _manifest(_sheet(workbook, MANIFEST_SHEET))
        batches = _batches(_sheet(workbook, ANCHORS_SHEET))
        digest = ManifestDigest()
        roots: dict[str, str] = {}
        headers = [column.header for column in RECORD_COLUMNS]
        for number, row in _records(_sheet(workbook, RECORDS_SHEET)):
            if number == 1:
                if list(row[: len(headers)]) != headers:
                    report.fail(RECORDS_SHEET, 1, "layout", "the header row is not the export's")
                continue
            values = _padded(row)
            report.rows += 1
            entry = manifest_rows[report.rows - 1] if report.rows <= len(manifest_rows) else None
            try:
                row_hash = row_digest(values)
            except AuditWorkbookError as exc:
                report.fail(RECORDS_SHEET, number, "row_digest", exc.detail)
                continue
            digest.add_row(row_hash)
            if entry is None or entry[0] != number or entry[1] != "0x" + row_hash.hex():
                report.fail(
                    RECORDS_SHEET, number, "row_digest", "the row differs from the manifest"
                )
            problem = _time_cells_agree(values)
            if problem is not None:
                report.fail(RECORDS_SHEET, number, "time_cell", problem)
            root = values[COLUMN_INDEX["batch_root"]]
            if root is not None:
                report.anchored_rows += 1
                inclusion = _inclusion_problem(values, batches)
                if inclusion is not None:
                    report.fail(RECORDS_SHEET, number, *inclusion)
                elif root not in roots:
                    roots[root] = "direct" if batches[root].prev_root == "direct" else "batch"
        report.roots = len(roots)
        _check_manifest(report, digest, manifest_rows, metadata, gateway_public_key)
    finally:
        workbook.close()
    lookup = chain_lookup
    if lookup is None and rpc_url is not None:
        lookup = rpc_lookup(rpc_url, metadata.get("evidence_ledger"), metadata.get("chain_suite"))
    if lookup is not None:
        _check_chain(report, roots, batches, lookup)
    return report


def _check_manifest(
    report: WorkbookReport,
    digest: ManifestDigest,
    manifest_rows: list[tuple[Any, Any]],
    metadata: dict[str, Any],
    public_key: Sm2PublicKey,
) -> None:
    if len(manifest_rows) != report.rows or metadata.get("row_count") != report.rows:
        report.fail(
            MANIFEST_SHEET,
            None,
            "row_count",
            f"{report.rows} records rows, manifest lists {len(manifest_rows)}, "
            f"metadata says {metadata.get('row_count')}",
        )
    if metadata.get("key_id") != key_id_of(public_key):
        report.fail(MANIFEST_SHEET, None, "signer", "the manifest was not signed by this key")
        return
    signed = {name: metadata.get(name) for name in METADATA_LABELS}
    computed = digest.finish(signed)
    user_id = str(metadata.get("sm2_user_id") or "").encode("utf-8")
    signature = metadata.get("signature")
    report.signature_ok = isinstance(signature, str) and manifest_signature_valid(
        computed, signature, public_key, user_id
    )
    if not report.signature_ok:
        report.fail(MANIFEST_SHEET, None, "signature", "the manifest signature is not valid")


def _check_chain(
    report: WorkbookReport,
    roots: dict[str, str],
    batches: dict[str, _Batch],
    lookup: ChainLookup,
) -> None:
    report.roots_on_chain = 0
    for root, mode in roots.items():
        found = lookup(root, mode)
        batch = batches[root]
        if found is None:
            report.fail(ANCHORS_SHEET, None, "on_chain", f"batch root {root} is not on chain")
        elif found != (batch.count, batch.first):
            report.fail(
                ANCHORS_SHEET,
                None,
                "on_chain",
                f"batch root {root}: chain holds count {found[0]} from sequence {found[1]}",
            )
        else:
            report.roots_on_chain += 1


def rpc_lookup(rpc_url: str, contract: object, suite: object) -> ChainLookup:
    """``EvidenceLedger`` reads over JSON-RPC on any FISCO BCOS 2.x node."""
    from gateway.chain.client import ChainClient
    from gateway.chain.errors import CallReverted, ChainError
    from gateway.chain.suite import suite_by_name
    from gateway.chain.transport.http import HttpTransport
    from gateway.onchain.artifacts import load_artifacts

    if not isinstance(contract, str) or not contract:
        raise AuditWorkbookError("the workbook names no EvidenceLedger contract address")
    client = ChainClient(HttpTransport(rpc_url, timeout=10.0), suite_by_name(str(suite or "sm")))
    ledger = client.contract(load_artifacts()["EvidenceLedger"], contract)

    def lookup(root: str, mode: str) -> tuple[int, int] | None:
        digest = bytes.fromhex(root[2:])
        try:
            if mode == "direct":
                sequence, _ = ledger.call("recordByDigest", digest)
                return 1, int(sequence)
            _index, count, first, *_ = ledger.call("batchByRoot", digest)
        except CallReverted:
            return None
        except ChainError as exc:
            raise ChainLookupError(f"cannot read EvidenceLedger at {rpc_url}: {exc}") from exc
        return int(count), int(first)

    return lookup


__all__ = ["ChainLookupError", "Failure", "WorkbookReport", "rpc_lookup", "verify_workbook"]
