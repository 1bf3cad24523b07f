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
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Engine, select

from gateway.evidence.anchoring import ZERO_ROOT
from gateway.evidence.digests import (
    EVIDENCE_FIELDS,
    EvidenceFormatError,
    evidence_leaf,
    hex_digest,
)
from gateway.evidence.leaves import spell_leaf
from gateway.evidence.merkle import MerkleTree, leaf_hashes, root_from_inclusion_proof
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.reconciliation.findings import (
    EVIDENCE_MISMATCH,
    RECORDS_MISSING,
    ROW_CHANGED,
    SEQUENCE_GAP,
    EvidenceTally,
    Finding,
)
from gateway.reconciliation.rows import anchored_rows, anchored_values, batches, current_values
from gateway.storage.engine import make_engine

PARALLEL_FROM = 100_000


def _differences(anchored: dict[str, Any], current: tuple[Any, ...]) -> dict[str, Any]:
    return {
        name: {"anchored": anchored.get(name), "current": value}
        for name, value in zip(EVIDENCE_FIELDS, current, strict=True)
        if anchored.get(name) != value
    }


def _spells_entry(current: tuple[Any, ...], entry: str) -> bool:
    """Whether the row's values spell exactly its evidence entry (then they are the values the
    entry holds, the usual case, found without parsing the entry)."""
    return spell_leaf(current) == entry


def _record_subject(row: Sequence[Any]) -> str:
    return f"record:{row[0]}"


@dataclass(frozen=True, slots=True)
class AnchorView:
    """The anchor fields the checks read (plain, so worker processes can receive them)."""

    id: int
    root: str
    prev_root: str
    first_sequence: int
    last_sequence: int
    count: int
    status: str
    tx_hash: str | None


_ANCHOR_FIELDS = tuple(AnchorView.__dataclass_fields__)


class EvidenceChecker:
    """Checks every anchored record and batch in the database; chain checks are separate.

    With ``workers`` > 1 and at least :data:`PARALLEL_FROM` anchored records, contiguous
    ranges of batches are checked by that many processes at once, this one included (each
    over its own connection)."""

    def __init__(self, engine: Engine, workers: int = 1) -> None:
        self.engine = engine
        self.workers = workers

    def anchors(self) -> list[AnchorView]:
        with self.engine.connect() as connection:
            return [
                AnchorView(*row)
                for row in connection.execute(
                    select(*(getattr(AnchorRow, name) for name in _ANCHOR_FIELDS)).order_by(
                        AnchorRow.id
                    )
                )
            ]

    def check(self, anchors: Sequence[AnchorView], tally: EvidenceTally) -> None:
        seen: set[int] = set()
        ranges = self._ranges(anchors)
        if len(ranges) == 1:
            results = [check_range(self.engine, anchors, None, None)]
        else:  # this process checks the first range while the workers check the others
            url = self.engine.url.render_as_string(hide_password=False)
            with ProcessPoolExecutor(len(ranges) - 1, mp_context=get_context("spawn")) as pool:
                others = [
                    pool.submit(_check_range_at, (url, anchors, low, high))
                    for low, high in ranges[1:]
                ]
                first_low, first_high = ranges[0]
                results = [check_range(self.engine, anchors, first_low, first_high)]
                results.extend(future.result() for future in others)
        for records, findings, found in results:
            tally.records += records
            tally.findings.extend(findings)
            seen |= found
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
        self._check_sequences(sorted(anchors, key=lambda a: a.first_sequence), tally)

    def _ranges(self, anchors: Sequence[AnchorView]) -> list[tuple[int | None, int | None]]:
        """Anchor id ranges of about equal record counts, open at both ends."""
        total = sum(anchor.count for anchor in anchors)
        if self.workers <= 1 or total < PARALLEL_FROM:
            return [(None, None)]
        share = total / self.workers
        bounds: list[int] = []
        running = 0
        for anchor in anchors[:-1]:
            running += anchor.count
            if running >= share * (len(bounds) + 1):
                bounds.append(anchor.id)
        lows: list[int | None] = [None, *(bound + 1 for bound in bounds)]
        highs: list[int | None] = [*bounds, None]
        return list(zip(lows, highs, strict=True))

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


def check_batch(
    engine: Engine, anchor: AnchorView, rows: list[Sequence[Any]], tally: EvidenceTally
) -> None:
    entries: list[bytes] = []  # the leaf data, hashed together below
    for row in rows:
        current = current_values(row)
        entry: str | None = row[3]
        if entry is None:  # anchored before evidence entries were kept: rebuild the leaf
            try:
                entries.append(evidence_leaf(dict(zip(EVIDENCE_FIELDS, current, strict=True))))
            except EvidenceFormatError as exc:
                entries.append(b"")
                tally.findings.append(
                    Finding(
                        ROW_CHANGED,
                        _record_subject(row),
                        {"request_id": row[4], "anchor_id": anchor.id, "problem": exc.detail},
                    )
                )
            continue
        entries.append(entry.encode("utf-8"))
        if _spells_entry(current, entry):
            continue
        try:
            document = json.loads(entry)
        except ValueError:
            document = None
        if anchored_values(document) != current:
            anchored = document if isinstance(document, dict) else {}
            tally.findings.append(
                Finding(
                    ROW_CHANGED,
                    _record_subject(row),
                    {
                        "request_id": row[4],
                        "sequence": anchored.get("sequence"),
                        "anchor_id": anchor.id,
                        "fields": _differences(anchored, current),
                    },
                )
            )
    leaves = leaf_hashes(entries)
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
    _name_bad_entries(engine, anchor, rows, leaves, tally)


def _name_bad_entries(
    engine: Engine,
    anchor: Any,
    rows: list[Sequence[Any]],
    leaves: list[bytes],
    tally: EvidenceTally,
) -> None:
    """The root did not match: each stored proof says which entries no longer lead to it."""
    root = bytes.fromhex(anchor.root.removeprefix("0x"))
    with engine.connect() as connection:
        proofs = dict(
            connection.execute(
                select(AccessRecordRow.id, AccessRecordRow.proof).where(
                    AccessRecordRow.anchor_id == anchor.id
                )
            ).all()
        )
    for row, leaf in zip(rows, leaves, strict=True):
        try:
            stored = json.loads(proofs.get(row[0]) or "null")
            proof = [bytes.fromhex(node.removeprefix("0x")) for node in stored]
            leads = root_from_inclusion_proof(leaf, row[2], anchor.count, proof) == root
        except (TypeError, ValueError, AttributeError):  # a malformed proof is a finding
            leads = False
        if not leads:
            tally.findings.append(
                Finding(
                    EVIDENCE_MISMATCH,
                    _record_subject(row),
                    {
                        "request_id": row[4],
                        "sequence": row[5],
                        "anchor_id": anchor.id,
                        "root": anchor.root,
                        "problem": "the evidence entry or its proof no longer leads to the "
                        "anchored root",
                    },
                )
            )


def check_range(
    engine: Engine, anchors: Sequence[AnchorView], low: int | None, high: int | None
) -> tuple[int, list[Finding], set[int]]:
    """Check the anchored records whose batch id is in ``[low, high]`` (open when None)."""
    by_id = {anchor.id: anchor for anchor in anchors}
    tally = EvidenceTally()
    seen: set[int] = set()
    for anchor_id, rows in batches(anchored_rows(engine, low, high)):
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
        check_batch(engine, anchor, rows, tally)
    return tally.records, tally.findings, seen


def _check_range_at(
    job: tuple[str, Sequence[AnchorView], int | None, int | None],
) -> tuple[int, list[Finding], set[int]]:
    """:func:`check_range` in a worker process, on its own engine."""
    url, anchors, low, high = job
    engine = make_engine(url)
    try:
        return check_range(engine, anchors, low, high)
    finally:
        engine.dispose()
