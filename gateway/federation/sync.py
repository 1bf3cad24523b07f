"""The child's side of the link, one run at a time (the ``federation`` job, ``alliance sync run``).

1. **Catalogue down**: the parent's signed snapshot is applied (:mod:`.mirror`).
2. **Checkpoints up**: the checkpoint of this gateway's whole evidence log, with the latest
   checkpoints of its own children inside, is signed and sent with the RFC 9162 consistency
   proof from the last one the parent accepted (the parent says which). Nothing is sent when
   neither the log nor a child's checkpoint moved.

Both steps are cumulative and idempotent, so a child that was offline for hours catches up in
one run: the latest snapshot, one checkpoint covering everything logged meanwhile, nothing
sent twice. Each step's outcome is logged (:mod:`.events`); one failing does not stop the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gateway.crypto.canonical import canonical_json
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.errors import GatewayError
from gateway.evidence.consistency import Checkpoint, LogTree
from gateway.evidence.digests import hex_digest
from gateway.evidence.tables import AccessRecordRow
from gateway.federation.checkpoints import sign_checkpoint
from gateway.federation.documents import document_digest
from gateway.federation.errors import CheckpointAhead
from gateway.federation.events import FAILED, OK, PULL, PUSH, FederationEvents
from gateway.federation.identity import LinkFile, ParentLink
from gateway.federation.intake import stored_document
from gateway.federation.mirror import CatalogMirror
from gateway.federation.parent import ParentClient
from gateway.federation.tables import ChildCheckpointRow, PushedCheckpointRow


@dataclass
class SyncReport:
    joined: bool = True
    pull: dict[str, Any] | None = None
    push: dict[str, Any] | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"joined": self.joined, "pull": self.pull, "push": self.push, "errors": self.errors}


def direct_children_documents(engine: Engine) -> list[dict[str, Any]]:
    """The latest checkpoint document accepted from each direct child, by node."""
    with Session(engine) as session:
        latest = (
            select(ChildCheckpointRow.node, func.max(ChildCheckpointRow.tree_size).label("size"))
            .where(ChildCheckpointRow.node == ChildCheckpointRow.via)
            .group_by(ChildCheckpointRow.node)
            .subquery()
        )
        rows = session.scalars(
            select(ChildCheckpointRow)
            .join(
                latest,
                (ChildCheckpointRow.node == latest.c.node)
                & (ChildCheckpointRow.tree_size == latest.c.size),
            )
            .order_by(ChildCheckpointRow.node)
        ).all()
        return [stored_document(row) for row in rows]


class FederationSync:
    def __init__(
        self,
        engine: Engine,
        node: str,
        link_file: LinkFile,
        client: ParentClient,
        mirror: CatalogMirror,
        key: Callable[[], Sm2PrivateKey],
        events: FederationEvents,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.node = node
        self.link_file = link_file
        self.client = client
        self.mirror = mirror
        self.key = key
        self.events = events
        self.clock = clock

    def run_once(self) -> SyncReport:
        if not self.node or not self.link_file.exists():
            return SyncReport(joined=False)
        link = self.link_file.read()
        report = SyncReport()
        for step, run in (("pull", self.pull), ("push", self.push)):
            try:
                setattr(report, step, run(link))
            except GatewayError as exc:
                kind = PULL if step == "pull" else PUSH
                self.events.record(kind, link.parent, FAILED, code=exc.code, error=exc.detail)
                report.errors.append({"step": step, "code": exc.code, "detail": exc.detail})
        return report

    def pull(self, link: ParentLink) -> dict[str, Any]:
        applied = self.mirror.apply(self.client.catalog(), link).to_dict()
        self.events.record(PULL, link.parent, OK, **applied)
        return applied

    def push(self, link: ParentLink) -> dict[str, Any]:
        accepted = self.client.latest_checkpoint()
        children = direct_children_documents(self.engine)
        previous = self._last_pushed()
        if previous is not None and accepted is not None:
            logged = self._leaves_logged()
            same_log = accepted.get("tree_size") == logged == previous.tree_size
            if same_log and self._same_children(previous, children):
                return {"sent": False, "tree_size": logged}
        log = LogTree.read(self.engine)
        if log.size == 0 and not children:
            return {"sent": False, "tree_size": 0}
        old_size = int(accepted["tree_size"]) if accepted else 0
        if old_size > log.size:
            raise CheckpointAhead(
                f"the parent accepted {old_size} records of this log, which holds {log.size}",
                accepted_tree_size=old_size,
                tree_size=log.size,
            )
        checkpoint = log.checkpoint()
        document = sign_checkpoint(self.node, checkpoint, self.key(), children, self.clock())
        proof = [hex_digest(node) for node in log.consistency(old_size)] if old_size else []
        answer = self.client.push_checkpoint(document, proof)
        own = next((a for a in answer.get("accepted", []) if a.get("node") == self.node), None)
        self._remember(checkpoint, document, own)
        result = {
            "sent": True,
            "tree_size": checkpoint.tree_size,
            "root": hex_digest(checkpoint.root),
            "accepted": answer.get("accepted", []),
            "skipped": answer.get("skipped", []),
        }
        self.events.record(PUSH, link.parent, OK, **result)
        return result

    def _leaves_logged(self) -> int:
        """How many evidence leaves are stored: equal to the last pushed size, nothing was
        anchored since (the log only grows), so the tree need not be rebuilt to know it."""
        with Session(self.engine) as session:
            count = session.scalar(
                select(func.count())
                .select_from(AccessRecordRow)
                .where(AccessRecordRow.sequence.is_not(None), AccessRecordRow.evidence.is_not(None))
            )
            return int(count or 0)

    def _last_pushed(self) -> PushedCheckpointRow | None:
        with Session(self.engine) as session:
            return session.scalars(
                select(PushedCheckpointRow).order_by(PushedCheckpointRow.tree_size.desc()).limit(1)
            ).first()

    @staticmethod
    def _same_children(previous: PushedCheckpointRow, children: list[dict[str, Any]]) -> bool:
        sent = json.loads(previous.document).get("children", [])
        return [document_digest(c) for c in sent] == [document_digest(c) for c in children]

    def _remember(
        self, checkpoint: Checkpoint, document: dict[str, Any], own: dict[str, Any] | None
    ) -> None:
        if checkpoint.tree_size == 0:
            return
        with Session(self.engine) as session, session.begin():
            row = session.get(PushedCheckpointRow, checkpoint.tree_size)
            if row is None:
                row = PushedCheckpointRow(tree_size=checkpoint.tree_size)
                session.add(row)
                row.document = canonical_json(document).decode()
                row.document_digest = document_digest(document)
            row.root = hex_digest(checkpoint.root)
            row.pushed_at = self.clock()
            if own is not None:
                row.parent_tx_hash = own.get("tx_hash")
                row.parent_block = own.get("block_number")
