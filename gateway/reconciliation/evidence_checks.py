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
import operator
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Engine, String, func, select, type_coerce

from gateway.evidence.anchoring import ZERO_ROOT
from gateway.evidence.digests import (
    EVIDENCE_FIELDS,
    EvidenceFormatError,
    evidence_leaf,
    hex_digest,
)
from gateway.evidence.log import PENDING
from gateway.evidence.merkle import MerkleTree, leaf_hash, root_from_inclusion_proof
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow
from gateway.storage.engine import make_engine

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
    AccessRecordRow.evidence,
    # the evidence fields, in EVIDENCE_FIELDS order, from index 4
    AccessRecordRow.request_id,
    AccessRecordRow.sequence,
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
_FIELDS_AT = 4
_EVIDENCE_VALUES = operator.itemgetter(*EVIDENCE_FIELDS)
_SQLITE_TIME_LENGTH = len("2026-01-01 00:00:00.000000")
_PG_EVIDENCE_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
STREAM_CHUNK = 5_000
PARALLEL_FROM = 100_000


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
    """``format_timestamp`` of a stored time (naive values are UTC), by the C ``isoformat``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def _stored_time(value: datetime | str | None) -> str | None:
    """A stored time in the evidence spelling. SQLite's are read as stored text, which is
    always ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (only the separators differ); PostgreSQL
    spells them itself with ``to_char``."""
    if isinstance(value, str):
        if value.endswith("Z"):  # spelled by PostgreSQL's to_char already
            return value
        if len(value) == _SQLITE_TIME_LENGTH:
            return value.replace(" ", "T", 1) + "Z"
        return _stamp(datetime.fromisoformat(value))
    return _stamp(value)


def current_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """The evidence fields as the row holds them now, in EVIDENCE_FIELDS order."""
    values = tuple(row[_FIELDS_AT:])
    return (*values[:-2], _stored_time(values[-2]), _stored_time(values[-1]))


def anchored_values(document: Any) -> tuple[Any, ...] | None:
    """The evidence fields of a parsed evidence entry, or None if it is not one."""
    try:
        return tuple(_EVIDENCE_VALUES(document))
    except (KeyError, TypeError, IndexError):
        return None


def _differences(anchored: dict[str, Any], current: tuple[Any, ...]) -> dict[str, Any]:
    return {
        name: {"anchored": anchored.get(name), "current": value}
        for name, value in zip(EVIDENCE_FIELDS, current, strict=True)
        if anchored.get(name) != value
    }


def _anchored_rows(engine: Engine, low: int | None, high: int | None) -> Iterator[Sequence[Any]]:
    columns: Sequence[Any] = _COLUMNS
    if engine.dialect.name == "sqlite":  # times as stored: no parsing and formatting again
        columns = [*_COLUMNS[:-2], *(type_coerce(column, String) for column in _COLUMNS[-2:])]
    elif engine.dialect.name == "postgresql":  # times spelled as in evidence by the server
        columns = [
            *_COLUMNS[:-2],
            *(
                func.to_char(func.timezone("UTC", column), _PG_EVIDENCE_TIME)
                for column in _COLUMNS[-2:]
            ),
        ]
    statement = select(*columns).where(AccessRecordRow.anchor_id.is_not(None))
    if low is not None:
        statement = statement.where(AccessRecordRow.anchor_id >= low)
    if high is not None:
        statement = statement.where(AccessRecordRow.anchor_id <= high)
    statement = statement.order_by(AccessRecordRow.anchor_id, AccessRecordRow.leaf_index)
    with engine.connect() as connection:
        yield from connection.execution_options(yield_per=STREAM_CHUNK).execute(statement)


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

    def _check_batch(
        self, anchor: AnchorView, rows: list[Sequence[Any]], tally: EvidenceTally
    ) -> None:
        leaves: list[bytes] = []
        for row in rows:
            current = current_values(row)
            entry: str | None = row[3]
            if entry is None:  # anchored before evidence entries were kept: rebuild the leaf
                try:
                    leaves.append(
                        leaf_hash(evidence_leaf(dict(zip(EVIDENCE_FIELDS, current, strict=True))))
                    )
                except EvidenceFormatError as exc:
                    leaves.append(leaf_hash(b""))
                    tally.findings.append(
                        Finding(
                            ROW_CHANGED,
                            _record_subject(row),
                            {"request_id": row[4], "anchor_id": anchor.id, "problem": exc.detail},
                        )
                    )
                continue
            leaves.append(leaf_hash(entry.encode("utf-8")))
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
        with self.engine.connect() as connection:
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


def check_range(
    engine: Engine, anchors: Sequence[AnchorView], low: int | None, high: int | None
) -> tuple[int, list[Finding], set[int]]:
    """Check the anchored records whose batch id is in ``[low, high]`` (open when None)."""
    by_id = {anchor.id: anchor for anchor in anchors}
    tally = EvidenceTally()
    seen: set[int] = set()
    checker = EvidenceChecker(engine)
    for anchor_id, rows in _groups(_anchored_rows(engine, low, high)):
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
        checker._check_batch(anchor, rows, tally)
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
