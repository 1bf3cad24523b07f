"""Wiring the federation (docs/federation.md) to the container's stores, chain and services."""

from __future__ import annotations

from gateway.bootstrap.domain import DomainServices
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.federation.bounds import ParentGrantBounds
from gateway.federation.events import FederationEvents
from gateway.federation.forwarding import ParentForwarding
from gateway.federation.identity import LinkFile
from gateway.federation.intake import CheckpointIntake
from gateway.federation.ledger import CONTRACT, ChainFederationLedger, FederationLedgerRefused
from gateway.federation.mirror import CatalogMirror
from gateway.federation.parent import ParentClient
from gateway.federation.registry import ChildRegistry, ParentJoin
from gateway.federation.service import Federation
from gateway.federation.snapshot import CatalogSnapshots
from gateway.federation.status import FederationStatus
from gateway.federation.sync import FederationSync
from gateway.members.model import MemberStatus
from gateway.onchain.bound import BoundContract


def build_federation(container: DomainServices) -> Federation:
    settings = container.settings
    federation = settings.federation
    engine = container.engine
    node = federation.node
    events = FederationEvents(engine)
    link_file = LinkFile(settings.data_dir)
    bounds = ParentGrantBounds(engine)
    contract = BoundContract(lambda: container.chain, CONTRACT, FederationLedgerRefused)
    ledger = ChainFederationLedger(contract)

    def registered_key(code: str) -> Sm2PublicKey | None:
        member = container.members.index.get(code)
        if member is None or member.status is not MemberStatus.ACTIVE:
            return None
        return Sm2PublicKey.from_bytes(bytes.fromhex(member.public_key))

    def member_status(code: str) -> str | None:
        member = container.members.index.get(code)
        return None if member is None else member.status.value

    client = ParentClient(
        link_file.current,
        container.gateway_key,
        url=federation.parent_url,
        timeout=federation.timeout,
    )
    snapshots = CatalogSnapshots(
        engine,
        lambda: container.catalog.index.all_entries(),
        lambda query: container.grants.index.find(query),
        node,
        container.gateway_key,
    )
    return Federation(
        engine=engine,
        node=node,
        events=events,
        link_file=link_file,
        bounds=bounds,
        registry=ChildRegistry(
            engine,
            container.members,
            container.clients,
            node=node,
            name=federation.name,
            url=settings.base_url,
            issuer=settings.issuer,
            key=container.gateway_key,
        ),
        join=ParentJoin(node, link_file, container.members),
        intake=CheckpointIntake(engine, lambda: ledger, registered_key, node, events),
        snapshots=snapshots,
        sync=FederationSync(
            engine,
            node,
            link_file,
            client,
            CatalogMirror(engine, container.catalog, node),
            container.gateway_key,
            events,
        ),
        forwarding=ParentForwarding(client, link_file.current, bounds, node),
        status=FederationStatus(
            engine,
            node,
            link_file,
            events,
            snapshots.digest,
            member_status,
            federation.max_lag_seconds,
        ),
    )
