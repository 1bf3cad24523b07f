"""A deployment made before a contract existed gains it, once, on the next ``alliance init``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from gateway.bootstrap import Container, build_container
from gateway.crypto.signing import address_of
from gateway.instance import initialise
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.deployment import Deployment, DeploymentError, deploy_missing
from gateway.settings import Settings


@pytest.fixture
def container(seeded_settings: Settings) -> Iterator[Container]:
    container = build_container(seeded_settings)
    yield container
    container.close()


def _drop(container: Container, *names: str) -> Deployment:
    """Rewrite the deployment file as an older release left it: without ``names``."""
    path = container.chain.deployment_path
    data = json.loads(path.read_text())
    for name in names:
        del data["contracts"][name]
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return Deployment.from_json(data)


def test_init_deploys_the_federation_ledger_an_older_deployment_lacks(
    container: Container,
) -> None:
    before = _drop(container, "FederationLedger")
    report = initialise(container)
    assert report.created == ["deployment:FederationLedger"]

    path = container.chain.deployment_path
    after = Deployment.load(path)
    assert set(after.contracts) == {*before.contracts, "FederationLedger"}
    for name, deployed in before.contracts.items():
        assert after.contracts[name] == deployed
    gateway = address_of(container.chain.governance_key().public_key)
    federation = container.chain.contract("FederationLedger")
    assert federation.call("isGateway", gateway) is True
    assert federation.call("isGovernor", gateway) is True
    assert federation.call("nodeCount") == 0

    written = path.read_bytes()
    assert initialise(container).created == []
    assert path.read_bytes() == written


def test_a_complete_deployment_is_left_alone(container: Container) -> None:
    runtime = container.chain
    deployment = runtime.deployment()
    assert deploy_missing(
        runtime.client, runtime.governance_key(), load_artifacts(), deployment
    ) == (deployment, [])


def test_only_contracts_that_stand_alone_are_deployed(container: Container) -> None:
    runtime = container.chain
    older = _drop(container, "FederationLedger", "DataCatalog", "EvidenceLedger")
    deployment, added = deploy_missing(
        runtime.client, runtime.governance_key(), load_artifacts(), older
    )
    assert added == ["FederationLedger"]
    assert set(deployment.contracts) == {*older.contracts, "FederationLedger"}


def test_a_deployment_of_another_chain_is_refused(container: Container) -> None:
    runtime = container.chain
    other = replace(_drop(container, "FederationLedger"), chain_id="99")
    with pytest.raises(DeploymentError, match="chain=99"):
        deploy_missing(runtime.client, runtime.governance_key(), load_artifacts(), other)
