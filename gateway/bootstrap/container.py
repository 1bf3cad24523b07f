"""The container: builds every adapter once and hands them to the services.

Called from :func:`gateway.create_app` and from CLI commands, never at import. Building the
container connects to nothing: engines and Redis clients connect on first use, and the chain
(and with it the embedded devnode and its threads) opens the first time a service needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from gateway.bootstrap.domain import DomainServices
from gateway.http.readiness import (
    Readiness,
    database_probe,
    evidence_probe,
    reconciliation_probe,
    redis_probe,
)
from gateway.infra.redis import make_redis
from gateway.settings import Settings
from gateway.storage.engine import make_engine

if TYPE_CHECKING:
    from authlib.oauth2 import ResourceProtector

    from gateway.audit.exports import AuditExports
    from gateway.audit.records import AuditLog
    from gateway.broker.service import QueryService
    from gateway.console.services import ConsoleServices
    from gateway.federation.service import Federation
    from gateway.oauth.server import GatewayAuthorizationServer, MemberFacts
    from gateway.reconciliation.service import ReconciliationService
    from gateway.supervision.service import SupervisionService
    from gateway.transfer.service import TransferService
    from gateway.witness.checkpoints import CheckpointService
    from gateway.witness.witness import Witness


MAX_RECONCILIATION_WORKERS = 4
WITNESS_DIR = "witnesses"


@dataclass
class Container(DomainServices):
    """Everything the gateway's services share, built from one :class:`Settings`."""

    def member_facts(self, code: str) -> MemberFacts | None:
        from gateway.members.model import Role
        from gateway.oauth.server import MemberFacts

        member = self.members.index.get(code)
        if member is None:
            return None
        return MemberFacts(
            status=member.status.value,
            public_key=bytes.fromhex(member.public_key),
            is_office=Role.OFFICE in member.roles,
            changed_at=member.updated_at.timestamp(),
        )

    @property
    def audit_log(self) -> AuditLog:
        from gateway.audit.records import AuditLog

        return self._once("audit_log", lambda: AuditLog(self.engine))

    @property
    def audit_exports(self) -> AuditExports:
        def build() -> AuditExports:
            import functools
            from datetime import timedelta

            from gateway.audit.exports import AuditExports
            from gateway.audit.workbook import export_workbook
            from gateway.onchain.deployment import DeploymentError
            from gateway.onchain.runtime import ChainNotReady

            def ledger() -> tuple[str | None, str]:
                try:
                    chain = self.chain
                    return chain.deployment().address("EvidenceLedger"), chain.client.suite.name
                except (ChainNotReady, DeploymentError):
                    return None, self.settings.chain.suite

            audit = self.settings.audit
            exports = AuditExports(
                self.engine,
                self.settings.data_dir / "exports",
                signer=self.gateway_key,
                ledger=ledger,
                member_exists=lambda code: self.members.index.get(code) is not None,
                workers=audit.export_workers,
                max_days=audit.export_max_days,
                stale_after=timedelta(seconds=audit.export_stale_seconds),
                writer=functools.partial(export_workbook, timezone=self.settings.timezone),
            )
            exports.fail_abandoned()
            return exports

        return self._once("audit_exports", build)

    @property
    def broker(self) -> QueryService:
        def build() -> QueryService:
            from gateway.broker.connector import ConnectorOptions, HttpConnector
            from gateway.broker.service import QueryService
            from gateway.crypto.signing import address_of

            providers = self.settings.providers
            key = self.gateway_key()
            connector = HttpConnector(
                key,
                address_of(key.public_key),
                ConnectorOptions(
                    connect_timeout=providers.connect_timeout,
                    read_timeout=providers.read_timeout,
                    retries=providers.retries,
                    max_answer_bytes=providers.max_answer_bytes,
                ),
            )
            return QueryService(
                catalog=self.catalog,
                grants=self.grants,
                members=self.member_directory,
                log=self.evidence_log,
                connector=connector,
                gateway_key=key,
                storage_key=self.storage_key(),
                lag_limit=self.settings.evidence.lag_limit,
                anchoring_lag=self.anchoring_lag,
                upstream=self.federation.forwarding if self.settings.federation.node else None,
            )

        return self._once("broker", build)

    @property
    def federation(self) -> Federation:
        from gateway.bootstrap.federation import build_federation

        return self._once("federation", lambda: build_federation(self))

    @property
    def transfers(self) -> TransferService:
        def build() -> TransferService:
            from gateway.transfer.ledger import ChainTransferLedger, FileMemberKeyring
            from gateway.transfer.service import TransferService
            from gateway.transfer.store import SqlTransferStore

            def registered_key(code: str) -> bytes | None:
                member = self.members.ledger.read(code)
                return member.public_key if member is not None else None

            return TransferService(
                store=SqlTransferStore(self.engine),
                ledger=ChainTransferLedger(
                    lambda: self.chain, FileMemberKeyring(self.settings.data_dir / "credentials")
                ),
                broker=lambda: self.broker,
                registered_key=registered_key,
                personal_key=self.storage_key,
            )

        return self._once("transfers", build)

    @property
    def oauth_server(self) -> GatewayAuthorizationServer:
        def build() -> GatewayAuthorizationServer:
            from gateway.oauth.server import GatewayAuthorizationServer

            oauth = self.settings.oauth
            return GatewayAuthorizationServer(
                clients=self.clients,
                tokens=self.tokens,
                members=self.member_facts,
                nonces=self.redis,
                issuer=self.settings.issuer,
                token_ttl=oauth.access_token_ttl,
                assertion_max_age=oauth.assertion_max_age,
            )

        return self._once("oauth_server", build)

    @property
    def oauth_protector(self) -> ResourceProtector:
        from gateway.oauth.resource import build_protector

        return self._once(
            "oauth_protector", lambda: build_protector(self.tokens, self.member_facts)
        )

    @property
    def console(self) -> ConsoleServices:
        return self._once("console", self._build_console)

    def _build_console(self) -> ConsoleServices:
        from gateway.console.services import build_console_services

        return build_console_services(
            self.engine,
            self.settings.console,
            member_exists=lambda code: self.members.index.get(code) is not None,
        )

    @property
    def reconciliation(self) -> ReconciliationService:
        def build() -> ReconciliationService:
            from datetime import timedelta

            from gateway.evidence.ledger import ChainEvidenceLedger, EvidenceLedgerRefused
            from gateway.onchain.bound import BoundContract
            from gateway.reconciliation.service import ReconciliationService, Sources

            ledger = ChainEvidenceLedger(
                BoundContract(lambda: self.chain, "EvidenceLedger", EvidenceLedgerRefused)
            )
            return ReconciliationService(
                self.engine,
                Sources(
                    ledger=lambda: ledger,
                    members=lambda: self.members,
                    catalog=lambda: self.catalog,
                ),
                anchor_within=timedelta(seconds=self.settings.reconciliation.anchor_within_seconds),
                workers=self.settings.reconciliation.workers
                or min(os.cpu_count() or 1, MAX_RECONCILIATION_WORKERS),
            )

        return self._once("reconciliation", build)

    def witnesses(self) -> list[Witness]:
        """The member departments configured as witnesses, with their keys and own state."""
        from gateway.crypto.keyfiles import load_private_key
        from gateway.crypto.signing import address_of
        from gateway.witness.witness import FileWitnessState, Witness

        origin = address_of(self.gateway_key().public_key)
        credentials = self.settings.data_dir / "credentials"
        return [
            Witness(
                code,
                load_private_key(credentials / f"{code}-sm2.pem"),
                FileWitnessState(self.settings.data_dir / WITNESS_DIR, code),
                origin,
            )
            for code in self.settings.witness.members
        ]

    @property
    def checkpoints(self) -> CheckpointService:
        from gateway.witness.checkpoints import CheckpointService

        return self._once(
            "checkpoints",
            lambda: CheckpointService(
                self.engine, self.witnesses, required=self.settings.witness.required
            ),
        )

    @property
    def supervision(self) -> SupervisionService:
        def build() -> SupervisionService:
            from gateway.supervision.ledger import ChainSupervisionLedger, FileMemberSigners
            from gateway.supervision.service import SupervisionService, rule_evaluator
            from gateway.supervision.store import SqlCaseStore

            settings = self.settings.supervision
            return SupervisionService(
                store=SqlCaseStore(self.engine),
                ledger=ChainSupervisionLedger(
                    lambda: self.chain, FileMemberSigners(self.settings.data_dir / "credentials")
                ),
                settings=settings,
                rules=rule_evaluator(self.engine, settings),
            )

        return self._once("supervision", build)

    def supervision_sees_all(self, code: str) -> bool:
        """The office and auditors see every case; a department its own."""
        from gateway.members.model import Role

        member = self.members.index.get(code)
        return member is not None and bool(member.roles & (Role.OFFICE | Role.AUDITOR))

    def verify_supervision_case(self, case: Any) -> Any:
        from gateway.supervision.verify import verify_case

        return verify_case(case, self.supervision.ledger, self.evidence_root_on_chain)

    def export_supervision_cases(self, query: Any) -> bytes:
        from dataclasses import replace

        from gateway.onchain.deployment import DeploymentError
        from gateway.onchain.runtime import ChainNotReady
        from gateway.supervision.export import export_cases

        service = self.supervision
        cases = [service.get(case.case_id) for case in service.find(replace(query, offset=0))]
        try:
            contract: str | None = self.chain.deployment().address("Supervision")
        except (ChainNotReady, DeploymentError):
            contract = None
        return export_cases(
            cases,
            self.gateway_key(),
            self.settings.crypto.sm2_user_id.encode(),
            contract=contract,
            suite=self.settings.chain.suite,
        )

    def evidence_root_on_chain(self, root: str) -> bool:
        """Whether ``root`` is an anchored batch root (or direct record digest) on chain."""
        from gateway.chain.errors import CallReverted
        from gateway.onchain.bound import hash_to_bytes32

        ledger = self.chain.contract("EvidenceLedger")
        try:
            ledger.call("batchByRoot", hash_to_bytes32(root))
        except CallReverted:
            try:
                ledger.call("recordByDigest", hash_to_bytes32(root))
            except CallReverted:
                return False
        return True

    def close(self) -> None:
        chain = self._built.pop("chain", None)
        if chain is not None:
            chain.close()
        self.engine.dispose()
        self.redis.close()


def build_container(settings: Settings) -> Container:
    engine = make_engine(settings.sqlalchemy_url)
    redis_client = make_redis(settings.redis_url)
    readiness = Readiness()
    readiness.add("database", database_probe(engine))
    readiness.add("redis", redis_probe(redis_client, embedded=not settings.redis_url))
    readiness.add("evidence", evidence_probe(engine, settings.evidence.max_lag_seconds))
    readiness.add("reconciliation", reconciliation_probe(engine))
    readiness.add("witness", _witness_probe(engine, settings))
    container = Container(settings=settings, engine=engine, redis=redis_client, readiness=readiness)
    if settings.federation.node:
        readiness.add("federation", _federation_probe(container))
    return container


def _federation_probe(container: Container) -> Any:
    """``alert`` (the gateway stays ready) while a link lags or a checkpoint was refused."""

    def probe() -> dict[str, Any]:
        from sqlalchemy.exc import SQLAlchemyError

        from gateway.errors import GatewayError
        from gateway.http.readiness import ALERT, ProbeFailed

        try:
            report = container.federation.status.report(catalog=False)
        except (SQLAlchemyError, GatewayError) as exc:
            raise ProbeFailed(f"{type(exc).__name__}: {exc}") from exc
        detail: dict[str, Any] = {
            "node": report["node"],
            "parent": (report["parent"] or {}).get("node"),
            "children": len(report["children"]),
        }
        if report["alerts"]:
            detail["status"] = ALERT
            detail["error"] = "; ".join(report["alerts"])
        return detail

    return probe


def _witness_probe(engine: Engine, settings: Settings) -> Any:
    def states() -> list[tuple[str, Any]]:
        from gateway.witness.witness import FileWitnessState

        directory = settings.data_dir / WITNESS_DIR
        return [(code, FileWitnessState(directory, code)) for code in settings.witness.members]

    def probe() -> dict[str, Any]:
        from gateway.witness.checkpoints import witness_probe

        return witness_probe(engine, states)()

    return probe
