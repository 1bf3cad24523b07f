"""The federation's own log: each pull, push, accepted and refused checkpoint, with its outcome.

``alliance sync status`` and ``/readyz`` read the latest of each kind; a refusal stays visible
until the next success of the same kind and node. The retention job deletes events older
than ``retention.job_history_days``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gateway.federation.tables import FederationEventRow, utc

PULL = "catalog-pull"
PUSH = "checkpoint-push"
INTAKE = "checkpoint-intake"
OK = "ok"
FAILED = "failed"
REFUSED = "refused"


@dataclass(frozen=True)
class Event:
    kind: str
    node: str
    outcome: str
    detail: dict[str, Any]
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            "outcome": self.outcome,
            "detail": self.detail,
            "at": self.at,
        }


def _event(row: FederationEventRow) -> Event:
    return Event(row.kind, row.node, row.outcome, json.loads(row.detail), utc(row.at) or row.at)


class FederationEvents:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def record(self, kind: str, node: str, outcome: str, /, **detail: Any) -> Event:
        """Log one step. The same outcome and detail as the latest of its kind and node (a pull
        that changed nothing, the same failure again) moves that event's time instead of
        adding a row, so a link in a steady state does not grow the log."""
        at = self.clock()
        text = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
        with Session(self.engine) as session, session.begin():
            latest = session.scalars(
                select(FederationEventRow)
                .where(FederationEventRow.kind == kind, FederationEventRow.node == node)
                .order_by(FederationEventRow.id.desc())
                .limit(1)
            ).first()
            if latest is not None and (latest.outcome, latest.detail) == (outcome, text):
                latest.at = at
            else:
                session.add(
                    FederationEventRow(kind=kind, node=node, outcome=outcome, detail=text, at=at)
                )
        return Event(kind, node, outcome, detail, at)

    def purge(self, before: datetime) -> int:
        """Delete the events older than ``before`` (the retention job)."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(FederationEventRow).where(FederationEventRow.at < before)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def latest(self, kind: str, node: str, outcome: str | None = None) -> Event | None:
        query = (
            select(FederationEventRow)
            .where(FederationEventRow.kind == kind, FederationEventRow.node == node)
            .order_by(FederationEventRow.id.desc())
            .limit(1)
        )
        if outcome is not None:
            query = query.where(FederationEventRow.outcome == outcome)
        with Session(self.engine) as session:
            row = session.scalars(query).first()
            return None if row is None else _event(row)

    def recent(self, limit: int = 50, node: str | None = None) -> list[Event]:
        query = select(FederationEventRow).order_by(FederationEventRow.id.desc()).limit(limit)
        if node is not None:
            query = query.where(FederationEventRow.node == node)
        with Session(self.engine) as session:
            return [_event(row) for row in session.scalars(query)]
