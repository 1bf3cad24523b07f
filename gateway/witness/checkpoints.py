"""Checkpointing the evidence log and collecting the witnesses' co-signatures.

One run computes the checkpoint of everything anchored so far (:mod:`gateway.evidence.
consistency`), offers each witness the consistency proof from the checkpoint that witness last
saw, and stores the checkpoint with the co-signatures and refusals it got. A refusal is an
alert on ``/readyz`` (``witness``) and on the console's chain page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.evidence.consistency import Checkpoint, LogTree
from gateway.evidence.digests import hex_digest
from gateway.http.readiness import ALERT, Probe, ProbeFailed
from gateway.witness.tables import CheckpointRow
from gateway.witness.witness import Witness, WitnessRefused, WitnessState


@dataclass
class CheckpointReport:
    checkpoint: Checkpoint | None
    cosignatures: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, str]] = field(default_factory=list)
    required: int = 0

    @property
    def witnessed(self) -> bool:
        return len(self.cosignatures) >= self.required and not self.refusals

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": None if self.checkpoint is None else self.checkpoint.to_dict(),
            "cosignatures": self.cosignatures,
            "refusals": self.refusals,
            "required": self.required,
            "witnessed": self.witnessed,
        }


class CheckpointService:
    def __init__(
        self,
        engine: Engine,
        witnesses: Callable[[], Sequence[Witness]],
        *,
        required: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.witnesses = witnesses
        self.required = required
        self.clock = clock

    def run_once(self) -> CheckpointReport:
        log = LogTree.read(self.engine)
        report = CheckpointReport(None, required=self.required)
        if log.size == 0:
            return report
        checkpoint = log.checkpoint()
        report.checkpoint = checkpoint
        for witness in self.witnesses():
            last = witness.last_seen()
            if last is not None and last.tree_size > log.size:
                document: dict[str, Any] = {
                    "old": last.to_dict(),
                    "new": checkpoint.to_dict(),
                    "proof": [],
                }
            else:
                document = {
                    "old": None if last is None else last.to_dict(),
                    "new": checkpoint.to_dict(),
                    "proof": [
                        hex_digest(n) for n in log.consistency(last.tree_size if last else 0)
                    ],
                }
            try:
                report.cosignatures.append(witness.cosign(document))
            except WitnessRefused as exc:
                report.refusals.append({"witness": witness.code, "reason": exc.detail or str(exc)})
        with Session(self.engine) as session, session.begin():
            session.add(
                CheckpointRow(
                    tree_size=checkpoint.tree_size,
                    root=hex_digest(checkpoint.root),
                    cosignatures=json.dumps(report.cosignatures),
                    refusals=json.dumps(report.refusals),
                    created_at=self.clock(),
                )
            )
        return report

    def latest(self) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.scalars(
                select(CheckpointRow).order_by(CheckpointRow.id.desc()).limit(1)
            ).first()
            if row is None:
                return None
            return {
                "tree_size": row.tree_size,
                "root": row.root,
                "cosignatures": json.loads(row.cosignatures),
                "refusals": json.loads(row.refusals),
                "created_at": row.created_at,
            }


def witness_probe(
    engine: Engine, states: Callable[[], Sequence[tuple[str, WitnessState]]]
) -> Probe:
    """``alert`` while a witness has refused a checkpoint (the gateway stays in service)."""

    def probe() -> dict[str, Any]:
        try:
            with engine.connect() as connection:
                latest = connection.execute(
                    select(CheckpointRow.tree_size, CheckpointRow.refusals)
                    .order_by(CheckpointRow.id.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise ProbeFailed(type(exc).__name__) from exc
        alerts = {code: state.alerts() for code, state in states()}
        raised = {code: found for code, found in alerts.items() if found}
        detail: dict[str, Any] = {"checkpoint": None if latest is None else latest.tree_size}
        refusals = json.loads(latest.refusals) if latest is not None else []
        if raised or refusals:
            detail["status"] = ALERT
            reasons = [f"{r['witness']}: {r['reason']}" for r in refusals] or [
                f"{code}: {found[-1]['reason']}" for code, found in raised.items()
            ]
            detail["error"] = "a witness refused the evidence checkpoint; " + "; ".join(reasons)
        return detail

    return probe
