"""A parent taking its children's checkpoints: check, anchor on FederationLedger, keep.

The direct child's checkpoint must be signed by the child's key on ``MemberRegistry`` and,
against the last one this gateway accepted from it, come with an RFC 9162 consistency proof:
a child that rewrote or lost any evidence it had checkpointed cannot produce one and is
refused (``checkpoint_inconsistent``, ``checkpoint_forked``, ``checkpoint_shrank``), and the
refusal is kept as an alert. The checkpoints the child carries of its own descendants were
checked the same way by the child; here each must be signed by the key it names, grow, and
always arrive through the same child. Anchoring is idempotent: a checkpoint the chain already
holds (a crash between the transaction and the database) is only recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.crypto.canonical import canonical_json
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.evidence.consistency import Checkpoint, check_consistency
from gateway.federation.checkpoints import NodeCheckpoint, descendants, open_checkpoint
from gateway.federation.errors import CheckpointRefused, MalformedFederationDocument, NotAChild
from gateway.federation.events import INTAKE, OK, REFUSED, FederationEvents
from gateway.federation.ledger import ChainFederationLedger
from gateway.federation.tables import ChildCheckpointRow, ChildRow

MAX_PROOF_NODES = 64


@dataclass
class IntakeReport:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    latest: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "latest": self.latest,
        }


def _proof_nodes(proof: object) -> list[bytes]:
    if not isinstance(proof, list) or len(proof) > MAX_PROOF_NODES:
        raise MalformedFederationDocument(f"proof must be a list of at most {MAX_PROOF_NODES}")
    nodes = []
    for node in proof:
        if not (isinstance(node, str) and node.startswith("0x") and len(node) == 66):
            raise MalformedFederationDocument("each proof node is 0x and 64 hex digits")
        try:
            nodes.append(bytes.fromhex(node[2:]))
        except ValueError as exc:
            raise MalformedFederationDocument("each proof node is 0x and 64 hex digits") from exc
    return nodes


def latest_row(session: Session, node: str) -> ChildCheckpointRow | None:
    return session.scalars(
        select(ChildCheckpointRow)
        .where(ChildCheckpointRow.node == node)
        .order_by(ChildCheckpointRow.tree_size.desc())
        .limit(1)
    ).first()


def as_checkpoint(row: ChildCheckpointRow) -> Checkpoint:
    return Checkpoint(row.tree_size, bytes.fromhex(row.root[2:]))


class CheckpointIntake:
    def __init__(
        self,
        engine: Engine,
        ledger: Callable[[], ChainFederationLedger],
        registered_key: Callable[[str], Sm2PublicKey | None],
        node: str,
        events: FederationEvents,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.ledger = ledger
        self.registered_key = registered_key
        self.node = node
        self.events = events
        self.clock = clock

    def latest(self, node: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = latest_row(session, node)
            return None if row is None else {"tree_size": row.tree_size, "root": row.root}

    def accept(self, child: str, document: object, proof: object) -> IntakeReport:
        with Session(self.engine) as session:
            if session.get(ChildRow, child) is None:
                raise NotAChild(f"{child} is not registered as a child of {self.node}")
        key = self.registered_key(child)
        if key is None:
            raise NotAChild(f"{child} has no active membership with a registered key")
        top = open_checkpoint(document, expected_key=key)
        if top.node != child:
            raise MalformedFederationDocument(f"the checkpoint is {top.node}'s, not {child}'s")
        report = IntakeReport()
        self._check_own(top, _proof_nodes(proof), report)
        nested = list(descendants(top))
        for checkpoint, _depth in nested:
            reason = self._nested_refusal(child, checkpoint)
            if reason is not None:
                report.skipped.append({"node": checkpoint.node, "reason": reason})
                self.events.record(INTAKE, checkpoint.node, REFUSED, reason=reason, via=child)
        skipped = {item["node"] for item in report.skipped}
        for checkpoint in [top, *(c for c, _ in nested if c.node not in skipped)]:
            self._anchor(child, checkpoint, report)
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(ChildRow).where(ChildRow.node == child).values(last_seen_at=self.clock())
            )
        report.latest = self.latest(child)
        return report

    def _check_own(self, top: NodeCheckpoint, proof: Sequence[bytes], report: IntakeReport) -> None:
        with Session(self.engine) as session:
            last = latest_row(session, top.node)
            if last is None:
                return
            previous = as_checkpoint(last)
        reason = None
        if top.tree_size < previous.tree_size:
            reason = "checkpoint_shrank"
        elif top.tree_size == previous.tree_size and top.checkpoint.root != previous.root:
            reason = "checkpoint_forked"
        elif top.tree_size > previous.tree_size and not check_consistency(
            previous, top.checkpoint, proof
        ):
            reason = "checkpoint_inconsistent"
        if reason is not None:
            self.events.record(
                INTAKE,
                top.node,
                REFUSED,
                reason=reason,
                previous={"tree_size": previous.tree_size, "root": last.root},
                offered={"tree_size": top.tree_size, "root": top.root},
            )
            raise CheckpointRefused(
                f"{top.node}'s checkpoint of {top.tree_size} records does not extend the one of "
                f"{previous.tree_size} accepted before ({reason})",
                reason=reason,
                accepted_tree_size=previous.tree_size,
            )

    def _nested_refusal(self, child: str, checkpoint: NodeCheckpoint) -> str | None:
        if checkpoint.node in (self.node, child):
            return "node_not_below_child"
        with Session(self.engine) as session:
            if session.get(ChildRow, checkpoint.node) is not None:
                return "node_is_a_direct_child"
            last = latest_row(session, checkpoint.node)
        if last is None:
            return None
        if last.via != child:
            return "reached_through_another_child"
        if checkpoint.tree_size < last.tree_size:
            return "checkpoint_shrank"
        if checkpoint.tree_size == last.tree_size and checkpoint.root != last.root:
            return "checkpoint_forked"
        return None

    def _anchor(self, via: str, checkpoint: NodeCheckpoint, report: IntakeReport) -> None:
        with Session(self.engine) as session:
            last = latest_row(session, checkpoint.node)
        if checkpoint.tree_size == 0 or (
            last is not None and last.tree_size >= checkpoint.tree_size
        ):
            report.unchanged.append(checkpoint.node)
            return
        ledger = self.ledger()
        on_chain = ledger.latest(checkpoint.node)
        digest = checkpoint.signed.digest
        if on_chain is not None and on_chain.tree_size >= checkpoint.tree_size:
            if (on_chain.tree_size, on_chain.document_digest) != (checkpoint.tree_size, digest):
                report.skipped.append({"node": checkpoint.node, "reason": "chain_ahead"})
                return
            tx_hash, block = None, None
        else:
            tx_hash, block = ledger.anchor(
                checkpoint.node,
                via,
                checkpoint.tree_size,
                checkpoint.root,
                digest,
                checkpoint.signed.key_id,
            )
        row = ChildCheckpointRow(
            node=checkpoint.node,
            via=via,
            tree_size=checkpoint.tree_size,
            root=checkpoint.root,
            key_id=checkpoint.signed.key_id,
            document=canonical_json(checkpoint.document).decode(),
            document_digest=digest,
            issued_at=checkpoint.issued_at,
            received_at=self.clock(),
            tx_hash=tx_hash,
            block_number=block,
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            report.unchanged.append(checkpoint.node)
            return
        accepted = {
            "node": checkpoint.node,
            "via": via,
            "tree_size": checkpoint.tree_size,
            "root": checkpoint.root,
            "tx_hash": tx_hash,
            "block_number": block,
        }
        report.accepted.append(accepted)
        self.events.record(INTAKE, checkpoint.node, OK, **accepted)


def stored_document(row: ChildCheckpointRow) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row.document)
    return document
