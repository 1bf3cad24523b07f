"""The membership service against MemberRegistry on a real devnode, embedded and over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from gateway.bootstrap import Container, build_container
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.devnode.testing import running_devnode
from gateway.instance import initialise
from gateway.members.errors import LedgerRefused
from gateway.members.model import MemberProfile, MemberStatus, Role
from gateway.members.tables import MemberEventRow, MemberRow
from gateway.settings import Settings


@pytest.fixture
def container(seeded_settings: Settings) -> Iterator[Container]:
    container = build_container(seeded_settings)
    yield container
    container.close()


def test_the_contract_itself_refuses_an_illegal_transition(container: Container) -> None:
    with pytest.raises(LedgerRefused, match="MemberRegistry: member is not suspended"):
        container.members.ledger.transition("NRD", "reinstate", "skip the gateway's check")


def test_key_rotation_is_on_chain_and_the_old_key_stops(container: Container) -> None:
    new_key = Sm2PrivateKey.generate()
    before = container.members.get("HUD")
    rotated = container.members.rotate_key("HUD", new_key.public_key.to_bytes(), "test")
    on_chain = container.members.ledger.read("HUD")
    assert on_chain is not None
    assert on_chain.public_key == new_key.public_key.to_bytes()
    assert on_chain.account == rotated.account != before.account
    registry = container.chain.contract("MemberRegistry")
    assert registry.call("memberCodeOf", rotated.account).rstrip(b"\0") == b"HUD"
    assert registry.call("memberCodeOf", before.account) == b"\0" * 32
    assert container.member_facts("HUD").public_key == new_key.public_key.to_bytes()  # type: ignore[union-attr]


def test_sync_restores_a_lost_index(container: Container) -> None:
    container.members.suspend("COURT", "test", "to show sync keeps status")
    with Session(container.engine) as session, session.begin():
        session.execute(delete(MemberEventRow))
        session.execute(delete(MemberRow))
    report = container.members.sync()
    assert len(report.added) == 12
    assert container.members.get("COURT").status is MemberStatus.SUSPENDED
    assert container.members.get("NRD").status is MemberStatus.ACTIVE
    assert sorted(container.members.sync().unchanged) == sorted(report.added)


@pytest.mark.postgres
@pytest.mark.redis
def test_alliance_on_postgres_redis_and_a_devnode_over_http(
    make_settings: Callable[..., Settings], postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Production shape: PostgreSQL, Redis, and a chain reached by JSON-RPC over HTTP."""
    from gateway.onchain.artifacts import load_artifacts
    from gateway.onchain.deployment import deploy_alliance

    with running_devnode(tmp_path / "node", suite="sm", block_interval=0.02) as (url, _node):
        settings = make_settings(database_url=postgres_url, redis_url=redis_url, chain_rpc_url=url)
        container = build_container(settings)
        try:
            report = initialise(container)
            assert report.deployment is None  # a real chain is deployed by the operator
            runtime = container.chain
            deployment = deploy_alliance(runtime.client, runtime.governance_key(), load_artifacts())
            deployment.save(runtime.deployment_path)
            profile = MemberProfile(
                code="PSB",
                name_zh="省公安厅",
                name_en="Public Security",
                credit_code="11320000036191562U",
                roles=Role.PROVIDER | Role.CONSUMER,
            )
            service = container.members
            service.apply(profile, None, "test")
            member, credentials = service.approve("PSB", "test")
            assert member.status is MemberStatus.ACTIVE
            client = container.clients.get(credentials.client_id)
            assert client is not None
            assert client.check_client_secret(credentials.client_secret)
            token = "t" * 43
            container.tokens.save(token, client.client_id, "PSB", "catalog:read", 60)
            service.suspend("PSB", "test", "suspended over HTTP")
            assert container.tokens.lookup(token) is None
            on_chain = service.ledger.read("PSB")
            assert on_chain is not None
            assert on_chain.status is MemberStatus.SUSPENDED
            assert container.engine.dialect.name == "postgresql"
        finally:
            container.close()
