"""Access records against the evidence log against the anchors: one streaming pass.

For every anchored batch, in order: each record's row is compared field by field with its
evidence entry (the canonical bytes its Merkle leaf commits to, written at anchoring); the
entries' leaves are rebuilt into the batch's SM3 Merkle tree, whose root must be the anchor's
root. A root that matches proves every entry authentic, so a row that differs from its entry
was changed after anchoring, and the entry says exactly what it was. A root that does not
match means the evidence log itself was altered (or rows went missing): each record's stored
inclusion proof then names the entries that no longer lead to the root.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.evidence.anchoring import ZERO_ROOT
from gateway.evidence.digests import (
    EVIDENCE_FIELDS,
    EvidenceFormatError,
    evidence_leaf,
    format_timestamp,
    hex_digest,
)
from gateway.evidence.log import PENDING
from gateway.evidence.merkle import MerkleTree, leaf_hash, root_from_inclusion_proof
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow

# Kinds of finding (docs/jobs.md, Reconciliation).
ROW_CHANGED = "row_changed_after_anchoring"
EVIDENCE_MISMATCH = "digest_mismatch"
RECORDS_MISSING = "records_missing"
MISSING_ANCHOR = "missing_anchor"
ANCHOR_NOT_ON_CHAIN = "anchor_not_on_chain"
ANCHOR_WITHOUT_RECORDS = "anchor_without_records"
SEQUENCE_GAP = "sequence_gap"

_COLUMNS = (
    AccessRecordRow.id,
    AccessRecordRow.anchor_id,
    AccessRecordRow.leaf_index,
    AccessRecordRow.sequence,
    AccessRecordRow.evidence,
    AccessRecordRow.proof,
    AccessRecordRow.request_id,
    AccessRecordRow.entry_id,
    AccessRecordRow.entry_version,
    AccessRecordRow.consumer,
    AccessRecordRow.provider,
    AccessRecordRow.purpose,
    AccessRecordRow.request_digest,
    AccessRecordRow.response_digest,
    AccessRecordRow.decision,
    AccessRecordRow.reason,
    AccessRecordRow.received_at,
    AccessRecordRow.responded_at,
)
_FIRST_FIELD = 6  # row[6:] are the evidence fields but sequence, in EVIDENCE_FIELDS order
_ROW_FIELDS = tuple(name for name in EVIDENCE_FIELDS if name != "sequence")
_TIME_FIELDS = frozenset({"received_at", "responded_at"})
STREAM_CHUNK = 5_000


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: dict[str, Any]


@dataclass
class EvidenceTally:
    records: int = 0
    anchors: int = 0
    findings: list[Finding] = field(default_factory=list)


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return format_timestamp(value if value.tzinfo else value.replace(tzinfo=UTC))


def row_fields(row: Sequence[Any]) -> dict[str, Any]:
    """The evidence fields as the row holds them now (sequence included)."""
    values: dict[str, Any] = {"sequence": row[3]}
    for offset, name in enumerate(_ROW_FIELDS):
        value = row[_FIRST_FIELD + offset]
        values[name] = _stamp(value) if name in _TIME_FIELDS else value
    return values


def _differences(anchored: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"anchored": anchored.get(name), "current": current.get(name)}
        for name in EVIDENCE_FIELDS
        if anchored.get(name) != current.get(name)
    }


def _anchored_rows(engine: Engine) -> Iterator[Sequence[Any]]:
    statement = (
        select(*_COLUMNS)
        .where(AccessRecordRow.anchor_id.is_not(None))
        .order_by(AccessRecordRow.anchor_id, AccessRecordRow.leaf_index)
        .execution_options(yield_per=STREAM_CHUNK, stream_results=True)
    )
    with engine.connect() as connection:
        yield from connection.execute(statement)


def _groups(rows: Iterator[Sequence[Any]]) -> Iterator[tuple[int, list[Sequence[Any]]]]:
    current: int | None = None
    group: list[Sequence[Any]] = []
    for row in rows:
        if row[1] != current:
            if current is not None:
                yield current, group
            current, group = row[1], []
        group.append(row)
    if current is not None:
        yield current, group


def _record_subject(row: Sequence[Any]) -> str:
    return f"record:{row[0]}"


class EvidenceChecker:
    """Checks every anchored record and batch in the database; chain checks are separate."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def anchors(self) -> list[AnchorRow]:
        with Session(self.engine) as session:
            return list(session.scalars(select(AnchorRow).order_by(AnchorRow.first_sequence)))

    def check(self, anchors: Sequence[Any], tally: EvidenceTally) -> None:
        by_id = {anchor.id: anchor for anchor in anchors}
        seen: set[int] = set()
        for anchor_id, rows in _groups(_anchored_rows(self.engine)):
            tally.records += len(rows)
            anchor = by_id.get(anchor_id)
            if anchor is None:
                tally.findings.append(
                    Finding(
                        EVIDENCE_MISMATCH,
                        f"anchor:{anchor_id}",
                        {
                            "problem": "records point at a batch the database does not hold",
                            "records": [row[0] for row in rows[:20]],
                            "count": len(rows),
                        },
                    )
                )
                continue
            seen.add(anchor_id)
            self._check_batch(anchor, rows, tally)
        for anchor in anchors:
            if anchor.id not in seen and anchor.count > 0:
                tally.findings.append(
                    Finding(
                        RECORDS_MISSING,
                        f"anchor:{anchor.id}",
                        {
                            "problem": "no record of this batch is in the database",
                            "root": anchor.root,
                            "first_sequence": anchor.first_sequence,
                            "last_sequence": anchor.last_sequence,
                        },
                    )
                )
        tally.anchors += len(anchors)
        self._check_sequences(anchors, tally)

    def _check_batch(self, anchor: Any, rows: list[Sequence[Any]], tally: EvidenceTally) -> None:
        leaves: list[bytes] = []
        for row in rows:
            current = row_fields(row)
            if row[4] is None:  # anchored before evidence entries were kept: rebuild the leaf
                try:
                    leaves.append(leaf_hash(evidence_leaf(current)))
                except EvidenceFormatError as exc:
                    leaves.append(leaf_hash(b""))
                    tally.findings.append(
                        Finding(
                            ROW_CHANGED,
                            _record_subject(row),
                            {"request_id": row[6], "anchor_id": anchor.id, "problem": exc.detail},
                        )
                    )
                continue
            entry: str = row[4]
            leaves.append(leaf_hash(entry.encode("utf-8")))
            try:
                document = json.loads(entry)
            except ValueError:
                document = None
            if not isinstance(document, dict):
                document = {}
            for name in EVIDENCE_FIELDS:
                if document.get(name) != current[name]:
                    tally.findings.append(
                        Finding(
                            ROW_CHANGED,
                            _record_subject(row),
                            {
                                "request_id": row[6],
                                "sequence": document.get("sequence"),
                                "anchor_id": anchor.id,
                                "fields": _differences(document, current),
                            },
                        )
                    )
                    break
        indexes = [row[2] for row in rows]
        complete = len(rows) == anchor.count and indexes == list(range(anchor.count))
        if complete and hex_digest(MerkleTree(leaves).root) == anchor.root:
            return
        if not complete:
            present = set(indexes)
            tally.findings.append(
                Finding(
                    RECORDS_MISSING,
                    f"anchor:{anchor.id}",
                    {
                        "problem": "the batch does not hold the records it anchored",
                        "expected": anchor.count,
                        "found": len(rows),
                        "missing_sequences": [
                            anchor.first_sequence + index
                            for index in range(anchor.count)
                            if index not in present
                        ][:50],
                    },
                )
            )
        self._name_bad_entries(anchor, rows, leaves, tally)

    def _name_bad_entries(
        self, anchor: Any, rows: list[Sequence[Any]], leaves: list[bytes], tally: EvidenceTally
    ) -> None:
        """The root did not match: each stored proof says which entries no longer lead to it."""
        root = bytes.fromhex(anchor.root.removeprefix("0x"))
        for row, leaf in zip(rows, leaves, strict=True):
            try:
                proof = [bytes.fromhex(node.removeprefix("0x")) for node in json.loads(row[5])]
                leads = root_from_inclusion_proof(leaf, row[2], anchor.count, proof) == root
            except (TypeError, ValueError, AttributeError):  # a malformed proof is a finding
                leads = False
            if not leads:
                tally.findings.append(
                    Finding(
                        EVIDENCE_MISMATCH,
                        _record_subject(row),
                        {
                            "request_id": row[6],
                            "sequence": row[3],
                            "anchor_id": anchor.id,
                            "root": anchor.root,
                            "problem": "the evidence entry or its proof no longer leads to the "
                            "anchored root",
                        },
                    )
                )

    @staticmethod
    def _check_sequences(anchors: Sequence[Any], tally: EvidenceTally) -> None:
        expected = 1
        previous_root = ZERO_ROOT
        for anchor in anchors:
            if anchor.count == 0:
                continue
            if anchor.first_sequence != expected:
                tally.findings.append(
                    Finding(
                        SEQUENCE_GAP,
                        f"anchor:{anchor.id}",
                        {
                            "expected_first_sequence": expected,
                            "first_sequence": anchor.first_sequence,
                        },
                    )
                )
            if anchor.prev_root not in ("direct", previous_root):
                tally.findings.append(
                    Finding(
                        EVIDENCE_MISMATCH,
                        f"anchor:{anchor.id}",
                        {
                            "problem": "the batch does not chain to the previous root",
                            "prev_root": anchor.prev_root,
                            "expected_prev_root": previous_root,
                        },
                    )
                )
            expected = anchor.last_sequence + 1
            if anchor.prev_root != "direct":
                previous_root = anchor.root


def unanchored_findings(engine: Engine, older_than: datetime) -> list[Finding]:
    """Closed records waiting too long, or lost from the outbox altogether."""
    findings: list[Finding] = []
    with engine.connect() as connection:
        late = connection.execute(
            select(AccessRecordRow.id, AccessRecordRow.request_id, OutboxRow.created_at)
            .join(OutboxRow, OutboxRow.record_id == AccessRecordRow.id)
            .where(AccessRecordRow.decision != PENDING)
            .where(OutboxRow.created_at < older_than)
            .order_by(AccessRecordRow.id)
            .limit(1000)
        ).all()
        lost = connection.execute(
            select(AccessRecordRow.id, AccessRecordRow.request_id)
            .outerjoin(OutboxRow, OutboxRow.record_id == AccessRecordRow.id)
            .where(AccessRecordRow.anchor_id.is_(None))
            .where(AccessRecordRow.decision != PENDING)
            .where(OutboxRow.record_id.is_(None))
            .order_by(AccessRecordRow.id)
            .limit(1000)
        ).all()
        stuck = connection.execute(
            select(AnchorRow.id, AnchorRow.root, AnchorRow.prepared_at)
            .where(AnchorRow.status == "prepared")
            .where(AnchorRow.prepared_at < older_than)
        ).all()
    for record_id, request_id, waiting_since in late:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"record:{record_id}",
                {
                    "request_id": request_id,
                    "problem": "closed but not anchored in time",
                    "waiting_since": _stamp(waiting_since),
                },
            )
        )
    for record_id, request_id in lost:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"record:{record_id}",
                {
                    "request_id": request_id,
                    "problem": "closed, not anchored and not queued for anchoring",
                },
            )
        )
    for anchor_id, root, prepared_at in stuck:
        findings.append(
            Finding(
                MISSING_ANCHOR,
                f"anchor:{anchor_id}",
                {
                    "root": root,
                    "problem": "batch prepared but not anchored on chain",
                    "prepared_at": _stamp(prepared_at),
                },
            )
        )
    return findings
