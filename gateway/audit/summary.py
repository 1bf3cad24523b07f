"""The summary sheet (摘要) of an audit workbook, as rows derived from the signed content.

Every cell of the summary follows from the signed metadata, the records sheet and the anchors
sheet, so the export writes :func:`summary_rows` and the verifier rebuilds the same rows from
what it has checked and compares them cell by cell: an edited period, count or label is found
and named without a signature of its own. Times are shown in the export's time zone (the
``timezone`` setting, recorded in the signed metadata); the manifest keeps them in UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.audit.manifest import COLUMN_INDEX, AuditWorkbookError

SummaryCell = str | int | None


def local_text(utc_text: object, zone: str) -> str | None:
    """An RFC 3339 UTC text (``…Z``) as RFC 3339 in ``zone``: ``2026-11-27T08:00:00+08:00``."""
    if not isinstance(utc_text, str):
        return None
    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
        local = moment.astimezone(ZoneInfo(zone))
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise AuditWorkbookError(f"cannot show {utc_text!r} in time zone {zone!r}") from exc
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


@dataclass
class Tallies:
    """The records counted per member, entry and decision, as the summary shows them."""

    consumers: Counter[str] = field(default_factory=Counter)
    providers: Counter[str] = field(default_factory=Counter)
    entries: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    anchored: int = 0

    def add(self, values: Sequence[object]) -> None:
        """Count one records-sheet row (values in column order)."""
        self.consumers[str(values[COLUMN_INDEX["consumer"]])] += 1
        self.providers[str(values[COLUMN_INDEX["provider"]])] += 1
        self.entries[str(values[COLUMN_INDEX["entry_id"]])] += 1
        self.decisions[str(values[COLUMN_INDEX["decision"]])] += 1
        if values[COLUMN_INDEX["batch_root"]] is not None:
            self.anchored += 1


def summary_rows(
    metadata: Mapping[str, object], tallies: Tallies, anchor_roots: Sequence[str]
) -> list[list[SummaryCell]]:
    """The summary sheet, row by row (an empty list is an empty row)."""
    zone = str(metadata.get("timezone") or "UTC")
    member = metadata.get("member")
    rows: list[list[SummaryCell]] = [
        ["审计导出摘要"],
        ["时区", zone],
        [f"起始时间({zone})", local_text(metadata.get("period_start"), zone)],
        [f"截止时间({zone},不含)", local_text(metadata.get("period_end"), zone)],
        ["成员", member if isinstance(member, str) and member else "全部"],
        [f"生成时间({zone})", local_text(metadata.get("generated_at"), zone)],
        ["记录数", _int(metadata.get("row_count"))],
        ["已锚定记录数", tallies.anchored],
        ["覆盖锚定批次数", len(anchor_roots)],
    ]
    if anchor_roots:
        rows.append(["首批次根", anchor_roots[0]])
        rows.append(["末批次根", anchor_roots[-1]])
    ledger = metadata.get("evidence_ledger")
    rows.append(["存证合约地址", ledger if isinstance(ledger, str) else None])
    rows.append([])
    rows.append(["按成员", "作为调用方", "作为提供方"])
    for code in sorted(set(tallies.consumers) | set(tallies.providers)):
        rows.append([code, tallies.consumers[code], tallies.providers[code]])
    rows.append([])
    rows.append(["按目录条目", "记录数"])
    rows.extend([entry, count] for entry, count in sorted(tallies.entries.items()))
    rows.append([])
    rows.append(["按结果", "记录数"])
    rows.extend([decision, count] for decision, count in sorted(tallies.decisions.items()))
    return rows


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


__all__ = ["SummaryCell", "Tallies", "local_text", "summary_rows"]
