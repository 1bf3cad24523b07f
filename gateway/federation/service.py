"""The federation's parts, as the composition root wires them for one gateway.

A gateway may be a parent (children registered here push checkpoints and pull the catalogue),
a child (joined to a parent), both (a city between a province and its counties), or neither
(``federation.node`` empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from gateway.federation.bounds import ParentGrantBounds
from gateway.federation.errors import FederationNotConfigured, NotAChild
from gateway.federation.events import FederationEvents
from gateway.federation.forwarding import ParentForwarding
from gateway.federation.identity import LinkFile
from gateway.federation.intake import CheckpointIntake
from gateway.federation.proofs import record_proof
from gateway.federation.registry import ChildRegistry, ParentJoin
from gateway.federation.snapshot import CatalogSnapshots
from gateway.federation.status import FederationStatus
from gateway.federation.sync import FederationSync


@dataclass
class Federation:
    engine: Engine
    node: str
    events: FederationEvents
    link_file: LinkFile
    bounds: ParentGrantBounds
    registry: ChildRegistry
    join: ParentJoin
    intake: CheckpointIntake
    snapshots: CatalogSnapshots
    sync: FederationSync
    forwarding: ParentForwarding
    status: FederationStatus

    def require_node(self) -> str:
        if not self.node:
            raise FederationNotConfigured(
                "set federation.node (ALLIANCE_FEDERATION_NODE) to this gateway's node code"
            )
        return self.node

    def require_child(self, code: str) -> None:
        if not self.registry.is_child(code):
            raise NotAChild(f"{code} is not registered as a child of {self.node or 'this gateway'}")

    def record_proof(self, request_id: str, tree_size: int | None = None) -> dict[str, Any]:
        return record_proof(self.engine, self.require_node(), request_id, tree_size)
