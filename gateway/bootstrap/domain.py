"""The container's lower half: stores, keys, the chain and the domain services on it.

Called from :func:`gateway.create_app` and from CLI commands, never at import. Building the
container connects to nothing: engines and Redis clients connect on first use, and the chain
(and with it the embedded devnode and its threads) opens the first time a service needs it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from sqlalchemy import Engine

from gateway.errors import ServiceUnavailable
from gateway.http.readiness import Readiness
from gateway.settings import Settings

if TYPE_CHECKING:
    from gateway.catalog.grants import GrantService
    from gateway.catalog.service import CatalogService
    from gateway.crypto.sm2 import Sm2PrivateKey
    from gateway.evidence.anchoring import Anchorer
    from gateway.evidence.log import EvidenceLog
    from gateway.evidence.service import EvidenceService
    from gateway.handover.history import ChainHistory
    from gateway.members.directory import MemberDirectory
    from gateway.members.service import MembershipService
    from gateway.oauth.clients import ClientStore
    from gateway.oauth.tokens import TokenStore
    from gateway.onchain.registry import ContractRegistry
    from gateway.onchain.runtime import ChainRuntime
    from gateway.records.service import RecordService


@dataclass
class DomainServices:
    """Stores, keys, the chain and the domain services, each built once on first use."""

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
        """The chain of the open chain period; after a handover, the new one."""
        from gateway.onchain.runtime import open_profile

        profile = self.chain_history.current_profile()
        with self._lock:
            runtime: ChainRuntime | None = self._built.get("chain")
            if runtime is not None and runtime.profile != profile:
                runtime.close()
                runtime = None
            if runtime is None:
                runtime = open_profile(self.settings, profile)
                self._built["chain"] = runtime
            return runtime

    def open_chain_profile(self, profile: str) -> ChainRuntime:
        """Another chain profile's runtime (the caller closes it)."""
        from gateway.onchain.runtime import open_profile

        if profile == self.chain.profile:
            return self.chain
        return open_profile(self.settings, profile)

    @property
    def chain_history(self) -> ChainHistory:
        from gateway.handover.history import ChainHistory

        return self._once("chain_history", lambda: ChainHistory(self.engine, self.settings))

    @property
    def tokens(self) -> TokenStore:
        from gateway.oauth.tokens import TokenStore

        return self._once("tokens", lambda: TokenStore(self.redis))

    @property
    def clients(self) -> ClientStore:
        from gateway.oauth.clients import ClientStore

        return self._once("clients", lambda: ClientStore(self.engine))

    @property
    def members(self) -> MembershipService:
        def build() -> MembershipService:
            from gateway.crypto.signing import address_of
            from gateway.crypto.sm2 import Sm2PublicKey
            from gateway.members.errors import LedgerRefused
            from gateway.members.keys import FileMemberKeys
            from gateway.members.ledger import ChainMemberLedger
            from gateway.members.service import MembershipService
            from gateway.members.store import SqlMemberIndex
            from gateway.oauth.issuer import OAuthCredentialIssuer
            from gateway.onchain.bound import BoundContract

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
        from gateway.members.directory import MemberDirectory

        return self._once("member_directory", lambda: MemberDirectory(self.members.index))

    @property
    def catalog(self) -> CatalogService:
        def build() -> CatalogService:
            from gateway.catalog.errors import CatalogLedgerRefused
            from gateway.catalog.ledger import ChainCatalogLedger
            from gateway.catalog.service import CatalogService
            from gateway.catalog.store import SqlCatalogIndex
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
            from gateway.catalog.errors import CatalogLedgerRefused
            from gateway.catalog.grant_store import SqlGrantIndex
            from gateway.catalog.grants import GrantService
            from gateway.catalog.ledger import ChainGrantLedger
            from gateway.federation.bounds import ParentGrantBounds
            from gateway.onchain.bound import BoundContract

            return GrantService(
                index=SqlGrantIndex(self.engine),
                ledger=ChainGrantLedger(
                    BoundContract(lambda: self.chain, "AccessGrants", CatalogLedgerRefused)
                ),
                catalog=self.catalog,
                bounds=ParentGrantBounds(self.engine) if self.settings.federation.node else None,
            )

        return self._once("grants", build)

    @property
    def contracts(self) -> ContractRegistry:
        from gateway.onchain.registry import ContractRegistry

        return self._once("contracts", lambda: ContractRegistry(lambda: self.chain))

    def gateway_key(self) -> Sm2PrivateKey:
        from gateway.crypto.keyfiles import load_private_key
        from gateway.crypto.sm2 import Sm2PrivateKey
        from gateway.settings import GATEWAY_KEY_FILE

        def load() -> Sm2PrivateKey:
            key = load_private_key(self.settings.keys_dir / GATEWAY_KEY_FILE)
            if not isinstance(key, Sm2PrivateKey):
                raise ServiceUnavailable("the gateway key must be an SM2 key")
            return key

        return self._once("gateway_key", load)

    def storage_key(self) -> bytes:
        from gateway.settings import STORAGE_KEY_FILE

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
    def records(self) -> RecordService:
        def build() -> RecordService:
            from gateway.onchain.bound import BoundContract
            from gateway.records.errors import RecordLedgerRefused
            from gateway.records.ledger import ChainRecordLedger
            from gateway.records.service import RecordService
            from gateway.records.store import SqlRecordIndex
            from gateway.records.vault import ContentVault

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
