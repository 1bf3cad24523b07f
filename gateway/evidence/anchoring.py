"""Anchoring: Merkle batches of closed access records, chained on ``EvidenceLedger``.

One run: (1) finish any batch prepared by an earlier run that died before or after sending
it; (2) close requests a dead process left pending; (3) take closed records from the outbox
in log order, give them the next evidence sequence numbers, build the SM3 Merkle tree
(RFC 6962) over their leaves, and commit the batch as ``prepared`` together with every
record's sequence and inclusion proof, in one transaction; (4) send ``anchorBatch(root, count,
first, last, prevRoot)`` and mark the batch ``anchored`` with its transaction and block.

Because the sequence range and root are fixed in the database before anything is sent, and
the contract accepts a range only if it continues the last one, a batch can be resent after
any crash but never anchored twice, and no record can be skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, String, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from gateway.errors import GatewayError
from gateway.evidence.digests import format_timestamp, hex_digest
from gateway.evidence.leaves import PG_EVIDENCE_TIME, evidence_leaf_text, stored_time
from gateway.evidence.log import PENDING, EvidenceLog
from gateway.evidence.merkle import MerkleTree, leaf_hashes
from gateway.evidence.tables import AccessRecordRow, AnchorRow, OutboxRow

ZERO_ROOT = "0x" + "00" * 32


class EvidenceLedgerPort(Protocol):
    def anchor_batch(
        self, root: str, count: int, first: int, last: int, prev_root: str
    ) -> tuple[str, int]: ...

    def anchor_record(self, digest: str, sequence: int) -> tuple[str, int]: ...

    def next_sequence(self) -> int: ...

    def batch_by_root(self, root: str) -> tuple[int, int, int] | None: ...


@dataclass
class AnchorReport:
    batches: int = 0
    records: int = 0
    resumed: int = 0
    interrupted: int = 0
    stuck: int = 0
    """Batches left to the tx-retry job (gateway.evidence.retry): nothing new is anchored
    behind them until they are."""


def _record_columns(dialect: str) -> list[Any]:
    """The record id, then its evidence fields but the sequence, times as stored (SQLite) or
    spelled by the server (PostgreSQL), so no datetime is built per record."""
    times: list[Any] = [AccessRecordRow.received_at, AccessRecordRow.responded_at]
    if dialect == "sqlite":
        times = [type_coerce(column, String) for column in times]
    elif dialect == "postgresql":
        times = [func.to_char(func.timezone("UTC", column), PG_EVIDENCE_TIME) for column in times]
    return [
        AccessRecordRow.id,
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
        *times,
    ]


def _write_batch(connection: Connection, updates: list[tuple[Any, ...]]) -> None:
    """Each record's sequence, batch, leaf index, proof and evidence entry, and its outbox row
    gone: two ``executemany`` on the driver's cursor (one statement, many rows)."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    records, outbox = AccessRecordRow.__tablename__, OutboxRow.__tablename__
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(
            f"UPDATE {records} SET sequence = {mark}, anchor_id = {mark}, leaf_index = {mark}, "  # noqa: S608 - table names are constants
            f"proof = {mark}, evidence = {mark} WHERE id = {mark}",
            updates,
        )
        cursor.executemany(
            f"DELETE FROM {outbox} WHERE record_id = {mark}",  # noqa: S608
            [(update_[-1],) for update_ in updates],
        )
    finally:
        cursor.close()


def evidence_fields(row: AccessRecordRow, sequence: int) -> dict[str, Any]:
    """The record's evidence fields (gateway.evidence.digests.EVIDENCE_FIELDS)."""

    def stamp(value: datetime | None) -> str | None:
        if value is None:
            return None
        return format_timestamp(value if value.tzinfo else value.replace(tzinfo=UTC))

    return {
        "request_id": row.request_id,
        "sequence": sequence,
        "entry_id": row.entry_id,
        "entry_version": row.entry_version,
        "consumer": row.consumer,
        "provider": row.provider,
        "purpose": row.purpose,
        "request_digest": row.request_digest,
        "response_digest": row.response_digest,
        "decision": row.decision,
        "reason": row.reason,
        "received_at": stamp(row.received_at),
        "responded_at": stamp(row.responded_at),
    }


class Anchorer:
    def __init__(
        self,
        engine: Engine,
        ledger: EvidenceLedgerPort,
        *,
        batch_size: int = 10_000,
        direct: bool = False,
        interrupted_after: timedelta = timedelta(minutes=5),
        stuck_after: timedelta | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.ledger = ledger
        self.batch_size = 1 if direct else batch_size
        self.direct = direct
        self.interrupted_after = interrupted_after
        self.stuck_after = stuck_after
        self.clock = clock
        self.log = EvidenceLog(engine)

    def run_once(self) -> AnchorReport:
        report = AnchorReport()
        report.resumed, report.stuck = self._finish_prepared()
        report.interrupted = self.log.close_interrupted(self.clock() - self.interrupted_after)
        if report.stuck:
            return report
        horizon = self._horizon()
        while True:
            anchor_id = self._prepare_batch(horizon)
            if anchor_id is None:
                return report
            count = self._send(anchor_id)
            report.batches += 1
            report.records += count

    # -- steps ---------------------------------------------------------------------------

    def _finish_prepared(self) -> tuple[int, int]:
        """Send the batches left ``prepared``; (resent, left to tx-retry)."""
        with Session(self.engine) as session:
            prepared = list(
                session.scalars(
                    select(AnchorRow).where(AnchorRow.status == "prepared").order_by(AnchorRow.id)
                )
            )
        for position, anchor in enumerate(prepared):
            if self._stuck(anchor):
                return position, len(prepared) - position
            self._send(anchor.id)
        return len(prepared), 0

    def _stuck(self, anchor: AnchorRow) -> bool:
        """Tried already and older than ``stuck_after``: retried with backoff by tx-retry."""
        if self.stuck_after is None or not anchor.attempts:
            return False
        prepared_at = anchor.prepared_at
        if prepared_at.tzinfo is None:
            prepared_at = prepared_at.replace(tzinfo=UTC)
        return prepared_at <= self.clock() - self.stuck_after

    def _chain_position(self, session: Session | Connection) -> tuple[int, str]:
        last = session.scalar(select(func.max(AnchorRow.last_sequence))) or 0
        latest_root = session.scalar(
            select(AnchorRow.root)
            .where(AnchorRow.count > 0)
            .where(AnchorRow.prev_root != "direct")
            .order_by(AnchorRow.id.desc())
            .limit(1)
        )
        return int(last) + 1, latest_root or ZERO_ROOT

    def _horizon(self) -> int:
        """The newest record waiting when a run starts. A run anchors what waited then and no
        more, so it ends under any load; records logged meanwhile are the next run's."""
        with Session(self.engine) as session:
            return int(session.scalar(select(func.max(OutboxRow.record_id))) or 0)

    def _prepare_batch(self, up_to: int) -> int | None:
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(*_record_columns(connection.dialect.name))
                .join(OutboxRow, OutboxRow.record_id == AccessRecordRow.id)
                .where(AccessRecordRow.decision != PENDING)
                .where(AccessRecordRow.id <= up_to)
                .order_by(AccessRecordRow.id)
                .limit(self.batch_size)
                .with_for_update()
            ).all()
            if not rows:
                return None
            first, prev_root = self._chain_position(connection)
            entries = [
                evidence_leaf_text(
                    (
                        row[1],
                        first + index,
                        *row[2:11],
                        stored_time(row[11]),
                        stored_time(row[12]),
                    )
                )
                for index, row in enumerate(rows)
            ]
            tree = MerkleTree(leaf_hashes([entry.encode("utf-8") for entry in entries]))
            proofs = tree.inclusion_proof_texts()
            anchor_id = connection.execute(
                insert(AnchorRow)
                .values(
                    root=hex_digest(tree.root),
                    prev_root="direct" if self.direct else prev_root,
                    first_sequence=first,
                    last_sequence=first + len(rows) - 1,
                    count=len(rows),
                    status="prepared",
                    prepared_at=self.clock(),
                    attempts=0,
                )
                .returning(AnchorRow.id)
            ).scalar_one()
            ids = [row[0] for row in rows]
            _write_batch(
                connection,
                [
                    (first + index, anchor_id, index, proofs[index], entries[index], record_id)
                    for index, record_id in enumerate(ids)
                ],
            )
            return int(anchor_id)

    def _send(self, anchor_id: int) -> int:
        with Session(self.engine) as session:
            anchor = session.get(AnchorRow, anchor_id)
            assert anchor is not None  # noqa: S101 - prepared in this database
            try:
                tx_hash, block = self._transmit(anchor)
            except GatewayError as exc:
                self._record_failure(anchor_id, f"{exc.code}: {exc.detail}")
                raise
        with Session(self.engine) as session, session.begin():
            anchor = session.get(AnchorRow, anchor_id)
            assert anchor is not None  # noqa: S101
            anchor.attempts += 1
            anchor.last_attempt_at = self.clock()
            anchor.status = "anchored"
            anchor.tx_hash = tx_hash or anchor.tx_hash
            anchor.block_number = block if block is not None else anchor.block_number
            anchor.anchored_at = self.clock()
            return anchor.count

    def resend(self, anchor_id: int) -> int:
        """Send a ``prepared`` batch again (the tx-retry job); returns its record count."""
        return self._send(anchor_id)

    def _transmit(self, anchor: AnchorRow) -> tuple[str | None, int | None]:
        if not self.direct and self.ledger.batch_by_root(anchor.root) is not None:
            return None, None  # an earlier attempt got through
        if anchor.prev_root == "direct":
            return self.ledger.anchor_record(anchor.root, anchor.first_sequence)
        return self.ledger.anchor_batch(
            anchor.root, anchor.count, anchor.first_sequence, anchor.last_sequence, anchor.prev_root
        )

    def _record_failure(self, anchor_id: int, error: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(AnchorRow)
                .where(AnchorRow.id == anchor_id)
                .values(
                    attempts=AnchorRow.attempts + 1,
                    last_error=error[:2000],
                    last_attempt_at=self.clock(),
                )
            )
