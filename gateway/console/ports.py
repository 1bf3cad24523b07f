"""What the console uses of the gateway: the services the composition root hands it.

The console is built above the services and below the composition root, so it names what it
needs here instead of importing :class:`gateway.bootstrap.Container` (which satisfies this).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis
    from sqlalchemy import Engine

    from gateway.audit.exports import AuditExports
    from gateway.audit.records import AuditLog
    from gateway.catalog.grants import GrantService
    from gateway.catalog.service import CatalogService
    from gateway.console.services import ConsoleServices
    from gateway.crypto.sm2 import Sm2PrivateKey
    from gateway.evidence.anchoring import Anchorer
    from gateway.evidence.service import EvidenceService
    from gateway.federation.service import Federation
    from gateway.handover.history import ChainHistory
    from gateway.http.readiness import Readiness
    from gateway.members.service import MembershipService
    from gateway.onchain.registry import ContractRegistry
    from gateway.onchain.runtime import ChainRuntime
    from gateway.reconciliation.service import ReconciliationService
    from gateway.records.service import RecordService
    from gateway.settings import Settings
    from gateway.supervision.model import Case
    from gateway.supervision.service import SupervisionService
    from gateway.supervision.store import CaseQuery
    from gateway.supervision.verify import CaseVerification
    from gateway.transfer.service import TransferService
    from gateway.witness.checkpoints import CheckpointService


class GatewayServices(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def redis(self) -> redis.Redis: ...

    @property
    def readiness(self) -> Readiness: ...

    @property
    def chain(self) -> ChainRuntime: ...

    @property
    def members(self) -> MembershipService: ...

    @property
    def catalog(self) -> CatalogService: ...

    @property
    def grants(self) -> GrantService: ...

    @property
    def records(self) -> RecordService: ...

    @property
    def contracts(self) -> ContractRegistry: ...

    @property
    def evidence(self) -> EvidenceService: ...

    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def audit_exports(self) -> AuditExports: ...

    @property
    def reconciliation(self) -> ReconciliationService: ...

    @property
    def anchorer(self) -> Anchorer: ...

    @property
    def console(self) -> ConsoleServices: ...

    @property
    def chain_history(self) -> ChainHistory: ...

    @property
    def checkpoints(self) -> CheckpointService: ...

    @property
    def federation(self) -> Federation: ...

    @property
    def supervision(self) -> SupervisionService: ...

    def verify_supervision_case(self, case: Case) -> CaseVerification: ...

    def export_supervision_cases(self, query: CaseQuery) -> bytes: ...

    @property
    def transfers(self) -> TransferService: ...

    def anchoring_lag(self) -> float: ...

    def gateway_key(self) -> Sm2PrivateKey: ...
