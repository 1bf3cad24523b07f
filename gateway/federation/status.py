"""How far behind each link is (``alliance sync status``, ``GET /api/v1/federation/status``).

As a parent, per child (and per descendant whose checkpoints a child relays): the newest
checkpoint anchored here, how old it is (``checkpoint_lag_seconds``, from the time the child
signed it), when the child last pulled the catalogue and whether what it got is still current,
and whether a checkpoint of it was refused since. As a child: when the last pull and push
succeeded, how many of its anchored records no accepted checkpoint covers yet, and the last
error. ``alerts`` lists every lag beyond ``federation.max_lag_seconds`` and every refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gateway.evidence.tables import AccessRecordRow
from gateway.federation.events import INTAKE, OK, PULL, PUSH, REFUSED, FederationEvents
from gateway.federation.identity import LinkFile
from gateway.federation.intake import latest_row
from gateway.federation.tables import ChildCheckpointRow, ChildRow, PushedCheckpointRow, utc


def _age(now: datetime, moment: datetime | None) -> float | None:
    moment = utc(moment)
    return None if moment is None else round((now - moment).total_seconds(), 1)


class FederationStatus:
    def __init__(
        self,
        engine: Engine,
        node: str,
        link_file: LinkFile,
        events: FederationEvents,
        catalog_digest: Callable[[str], str],
        member_status: Callable[[str], str | None],
        max_lag_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.node = node
        self.link_file = link_file
        self.events = events
        self.catalog_digest = catalog_digest
        self.member_status = member_status
        self.max_lag = max_lag_seconds
        self.clock = clock

    def report(self, *, catalog: bool = True) -> dict[str, Any]:
        """The whole report; ``catalog=False`` leaves out whether each child's catalogue is
        current (``None``), which means building each child's snapshot: ``/readyz`` does."""
        now = self.clock()
        children = self._children(now, catalog)
        parent = self._parent(now) if self.link_file.exists() else None
        alerts = [alert for child in children for alert in child.pop("_alerts")]
        if parent is not None:
            alerts += parent.pop("_alerts")
        return {
            "node": self.node or None,
            "checked_at": now,
            "max_lag_seconds": self.max_lag,
            "parent": parent,
            "children": children,
            "alerts": alerts,
        }

    # -- as a parent -------------------------------------------------------------------------

    def _children(self, now: datetime, catalog: bool) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            direct = list(session.scalars(select(ChildRow).order_by(ChildRow.node)))
            relayed = session.execute(
                select(ChildCheckpointRow.node, ChildCheckpointRow.via)
                .where(ChildCheckpointRow.node != ChildCheckpointRow.via)
                .distinct()
                .order_by(ChildCheckpointRow.node)
            ).all()
            reports = [self._child(session, now, row.node, None, row, catalog) for row in direct]
            reports += [
                self._child(session, now, node, via, None, catalog) for node, via in relayed
            ]
        return reports

    def _child(
        self,
        session: Session,
        now: datetime,
        node: str,
        via: str | None,
        row: ChildRow | None,
        catalog: bool,
    ) -> dict[str, Any]:
        latest = latest_row(session, node)
        lag = _age(now, latest.issued_at) if latest is not None else None
        report: dict[str, Any] = {
            "node": node,
            "via": via,
            "name": row.name if row is not None else None,
            "membership": self.member_status(node) if row is not None else None,
            "checkpoint": None
            if latest is None
            else {
                "tree_size": latest.tree_size,
                "root": latest.root,
                "issued_at": utc(latest.issued_at),
                "anchored_at": utc(latest.received_at),
                "tx_hash": latest.tx_hash,
                "block_number": latest.block_number,
            },
            "checkpoint_lag_seconds": lag,
        }
        alerts = []
        if row is not None:
            current = (
                row.catalog_digest is not None and row.catalog_digest == self.catalog_digest(node)
                if catalog
                else None
            )
            report.update(
                catalog_pulled_at=utc(row.catalog_pulled_at),
                catalog_current=current,
                last_seen_at=utc(row.last_seen_at),
                seen_lag_seconds=_age(now, row.last_seen_at),
            )
        refused = self.events.latest(INTAKE, node, REFUSED)
        accepted = self.events.latest(INTAKE, node, OK)
        if refused is not None and (accepted is None or accepted.at < refused.at):
            report["refused"] = refused.to_dict()
            alerts.append(f"{node}: checkpoint refused ({refused.detail.get('reason')})")
        if lag is None:
            alerts.append(f"{node}: no checkpoint yet")
        elif lag > self.max_lag:
            alerts.append(f"{node}: latest checkpoint {lag:.0f} s old")
        report["_alerts"] = alerts
        return report

    # -- as a child --------------------------------------------------------------------------

    def _parent(self, now: datetime) -> dict[str, Any]:
        link = self.link_file.current()
        pulled = self.events.latest(PULL, link.parent, OK)
        pushed = self.events.latest(PUSH, link.parent, OK)
        last_error = next(
            (
                event
                for event in (
                    self.events.latest(PULL, link.parent),
                    self.events.latest(PUSH, link.parent),
                )
                if event is not None and event.outcome != OK
            ),
            None,
        )
        with Session(self.engine) as session:
            logged = session.scalar(select(func.max(AccessRecordRow.sequence))) or 0
            covered = session.scalar(select(func.max(PushedCheckpointRow.tree_size))) or 0
        report: dict[str, Any] = {
            "node": link.parent,
            "name": link.parent_name,
            "url": link.url,
            "last_pull_at": pulled.at if pulled else None,
            "pull_lag_seconds": _age(now, pulled.at if pulled else None),
            "last_push_at": pushed.at if pushed else None,
            "push_lag_seconds": _age(now, pushed.at if pushed else None),
            "anchored_records": int(logged),
            "checkpointed_records": int(covered),
            "records_not_checkpointed": max(int(logged) - int(covered), 0),
            "last_error": None if last_error is None else last_error.to_dict(),
        }
        alerts = []
        for what in ("pull", "push"):
            lag = report[f"{what}_lag_seconds"]
            if lag is None:
                alerts.append(f"{link.parent}: no successful {what} yet")
            elif lag > self.max_lag:
                alerts.append(f"{link.parent}: last successful {what} {lag:.0f} s ago")
        if last_error is not None:
            alerts.append(f"{link.parent}: {last_error.kind} {last_error.detail.get('code')}")
        report["_alerts"] = alerts
        return report
