"""The composition root: builds every adapter once and hands them to the services.

Called from :func:`gateway.create_app` and from CLI commands, never at import. Building the
container connects to nothing: engines and Redis clients connect on first use, and the chain
(and with it the embedded devnode and its threads) opens the first time a service needs it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from sqlalchemy import Engine

from gateway.errors import ServiceUnavailable
from gateway.infra.redis import make_redis
from gateway.readiness import (
    Readiness,
    database_probe,
    evidence_probe,
    reconciliation_probe,
    redis_probe,
)
from gateway.settings import Settings
from gateway.storage.engine import make_engine

if TYPE_CHECKING:
    from authlib.oauth2 import ResourceProtector

    from catalog.grants import GrantService
    from catalog.service import CatalogService
    from console.services import ConsoleServices
    from gateway.audit.exports import AuditExports
    from gateway.audit.records import AuditLog
    from gateway.broker.service import QueryService
    from gateway.crypto.sm2 import Sm2PrivateKey
    from gateway.evidence.anchoring import Anchorer
    from gateway.evidence.log import EvidenceLog
    from gateway.evidence.service import EvidenceService
    from gateway.oauth.clients import ClientStore
    from gateway.oauth.server import GatewayAuthorizationServer, MemberFacts
    from gateway.oauth.tokens import TokenStore
    from gateway.onchain.registry import ContractRegistry
    from gateway.onchain.runtime import ChainRuntime
    from gateway.reconciliation.service import ReconciliationService
    from members.directory import MemberDirectory
    from members.service import MembershipService
    from records.service import RecordService


MAX_RECONCILIATION_WORKERS = 4


@dataclass
class Container:
    """Everything the gateway's services share, built from one :class:`Settings`."""

    settings: Settings
    engine: Engine
    redis: redis.Redis
    readiness: Readiness
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _built: dict[str, Any] = field(default_factory=dict)

    def _once(self, name: str, build: Any) -> Any:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    @property
    def chain(self) -> ChainRuntime:
        from gateway.onchain.runtime import open_chain

        return self._once("chain", lambda: open_chain(self.settings))

    @property
    def tokens(self) -> TokenStore:
        from gateway.oauth.tokens import TokenStore

        return self._once("tokens", lambda: TokenStore(self.redis))

    @property
    def clients(self) -> ClientStore:
        from gateway.oauth.clients import ClientStore

        return self._once("clients", lambda: ClientStore(self.engine))

    def member_facts(self, code: str) -> MemberFacts | None:
        from gateway.oauth.server import MemberFacts
        from members.model import Role

        member = self.members.index.get(code)
        if member is None:
            return None
        return MemberFacts(
            status=member.status.value,
            public_key=bytes.fromhex(member.public_key),
            is_office=Role.OFFICE in member.roles,
        )

    @property
    def members(self) -> MembershipService:
        def build() -> MembershipService:
            from gateway.crypto.signing import address_of
            from gateway.crypto.sm2 import Sm2PublicKey
            from gateway.oauth.issuer import OAuthCredentialIssuer
            from gateway.onchain.bound import BoundContract
            from members.errors import LedgerRefused
            from members.keys import FileMemberKeys
            from members.ledger import ChainMemberLedger
            from members.service import MembershipService
            from members.store import SqlMemberIndex

            return MembershipService(
                index=SqlMemberIndex(self.engine),
                ledger=ChainMemberLedger(
                    BoundContract(lambda: self.chain, "MemberRegistry", LedgerRefused)
                ),
                credentials=OAuthCredentialIssuer(self.clients, self.tokens),
                keys=FileMemberKeys(
                    self.settings.data_dir / "credentials",
                    lambda public: address_of(Sm2PublicKey.from_bytes(public)),
                ),
            )

        return self._once("members", build)

    @property
    def member_directory(self) -> MemberDirectory:
        from members.directory import MemberDirectory

        return self._once("member_directory", lambda: MemberDirectory(self.members.index))

    @property
    def catalog(self) -> CatalogService:
        def build() -> CatalogService:
            from catalog.errors import CatalogLedgerRefused
            from catalog.ledger import ChainCatalogLedger
            from catalog.service import CatalogService
            from catalog.store import SqlCatalogIndex
            from gateway.onchain.bound import BoundContract

            return CatalogService(
                index=SqlCatalogIndex(self.engine),
                ledger=ChainCatalogLedger(
                    BoundContract(lambda: self.chain, "DataCatalog", CatalogLedgerRefused)
                ),
                members=self.member_directory,
            )

        return self._once("catalog", build)

    @property
    def grants(self) -> GrantService:
        def build() -> GrantService:
            from catalog.errors import CatalogLedgerRefused
            from catalog.grant_store import SqlGrantIndex
            from catalog.grants import GrantService
            from catalog.ledger import ChainGrantLedger
            from gateway.onchain.bound import BoundContract

            return GrantService(
                index=SqlGrantIndex(self.engine),
                ledger=ChainGrantLedger(
                    BoundContract(lambda: self.chain, "AccessGrants", CatalogLedgerRefused)
                ),
                catalog=self.catalog,
            )

        return self._once("grants", build)

    @property
    def contracts(self) -> ContractRegistry:
        from gateway.onchain.registry import ContractRegistry

        return self._once("contracts", lambda: ContractRegistry(lambda: self.chain))

    def gateway_key(self) -> Sm2PrivateKey:
        from gateway.crypto.keyfiles import load_private_key
        from gateway.crypto.sm2 import Sm2PrivateKey
        from gateway.instance import GATEWAY_KEY_FILE

        def load() -> Sm2PrivateKey:
            key = load_private_key(self.settings.keys_dir / GATEWAY_KEY_FILE)
            if not isinstance(key, Sm2PrivateKey):
                raise ServiceUnavailable("the gateway key must be an SM2 key")
            return key

        return self._once("gateway_key", load)

    def storage_key(self) -> bytes:
        from gateway.instance import STORAGE_KEY_FILE

        return self._once(
            "storage_key",
            lambda: bytes.fromhex((self.settings.keys_dir / STORAGE_KEY_FILE).read_text().strip()),
        )

    @property
    def evidence_log(self) -> EvidenceLog:
        from gateway.evidence.log import EvidenceLog

        return self._once("evidence_log", lambda: EvidenceLog(self.engine))

    @property
    def evidence(self) -> EvidenceService:
        from gateway.evidence.service import EvidenceService

        def ledger_address() -> str | None:
            from gateway.onchain.deployment import DeploymentError
            from gateway.onchain.runtime import ChainNotReady

            try:
                return self.chain.deployment().address("EvidenceLedger")
            except (ChainNotReady, DeploymentError):
                return None

        return self._once("evidence", lambda: EvidenceService(self.engine, ledger_address))

    @property
    def audit_log(self) -> AuditLog:
        from gateway.audit.records import AuditLog

        return self._once("audit_log", lambda: AuditLog(self.engine))

    @property
    def audit_exports(self) -> AuditExports:
        def build() -> AuditExports:
            from datetime import timedelta

            from gateway.audit.exports import AuditExports
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
            )
            exports.fail_abandoned()
            return exports

        return self._once("audit_exports", build)

    @property
    def records(self) -> RecordService:
        def build() -> RecordService:
            from gateway.onchain.bound import BoundContract
            from records.errors import RecordLedgerRefused
            from records.ledger import ChainRecordLedger
            from records.service import RecordService
            from records.store import SqlRecordIndex
            from records.vault import ContentVault

            return RecordService(
                index=SqlRecordIndex(self.engine),
                ledger=ChainRecordLedger(
                    BoundContract(lambda: self.chain, "RecordStore", RecordLedgerRefused)
                ),
                vault=ContentVault(self.storage_key),
                organisations=self.member_directory,
            )

        return self._once("records", build)

    def anchoring_lag(self) -> float:
        from datetime import UTC, datetime

        oldest = self.evidence_log.oldest_unanchored()
        return 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()

    @property
    def anchorer(self) -> Anchorer:
        def build() -> Anchorer:
            from datetime import timedelta

            from gateway.evidence.anchoring import Anchorer
            from gateway.evidence.ledger import ChainEvidenceLedger, EvidenceLedgerRefused
            from gateway.onchain.bound import BoundContract

            evidence = self.settings.evidence
            return Anchorer(
                self.engine,
                ChainEvidenceLedger(
                    BoundContract(lambda: self.chain, "EvidenceLedger", EvidenceLedgerRefused)
                ),
                batch_size=evidence.batch_size,
                direct=evidence.direct,
                stuck_after=timedelta(seconds=evidence.stuck_after_seconds),
                interrupted_after=timedelta(seconds=evidence.interrupted_after_seconds),
            )

        return self._once("anchorer", build)

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
            )

        return self._once("broker", build)

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
        from console.services import build_console_services

        return self._once("console", lambda: build_console_services(self))

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
    return Container(settings=settings, engine=engine, redis=redis_client, readiness=readiness)
