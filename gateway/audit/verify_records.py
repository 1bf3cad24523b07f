"""The records sheet of an audit workbook, checked row by row against the manifest.

Per row: no cell right of the table; the date cells agree with their RFC 3339 text; for an
anchored row, the batch is listed, the row's transaction and block are the batch's, and the
evidence leaf rebuilt from the 13 evidence fields (docs/evidence.md) leads through the RFC 6962
audit path (RFC 9162 §2.1.3.2) to the batch root at its position; then the row's SM3 digest
equals the manifest's entry at the same position, naming the column when another check pins it
and saying so when the row belongs elsewhere (deleted, inserted or reordered rows).
"""

from __future__ import annotations

import json
from typing import Any

from gateway.audit.manifest import (
    COLUMN_INDEX,
    RECORD_COLUMNS,
    RECORDS_SHEET,
    TIME_TEXT_COLUMNS,
    AuditWorkbookError,
    ManifestDigest,
    row_digest,
)
from gateway.audit.summary import Tallies
from gateway.audit.verify_sheets import (
    Batch,
    DigestEntry,
    Manifest,
    WorkbookReport,
    column_letter,
    extra_cell,
    time_problem,
)
from gateway.evidence.digests import EVIDENCE_FIELDS, EvidenceFormatError, evidence_leaf
from gateway.evidence.merkle import leaf_hash, root_from_inclusion_proof

RECORD_HEADERS = tuple(column.header for column in RECORD_COLUMNS)


def _evidence_fields(values: list[Any]) -> dict[str, object]:
    fields = {name: values[COLUMN_INDEX[name]] for name in EVIDENCE_FIELDS}
    fields["received_at"] = values[COLUMN_INDEX["received_at_text"]]
    fields["responded_at"] = values[COLUMN_INDEX["responded_at_text"]]
    return fields


def _inclusion_problem(
    values: list[Any], batches: dict[str, Batch]
) -> tuple[str, str, str | None] | None:
    root = values[COLUMN_INDEX["batch_root"]]
    batch = batches.get(root)
    if batch is None:
        return "anchor_listed", f"batch root {root} is not in the anchors sheet", "N"
    sequence, index = values[COLUMN_INDEX["sequence"]], values[COLUMN_INDEX["leaf_index"]]
    if not isinstance(sequence, int) or not isinstance(index, int):
        return "anchored_position", "sequence and leaf index must be integers", None
    if sequence - batch.first != index:
        return "anchored_position", f"sequence {sequence} is not leaf {index} of its batch", None
    for name, expected in (("tx_hash", batch.tx_hash), ("block", batch.block)):
        if values[COLUMN_INDEX[name]] != expected:
            column = COLUMN_INDEX[name]
            detail = f"{RECORD_COLUMNS[column].header} is not the anchors sheet's {expected!r}"
            return "anchor_cells", detail, column_letter(column)
    try:
        leaf = leaf_hash(evidence_leaf(_evidence_fields(values)))
        path = [bytes.fromhex(node[2:]) for node in json.loads(values[COLUMN_INDEX["proof"]])]
        expected_root = bytes.fromhex(root[2:])
    except (EvidenceFormatError, ValueError, TypeError, AttributeError) as exc:
        return "evidence_leaf", f"the row's evidence cannot be rebuilt: {exc}", None
    if root_from_inclusion_proof(leaf, index, batch.count, path) != expected_root:
        return "inclusion", "the audit path does not lead to the batch root", None
    return None


class RecordsCheck:
    """The records sheet, row by row, against the manifest's row digests."""

    def __init__(self, report: WorkbookReport, manifest: Manifest, batches: dict[str, Batch]):
        self.report = report
        self.entries = manifest.records
        self.batches = batches
        self.digest = ManifestDigest()
        self.tallies = Tallies()
        self.roots: dict[str, str] = {}
        self._positions: dict[object, int] | None = None

    def _moved(self, digest: str) -> DigestEntry | None:
        if self._positions is None:
            self._positions = {entry.digest: i for i, entry in enumerate(self.entries)}
        position = self._positions.get(digest)
        return None if position is None else self.entries[position]

    def header(self, row: tuple[Any, ...]) -> None:
        if tuple(row[: len(RECORD_HEADERS)]) != RECORD_HEADERS:
            self.report.fail(RECORDS_SHEET, 1, "layout", "the header row is not the export's")

    def row(self, number: int, row: tuple[Any, ...]) -> None:
        report = self.report
        width = len(RECORD_COLUMNS)
        values = list(row[:width]) + [None] * (width - len(row[:width]))
        report.rows += 1
        extra = extra_cell(row, width)
        if extra is not None:
            report.fail(RECORDS_SHEET, number, "layout", "an extra cell", column_letter(extra))
        problems: list[tuple[str, str, str | None]] = []
        for date_index, text_index in TIME_TEXT_COLUMNS.items():
            problem = time_problem(values, date_index, text_index, RECORD_HEADERS)
            if problem is not None:
                problems.append(("time_cell", problem, column_letter(date_index)))
        root = values[COLUMN_INDEX["batch_root"]]
        if root is not None:
            report.anchored_rows += 1
            inclusion = _inclusion_problem(values, self.batches)
            if inclusion is not None:
                problems.append(inclusion)
            elif root not in self.roots:
                direct = self.batches[root].prev_root == "direct"
                self.roots[root] = "direct" if direct else "batch"
        try:
            row_hash = row_digest(values)
        except AuditWorkbookError as exc:
            report.fail(RECORDS_SHEET, number, "row_digest", exc.detail)
            return
        self.digest.add_row(row_hash)
        self.tallies.add(values)
        position = report.rows - 1
        entry = self.entries[position] if position < len(self.entries) else None
        text = "0x" + row_hash.hex()
        if entry is None or entry.sheet_row != number or entry.digest != text:
            column = next((column for *_, column in problems if column), None)
            report.fail(RECORDS_SHEET, number, "row_digest", self._differs(text, column), column)
        for check, detail, column in problems:
            report.fail(RECORDS_SHEET, number, check, detail, column)

    def _differs(self, digest: str, column: str | None) -> str:
        moved = self._moved(digest)
        if moved is not None:
            return (
                f"the row is the manifest's row for sheet row {moved.sheet_row}: "
                "rows were deleted, inserted or reordered"
            )
        if column is not None:
            return f"the row differs from the manifest (column {column})"
        return "the row differs from the manifest"


__all__ = ["RECORD_HEADERS", "RecordsCheck"]
