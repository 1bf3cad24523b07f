"""Deploying the alliance contracts and the deployment file the gateway reads.

The file (JSON) names the chain it describes (suite, chain id, group id, genesis or first
block hash when known), each contract's address, the deploy transaction and block, the
artefact's source hash, and the deployer. The gateway refuses a deployment file whose
suite or ids differ from its settings, so addresses from one chain are never used on another.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.chain.artifact import ContractArtifact
from gateway.chain.port import ChainPort
from gateway.chain.suite import PrivateKey
from gateway.crypto.signing import address_of
from gateway.onchain.artifacts import ALLIANCE_CONTRACTS

DEPLOYMENT_FILE = "deployment.json"
# TransferCase's registrar and the attesters of its four conditions, in condition order
# (tax paid, no seizure, marriage status, housing contract filed): the seed members' codes.
TRANSFER_MEMBERS = ("NRD", "TAX", "COURT", "CIV", "HUD")
# The contracts an existing deployment gains when it lacks them (deploy_missing), each with the
# function that authorises the gateway's account on it.
ADDABLE_CONTRACTS = {"FederationLedger": "authoriseGateway"}


class DeploymentError(Exception):
    code = "deployment_invalid"


@dataclass(frozen=True)
class DeployedContract:
    name: str
    address: str
    tx_hash: str
    block_number: int
    source_hash: str
    compiler: str


@dataclass(frozen=True)
class Deployment:
    suite: str
    chain_id: str
    group_id: str
    deployer: str
    deployed_at: str
    contracts: dict[str, DeployedContract] = field(default_factory=dict)

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError as exc:
            raise DeploymentError(f"the deployment has no {name} contract") from exc

    def check_matches(self, suite: str, chain_id: object, group_id: object) -> None:
        expected = (suite, str(chain_id), str(group_id))
        if (self.suite, self.chain_id, self.group_id) != expected:
            raise DeploymentError(
                f"the deployment file is for suite={self.suite} chain={self.chain_id} "
                f"group={self.group_id}, not suite={expected[0]} chain={expected[1]} "
                f"group={expected[2]}"
            )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        try:
            contracts = {
                name: DeployedContract(**value) for name, value in data["contracts"].items()
            }
            return cls(
                suite=data["suite"],
                chain_id=str(data["chain_id"]),
                group_id=str(data["group_id"]),
                deployer=data["deployer"],
                deployed_at=data["deployed_at"],
                contracts=contracts,
            )
        except (KeyError, TypeError) as exc:
            raise DeploymentError(f"malformed deployment file: {exc}") from exc

    def save(self, path: Path) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            return cls.from_json(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise DeploymentError(f"cannot read deployment file {path}: {exc}") from exc


def deploy_alliance(
    client: ChainPort, key: PrivateKey, artifacts: dict[str, ContractArtifact]
) -> Deployment:
    """Deploy the alliance contracts in dependency order; returns the deployment record."""
    deployed: dict[str, DeployedContract] = {}

    def deploy(name: str, *args: object) -> str:
        deployed[name] = _deploy(client, key, artifacts[name], name, *args)
        return deployed[name].address

    registry = deploy("MemberRegistry")
    catalog = deploy("DataCatalog", registry)
    deploy("AccessGrants", registry, catalog)
    evidence = deploy("EvidenceLedger")
    federation = deploy("FederationLedger")
    records = deploy("RecordStore")
    deploy("TransferCase", registry, *(code.encode().ljust(32, b"\0") for code in TRANSFER_MEMBERS))

    supervision = deploy("Supervision", registry)
    gateway = address_of(key.public_key)
    client.contract(artifacts["EvidenceLedger"], evidence).transact(
        "authoriseGateway", gateway, key=key
    )
    client.contract(artifacts["FederationLedger"], federation).transact(
        "authoriseGateway", gateway, key=key
    )
    client.contract(artifacts["RecordStore"], records).transact("authoriseWriter", gateway, key=key)
    client.contract(artifacts["Supervision"], supervision).transact(
        "authoriseMonitor", gateway, key=key
    )
    return Deployment(
        suite=client.suite.name,
        chain_id=str(client.chain_id),
        group_id=str(client.group_id),
        deployer=address_of(key.public_key),
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        contracts=deployed,
    )


def deploy_missing(
    client: ChainPort,
    key: PrivateKey,
    artifacts: dict[str, ContractArtifact],
    deployment: Deployment,
) -> tuple[Deployment, list[str]]:
    """Deploy the contracts of :data:`ADDABLE_CONTRACTS` that ``deployment`` lacks.

    Returns the deployment with them added and their names (none when nothing was missing).
    Only a contract that takes no constructor argument, that no other contract refers to, and
    that starts empty by design can join a deployment on its own: a deployment made before it
    existed simply lacks it. ``EvidenceLedger`` and ``RecordStore`` take no argument either,
    but a deployment without them has lost their anchors and records, which a fresh empty
    contract would hide; the others are wired to each other's addresses at construction.
    """
    deployment.check_matches(client.suite.name, client.chain_id, client.group_id)
    gateway = address_of(key.public_key)
    contracts = dict(deployment.contracts)
    added: list[str] = []
    for name in ALLIANCE_CONTRACTS:
        if name in contracts or name not in ADDABLE_CONTRACTS:
            continue
        contracts[name] = _deploy(client, key, artifacts[name], name)
        client.contract(artifacts[name], contracts[name].address).transact(
            ADDABLE_CONTRACTS[name], gateway, key=key
        )
        added.append(name)
    return replace(deployment, contracts=contracts), added


def _deploy(
    client: ChainPort, key: PrivateKey, artifact: ContractArtifact, name: str, *args: object
) -> DeployedContract:
    contract = client.deploy(artifact, *args, key=key)
    receipt = contract.deploy_receipt
    assert receipt is not None  # noqa: S101 - deploy() always records it
    return DeployedContract(
        name=name,
        address=contract.address,
        tx_hash=receipt.transaction_hash,
        block_number=receipt.block_number,
        source_hash=artifact.source_hash or "",
        compiler=artifact.compiler_version or "",
    )
