"""Audit export: the access records of a period as a signed Excel workbook (OOXML, ECMA-376).

Records are streamed from the database in id order (server-side cursor, ``yield_per``) into an
openpyxl write-only workbook, so memory stays flat however long the period. Each row's SM3
digest goes to the manifest sheet as it is written, and the manifest digest is signed with the
gateway's SM2 key (GB/T 32918.2) at the end, with the anchors sheet's row digests and the
signer's public key; :mod:`gateway.audit.verify_workbook` checks it all offline, needing only
public material. Sheet layout and byte layouts: docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine, or_, select

from gateway.audit.manifest import (
    ANCHOR_HEADERS,
    ANCHORS_SHEET,
    MANIFEST_ANCHORS_HEADERS,
    MANIFEST_DIGEST_LABEL,
    MANIFEST_HEADERS,
    MANIFEST_METADATA_HEADERS,
    MANIFEST_SHEET,
    MANIFEST_VERSION,
    METADATA_LABELS,
    RECORD_COLUMNS,
    RECORDS_SHEET,
    SIGNATURE_LABEL,
    SUMMARY_SHEET,
    ManifestDigest,
    RowValue,
    anchor_row_digest,
    key_id_of,
    public_key_text,
    row_digest,
    sign_manifest,
)
from gateway.audit.summary import Tallies, summary_rows
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey
from gateway.evidence.digests import format_timestamp
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.settings import DEFAULT_TIMEZONE

TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
STREAM_CHUNK = 2_000
PROGRESS_EVERY = 1_000

Progress = Callable[[int, int], None]
"""``progress(rows_written, rows_total)``, called once the rows are counted, every 1 000 rows
and at the end."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    anchors: int
    manifest_digest: str
    signature: str
    metadata: dict[str, object]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _period_filter(start: datetime, end: datetime, member: str | None) -> list[Any]:
    conditions: list[Any] = [
        AccessRecordRow.received_at >= start,
        AccessRecordRow.received_at < end,
    ]
    if member is not None:
        conditions.append(
            or_(AccessRecordRow.consumer == member, AccessRecordRow.provider == member)
        )
    return conditions


def _record_rows(engine: Engine, conditions: Sequence[Any]) -> Iterator[Sequence[Any]]:
    statement = (
        select(
            AccessRecordRow.request_id,
            AccessRecordRow.received_at,
            AccessRecordRow.responded_at,
            AccessRecordRow.consumer,
            AccessRecordRow.provider,
            AccessRecordRow.entry_id,
            AccessRecordRow.entry_version,
            AccessRecordRow.purpose,
            AccessRecordRow.decision,
            AccessRecordRow.reason,
            AccessRecordRow.request_digest,
            AccessRecordRow.response_digest,
            AccessRecordRow.sequence,
            AnchorRow.root,
            AccessRecordRow.leaf_index,
            AccessRecordRow.proof,
            AnchorRow.tx_hash,
            AnchorRow.block_number,
            AccessRecordRow.anchor_id,
        )
        .outerjoin(AnchorRow, AnchorRow.id == AccessRecordRow.anchor_id)
        .where(*conditions)
        .order_by(AccessRecordRow.id)
    )
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=STREAM_CHUNK).execute(
            statement
        )
        yield from result


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _text(value: datetime | None) -> str | None:
    """``format_timestamp`` of a naive UTC time (same text, without its time-zone round trip)."""
    return None if value is None else value.isoformat(timespec="microseconds") + "Z"


def record_values(row: Sequence[Any]) -> list[RowValue]:
    """The records-sheet values of one database row, in :data:`RECORD_COLUMNS` order; times
    stored without a zone are UTC."""
    received = _naive_utc(row[1])
    responded = _naive_utc(row[2])
    return [row[0], received, responded, *row[3:18], _text(received), _text(responded)]


class _SheetWriter:
    """Cells for a write-only sheet: dates get the time format, text that a spreadsheet
    would take for a formula stays text, headers are bold.

    A write-only sheet serialises each appended row at once, so the two date cells are
    created once and re-bound for every row instead of building a styled cell per value (the
    per-cell cost dominates a million-row export)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._bold = Font(bold=True)
        self._time_cells: list[Any] = []

    def _time_cell(self, slot: int, value: datetime) -> Any:
        while len(self._time_cells) <= slot:
            cell = WriteOnlyCell(self.sheet, datetime(2000, 1, 1))
            cell.number_format = TIME_FORMAT
            self._time_cells.append(cell)
        cell = self._time_cells[slot]
        # The append loop re-binds the last cell object to the following plain values, so the
        # type is reset here; the value is a naive UTC datetime and the format is fixed.
        cell._value = value if value.tzinfo is None else _naive_utc(value)
        cell.data_type = "d"
        return cell

    def _text_cell(self, value: str) -> Any:
        cell = WriteOnlyCell(self.sheet, value)
        cell.data_type = "s"
        return cell

    def cells(self, values: Iterable[object]) -> list[Any]:
        out: list[Any] = []
        slot = 0
        for value in values:
            if isinstance(value, datetime):
                out.append(self._time_cell(slot, value))
                slot += 1
            elif isinstance(value, str) and value[:1] == "=":
                out.append(self._text_cell(value))
            else:
                out.append(value)
        return out

    def append(self, values: Iterable[object]) -> None:
        self.sheet.append(self.cells(values))

    def header(self, headers: Sequence[str], widths: Sequence[int] | None = None) -> None:
        for index, width in enumerate(widths or [], start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        cells = []
        for text in headers:
            cell = WriteOnlyCell(self.sheet, text)
            cell.font = self._bold
            cells.append(cell)
        self.sheet.append(cells)

    def filter(self, columns: int, last_row: int) -> None:
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"


def _count(engine: Engine, conditions: Sequence[Any]) -> int:
    from sqlalchemy import func

    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(AccessRecordRow).where(*conditions)
            ).scalar_one()
        )


def _anchors(engine: Engine, anchor_ids: set[int]) -> Iterator[AnchorRow]:
    from sqlalchemy.orm import Session

    ordered = sorted(anchor_ids)
    with Session(engine) as session:
        for offset in range(0, len(ordered), 500):
            chunk = ordered[offset : offset + 500]
            yield from session.scalars(
                select(AnchorRow).where(AnchorRow.id.in_(chunk)).order_by(AnchorRow.id)
            )


def _write_summary(writer: _SheetWriter, rows: Sequence[Sequence[object]]) -> None:
    sheet = writer.sheet
    for column, width in (("A", 24), ("B", 70), ("C", 14)):
        sheet.column_dimensions[column].width = width
    for row in rows:
        writer.append(row)


def anchor_values(anchor: AnchorRow) -> list[RowValue]:
    """The anchors-sheet values of one batch, in :data:`ANCHOR_HEADERS` order."""
    anchored_at = _naive_utc(_utc(anchor.anchored_at))
    return [
        anchor.root,
        anchor.prev_root,
        anchor.first_sequence,
        anchor.last_sequence,
        anchor.count,
        anchor.status,
        anchor.tx_hash,
        anchor.block_number,
        anchored_at,
        _text(anchored_at),
    ]


def _write_anchors(
    writer: _SheetWriter,
    anchors: Sequence[AnchorRow],
    manifest: _SheetWriter,
    digest: ManifestDigest,
) -> None:
    widths = [68, 68, 10, 10, 8, 10, 68, 10, 20, 30]
    writer.header(ANCHOR_HEADERS, widths)
    manifest.append([])
    manifest.append(list(MANIFEST_ANCHORS_HEADERS))
    for number, anchor in enumerate(anchors, start=2):
        values = anchor_values(anchor)
        writer.append(values)
        row_hash = anchor_row_digest(values)
        digest.add_row(row_hash)
        manifest.append([number, "0x" + row_hash.hex()])
    writer.filter(len(ANCHOR_HEADERS), len(anchors) + 1)


def export_workbook(
    engine: Engine,
    out_path: str | Path,
    *,
    start: datetime,
    end: datetime,
    member: str | None = None,
    signer: Sm2PrivateKey,
    key_id: str | None = None,
    user_id: bytes = DEFAULT_USER_ID,
    evidence_ledger: str | None = None,
    chain_suite: str = "sm",
    timezone: str = DEFAULT_TIMEZONE,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ExportResult:
    """Write the access records received in ``[start, end)`` (and, with ``member``, those it
    was consumer or provider of) to ``out_path`` with summary, anchors and signed manifest.

    ``key_id`` defaults to the signer's address; ``evidence_ledger`` (the EvidenceLedger
    contract address) is recorded so a verifier can check the roots on chain; ``timezone``
    (an IANA name) is the zone the summary shows the period in."""
    start_utc, end_utc = _utc(start), _utc(end)
    assert start_utc is not None and end_utc is not None  # noqa: S101 - both given
    conditions = _period_filter(start_utc, end_utc, member)
    total = _count(engine, conditions)
    if progress is not None:
        progress(0, total)
    metadata: dict[str, object] = {
        "manifest_version": MANIFEST_VERSION,
        "period_start": format_timestamp(start_utc),
        "period_end": format_timestamp(end_utc),
        "timezone": timezone,
        "member": member,
        "generated_at": format_timestamp(_utc(clock()) or datetime.now(UTC)),
        "row_count": 0,
        "anchor_count": 0,
        "key_id": key_id or key_id_of(signer.public_key),
        "public_key": public_key_text(signer.public_key),
        "sm2_user_id": user_id.decode("utf-8"),
        "evidence_ledger": evidence_ledger,
        "chain_suite": chain_suite,
    }

    workbook = Workbook(write_only=True)
    summary = _SheetWriter(workbook.create_sheet(SUMMARY_SHEET))
    records = _SheetWriter(workbook.create_sheet(RECORDS_SHEET))
    anchors_sheet = _SheetWriter(workbook.create_sheet(ANCHORS_SHEET))
    manifest = _SheetWriter(workbook.create_sheet(MANIFEST_SHEET))
    records.header([c.header for c in RECORD_COLUMNS], [c.width for c in RECORD_COLUMNS])
    manifest.header(MANIFEST_HEADERS, [18, 70, 18])

    digest = ManifestDigest()
    tallies = Tallies()
    anchor_ids: set[int] = set()
    sheet_row = 1
    records_sheet, manifest_sheet = records.sheet, manifest.sheet
    for row in _record_rows(engine, conditions):
        values = record_values(row)
        sheet_row += 1
        records_sheet.append(records.cells(values))
        row_hash = row_digest(values)
        digest.add_row(row_hash)
        manifest_sheet.append([sheet_row, "0x" + row_hash.hex()])
        tallies.add(values)
        if row[18] is not None:
            anchor_ids.add(row[18])
        if progress is not None and digest.rows % PROGRESS_EVERY == 0:
            progress(digest.rows, total)
    records.filter(len(RECORD_COLUMNS), sheet_row)

    rows = metadata["row_count"] = digest.rows
    covered = list(_anchors(engine, anchor_ids))
    _write_anchors(anchors_sheet, covered, manifest, digest)
    metadata["anchor_count"] = len(covered)
    manifest_digest = digest.finish(metadata)
    signature = sign_manifest(manifest_digest, signer, user_id)
    manifest_sheet.append([])
    manifest.append(list(MANIFEST_METADATA_HEADERS))
    for field, label in METADATA_LABELS.items():
        value = metadata[field]
        manifest.append([label, value if isinstance(value, int | str) else None, field])
    manifest.append([MANIFEST_DIGEST_LABEL, "0x" + manifest_digest.hex(), "manifest_digest"])
    manifest.append([SIGNATURE_LABEL, signature, "signature"])
    manifest.filter(3, sheet_row)
    _write_summary(summary, summary_rows(metadata, tallies, [a.root for a in covered]))
    out = Path(out_path)
    partial = out.with_name(out.name + ".partial")
    workbook.save(partial)
    partial.replace(out)  # a reader never sees half a workbook
    if progress is not None:
        progress(rows, total)
    return ExportResult(
        path=out,
        rows=rows,
        anchors=len(covered),
        manifest_digest="0x" + manifest_digest.hex(),
        signature=signature,
        metadata=dict(metadata),
    )


SheetWriter = _SheetWriter
"""The sheet writer other workbooks (reconciliation reports) share."""

__all__ = [
    "TIME_FORMAT",
    "ExportResult",
    "Progress",
    "SheetWriter",
    "anchor_values",
    "export_workbook",
    "record_values",
]
