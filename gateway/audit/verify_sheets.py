"""Reading an audit workbook's manifest and anchors sheets, and comparing its summary sheet.

The verifier (:mod:`gateway.audit.verify_workbook`) uses these: the manifest is read strictly
(every header, label and field name where the export wrote it, nothing after the signature),
the anchors sheet row by row with its row digests, and the summary sheet cell by cell against
the rows rebuilt from the signed content. Each problem is a :class:`Failure` naming the sheet,
the sheet row and, where one cell is at fault, its column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from openpyxl.utils import get_column_letter

from gateway.audit.manifest import (
    ANCHOR_HEADERS,
    ANCHOR_TIME_TEXT_COLUMNS,
    ANCHORS_SHEET,
    MANIFEST_ANCHORS_HEADERS,
    MANIFEST_DIGEST_LABEL,
    MANIFEST_HEADERS,
    MANIFEST_METADATA_HEADERS,
    MANIFEST_SHEET,
    METADATA_LABELS,
    SIGNATURE_LABEL,
    SUMMARY_SHEET,
    AuditWorkbookError,
    anchor_row_digest,
)

TIME_TOLERANCE = timedelta(milliseconds=1)
"""How far a date cell may be from its text: Excel keeps times as day fractions and openpyxl
reads them back rounded to the millisecond."""


@dataclass(frozen=True)
class Failure:
    sheet: str
    row: int | None
    check: str
    detail: str
    column: str | None = None

    @property
    def where(self) -> str:
        """``摘要 row 3 column B``, ``访问记录 row 4`` or ``清单``."""
        place = self.sheet
        if self.row is not None:
            place += f" row {self.row}"
        if self.column is not None:
            place += f" column {self.column}"
        return place

    def to_dict(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "check": self.check,
            "detail": self.detail,
        }


NOT_CHECKED = "not_checked"


class Failures(list[Failure]):
    def add(
        self, sheet: str, row: int | None, check: str, detail: str, column: str | None = None
    ) -> None:
        self.append(Failure(sheet, row, check, detail, column))


@dataclass
class WorkbookReport:
    """Every failure found (first one first) and what was checked."""

    rows: int = 0
    anchored_rows: int = 0
    roots: int = 0
    roots_on_chain: int | None = None
    signature_ok: bool = False
    signer_key: list[str] = field(default_factory=list)
    failures: Failures = field(default_factory=Failures)

    @property
    def ok(self) -> bool:
        """No check failed (some may not have been run: see :attr:`complete`)."""
        return not self.failures

    @property
    def complete(self) -> bool:
        """Passed, with the signer's key trusted and every root checked on the chain."""
        return self.ok and bool(self.signer_key) and self.roots_on_chain is not None

    @property
    def first_failure(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    def fail(
        self, sheet: str, row: int | None, check: str, detail: str, column: str | None = None
    ) -> None:
        self.failures.add(sheet, row, check, detail, column)

    def to_dict(self) -> dict[str, object]:
        first = self.first_failure
        return {
            "ok": self.ok,
            "complete": self.complete,
            "rows": self.rows,
            "anchored_rows": self.anchored_rows,
            "roots": self.roots,
            "roots_on_chain": NOT_CHECKED if self.roots_on_chain is None else self.roots_on_chain,
            "signature_ok": self.signature_ok,
            "signer_key": self.signer_key or NOT_CHECKED,
            "first_failure": None if first is None else first.to_dict(),
            "failures": len(self.failures),
        }


def column_letter(index: int) -> str:
    """Spreadsheet column of a 0-based value index: 0 → A."""
    return get_column_letter(index + 1)


def trimmed(row: Sequence[Any]) -> list[Any]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def time_problem(
    values: Sequence[Any], date_index: int, text_index: int, headers: Sequence[str]
) -> str | None:
    """Why a date cell does not show the time its RFC 3339 text holds, or None."""
    cell, text = values[date_index], values[text_index]
    if cell is None and text is None:
        return None
    if not isinstance(cell, datetime) or not isinstance(text, str):
        return f"{headers[date_index]} and its text do not match"
    try:
        moment = datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return f"{headers[text_index]} is not an RFC 3339 time"
    if abs(cell - moment) > TIME_TOLERANCE:
        return f"{headers[date_index]} differs from {text}"
    return None


def extra_cell(values: Sequence[Any], width: int) -> int | None:
    """Index of the first non-empty cell right of a table ``width`` columns wide."""
    for index in range(width, len(values)):
        if values[index] is not None:
            return index
    return None


@dataclass(frozen=True)
class DigestEntry:
    manifest_row: int
    sheet_row: Any
    digest: Any


@dataclass
class Manifest:
    records: list[DigestEntry] = field(default_factory=list)
    anchors: list[DigestEntry] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    digest_row: int | None = None


_METADATA_ROWS: tuple[tuple[str, str], ...] = (
    *((label, name) for name, label in METADATA_LABELS.items()),
    (MANIFEST_DIGEST_LABEL, "manifest_digest"),
    (SIGNATURE_LABEL, "signature"),
)


def read_manifest(rows: Iterable[tuple[Any, ...]], failures: Failures) -> Manifest:
    """The manifest sheet, read strictly: a header, label or field name out of place fails."""
    manifest = Manifest()
    numbered = enumerate(rows, start=1)
    _, header = next(numbered, (1, ()))
    if tuple(trimmed(header)) != MANIFEST_HEADERS:
        failures.add(MANIFEST_SHEET, 1, "layout", "the header row is not the export's")
    section: list[DigestEntry] | None = manifest.records
    metadata_at: int | None = None
    anchors_seen = False
    for number, row in numbered:
        values = trimmed(row)
        if metadata_at is not None:
            _metadata_row(manifest, number, number - metadata_at - 1, values, failures)
        elif tuple(values) == MANIFEST_METADATA_HEADERS:
            metadata_at = number
        elif tuple(values) == MANIFEST_ANCHORS_HEADERS and not anchors_seen:
            section, anchors_seen = manifest.anchors, True
        elif not values:
            section = None
        elif section is not None:
            if len(values) > 2:
                failures.add(MANIFEST_SHEET, number, "layout", "an extra cell", column_letter(2))
            section.append(DigestEntry(number, values[0], values[1] if len(values) > 1 else None))
        else:
            failures.add(MANIFEST_SHEET, number, "layout", "a row the export does not write")
    if metadata_at is None:
        raise AuditWorkbookError("the manifest sheet has no signed metadata (项目 | 值 | 字段)")
    missing = [name for _, name in _METADATA_ROWS if name not in manifest.metadata]
    if missing:
        failures.add(MANIFEST_SHEET, None, "layout", f"missing manifest rows: {', '.join(missing)}")
    return manifest


def _metadata_row(
    manifest: Manifest, number: int, position: int, values: list[Any], failures: Failures
) -> None:
    if position >= len(_METADATA_ROWS):
        if values:
            failures.add(MANIFEST_SHEET, number, "layout", "a row after the signature")
        return
    label, name = _METADATA_ROWS[position]
    padded = values + [None] * (3 - len(values))
    if padded[2] != name:
        failures.add(MANIFEST_SHEET, number, "layout", f"field {name!r} expected here", "C")
        return
    if padded[0] != label:
        failures.add(MANIFEST_SHEET, number, "layout", f"label {label!r} expected here", "A")
    if len(values) > 3:
        failures.add(MANIFEST_SHEET, number, "layout", "an extra cell", column_letter(3))
    manifest.metadata[name] = padded[1]
    if name == "manifest_digest":
        manifest.digest_row = number


@dataclass(frozen=True)
class Batch:
    root: str
    prev_root: str
    first: int
    count: int
    tx_hash: Any
    block: Any


def read_anchors(
    rows: Iterable[tuple[Any, ...]], entries: list[DigestEntry], failures: Failures
) -> tuple[dict[str, Batch], list[str], list[bytes]]:
    """The anchors sheet: batches by root, roots in sheet order, row digests in order."""
    width = len(ANCHOR_HEADERS)
    batches: dict[str, Batch] = {}
    roots: list[str] = []
    digests: list[bytes] = []
    for number, row in enumerate(rows, start=1):
        values = list(row[:width]) + [None] * (width - len(row[:width]))
        extra = extra_cell(row, width)
        if extra is not None:
            failures.add(ANCHORS_SHEET, number, "layout", "an extra cell", column_letter(extra))
        if number == 1:
            if tuple(trimmed(values)) != ANCHOR_HEADERS:
                failures.add(ANCHORS_SHEET, 1, "layout", "the header row is not the export's")
            continue
        if not trimmed(values):
            failures.add(ANCHORS_SHEET, number, "layout", "an empty row inside the table")
            continue
        try:
            row_hash = anchor_row_digest(values)
        except AuditWorkbookError as exc:
            failures.add(ANCHORS_SHEET, number, "row_digest", exc.detail)
            continue
        digests.append(row_hash)
        position = len(digests) - 1
        entry = entries[position] if position < len(entries) else None
        if entry is None or entry.sheet_row != number or entry.digest != "0x" + row_hash.hex():
            failures.add(ANCHORS_SHEET, number, "row_digest", "the row differs from the manifest")
        for date_index, text_index in ANCHOR_TIME_TEXT_COLUMNS.items():
            problem = time_problem(values, date_index, text_index, ANCHOR_HEADERS)
            if problem is not None:
                failures.add(ANCHORS_SHEET, number, "time_cell", problem, column_letter(date_index))
        root, prev, first, count = values[0], values[1], values[2], values[4]
        if isinstance(root, str) and isinstance(first, int) and isinstance(count, int):
            batches[root] = Batch(root, str(prev), first, count, values[6], values[7])
            roots.append(root)
        else:
            failures.add(
                ANCHORS_SHEET, number, "layout", "root, first sequence or count unreadable"
            )
    if len(digests) != len(entries):
        failures.add(
            MANIFEST_SHEET,
            None,
            "anchor_count",
            f"{len(digests)} anchors rows, manifest lists {len(entries)}",
        )
    return batches, roots, digests


def compare_summary(
    rows: Iterable[tuple[Any, ...]], expected: Sequence[Sequence[Any]], failures: Failures
) -> None:
    """Every summary cell must be what the signed content gives: names the first bad cell of
    each row, and a row too many or too few."""
    actual = [trimmed(row) for row in rows]
    wanted = [trimmed(row) for row in expected]
    while actual and not actual[-1]:
        actual.pop()
    for index in range(max(len(actual), len(wanted))):
        have = actual[index] if index < len(actual) else []
        want = wanted[index] if index < len(wanted) else []
        for column in range(max(len(have), len(want))):
            got = have[column] if column < len(have) else None
            should = want[column] if column < len(want) else None
            if got != should or type(got) is not type(should):
                failures.add(
                    SUMMARY_SHEET,
                    index + 1,
                    "summary",
                    f"holds {got!r}; the signed records, anchors and metadata give {should!r}",
                    column_letter(column),
                )
                break


__all__ = [
    "NOT_CHECKED",
    "TIME_TOLERANCE",
    "Batch",
    "DigestEntry",
    "Failure",
    "Failures",
    "Manifest",
    "WorkbookReport",
    "column_letter",
    "compare_summary",
    "extra_cell",
    "read_anchors",
    "read_manifest",
    "time_problem",
    "trimmed",
]
