"""The deployed alliance contracts as the console and the API show them (智能合约管理).

Everything comes from the deployment record (``<data_dir>/deployment.json``), the committed
artefacts it was deployed from, and the chain itself: a contract is ``active`` only when the
code at its address is the artefact's runtime code. Contracts carry no version number, so a
contract's version is its deployed source hash, abbreviated the way revisions are. The chain
modules (and with them eth-abi and py-evm) are imported on first use, not when the app is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.errors import NotFound, ServiceUnavailable

if TYPE_CHECKING:
    from gateway.chain.artifact import ContractArtifact
    from gateway.onchain.deployment import DeployedContract, Deployment
    from gateway.onchain.runtime import ChainRuntime

ACTIVE = "active"  # the artefact's runtime code is at the address
OUTDATED = "outdated"  # the committed artefact was rebuilt from other sources since deployment
CODE_MISMATCH = "code_mismatch"  # code at the address is not the artefact's runtime code
MISSING = "missing"  # no code at the address
UNKNOWN = "unknown"  # the chain did not answer


class ContractNotFound(NotFound):
    code = "contract_not_found"
    title = "No such contract"


class DeploymentUnavailable(ServiceUnavailable):
    code = "deployment_unavailable"
    title = "No deployment"


@dataclass(frozen=True)
class ContractRecord:
    """One deployed contract: where it lives, what it runs, and whether the chain agrees."""

    name: str
    version: str
    address: str
    suite: str
    chain_id: str
    group_id: str
    status: str
    deployer: str
    deployed_at: datetime | None
    deploy_tx: str
    deploy_block: int
    compiler: str
    source_hash: str
    artefact_source_hash: str | None
    selector_hash: str
    code_hash: str | None
    abi: tuple[dict[str, Any], ...]

    @property
    def functions(self) -> list[dict[str, Any]]:
        return [entry for entry in self.abi if entry.get("type", "function") == "function"]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [entry for entry in self.abi if entry.get("type") == "event"]


def _compiler_dirs(compiler: str) -> list[str]:
    from gateway.onchain.artifacts import DEFAULT_COMPILER

    release = compiler.split("+", 1)[0]
    return [f"solc-{release}", DEFAULT_COMPILER] if release else [DEFAULT_COMPILER]


class ContractRegistry:
    """Reads the deployment and checks each contract's code on the chain."""

    def __init__(self, runtime: Callable[[], ChainRuntime]) -> None:
        self._runtime = runtime
        self._lock = threading.Lock()
        self._block_times: dict[int, datetime] = {}

    def deployment(self) -> Deployment:
        from gateway.onchain.deployment import DeploymentError
        from gateway.onchain.runtime import ChainNotReady

        try:
            return self._runtime().deployment()
        except (ChainNotReady, DeploymentError) as exc:
            raise DeploymentUnavailable(str(exc)) from exc

    def contracts(self) -> list[ContractRecord]:
        deployment = self.deployment()
        return [self._record(deployment, item) for item in deployment.contracts.values()]

    def contract(self, name: str) -> ContractRecord:
        deployment = self.deployment()
        deployed = deployment.contracts.get(name)
        if deployed is None:
            raise ContractNotFound(f"the deployment has no contract {name!r}", name=name)
        return self._record(deployment, deployed)

    def artefact(self, name: str) -> tuple[str, bytes]:
        """The committed artefact file the contract was deployed from: (file name, bytes)."""
        deployed = self.deployment().contracts.get(name)
        if deployed is None:
            raise ContractNotFound(f"the deployment has no contract {name!r}", name=name)
        path = self._artefact_path(deployed)
        if path is None:
            raise ContractNotFound(f"no artefact for {name} in this installation", name=name)
        return path.name, path.read_bytes()

    def _artefact_path(self, deployed: DeployedContract) -> Path | None:
        from gateway.onchain.artifacts import ArtifactsMissing, artifacts_dir

        for compiler in _compiler_dirs(deployed.compiler):
            try:
                path = artifacts_dir(compiler) / f"{deployed.name}.json"
            except ArtifactsMissing:
                continue
            if path.is_file():
                return path
        return None

    def _record(self, deployment: Deployment, deployed: DeployedContract) -> ContractRecord:
        from gateway.chain.artifact import ContractArtifact

        path = self._artefact_path(deployed)
        artefact = ContractArtifact.from_file(path) if path is not None else None
        status, code_hash, deployed_at = self._chain_facts(deployed, artefact)
        selector_hash = "unknown"
        if artefact is not None and artefact.hash_family is not None:
            selector_hash = "sm3" if artefact.hash_family.name == "sm" else "keccak"
        return ContractRecord(
            name=deployed.name,
            version=deployed.source_hash.removeprefix("0x")[:10] or "unknown",
            address=deployed.address,
            suite=deployment.suite,
            chain_id=deployment.chain_id,
            group_id=deployment.group_id,
            status=status,
            deployer=deployment.deployer,
            deployed_at=deployed_at
            or datetime.fromisoformat(deployment.deployed_at).astimezone(UTC),
            deploy_tx=deployed.tx_hash,
            deploy_block=deployed.block_number,
            compiler=deployed.compiler,
            source_hash=deployed.source_hash,
            artefact_source_hash=artefact.source_hash if artefact else None,
            selector_hash=selector_hash,
            code_hash=code_hash,
            abi=tuple(dict(entry) for entry in artefact.abi) if artefact else (),
        )

    def _chain_facts(
        self, deployed: DeployedContract, artefact: ContractArtifact | None
    ) -> tuple[str, str | None, datetime | None]:
        """Status, the chain-suite hash of the code at the address, and the deploy block time."""
        from gateway.chain.errors import ChainError
        from gateway.onchain.runtime import ChainNotReady

        try:
            runtime = self._runtime()
            code = runtime.client.get_code(deployed.address)
            deployed_at = self._block_time(runtime, deployed.block_number)
        except (ChainError, ChainNotReady, OSError):
            return UNKNOWN, None, None
        if not code:
            return MISSING, None, deployed_at
        code_hash = "0x" + runtime.client.suite.hash(code).hex()
        if artefact is None or artefact.source_hash != deployed.source_hash:
            return OUTDATED, code_hash, deployed_at
        if artefact.deployed_bytecode and code != artefact.deployed_bytecode:
            return CODE_MISMATCH, code_hash, deployed_at
        return ACTIVE, code_hash, deployed_at

    def _block_time(self, runtime: ChainRuntime, number: int) -> datetime | None:
        with self._lock:
            if number in self._block_times:
                return self._block_times[number]
        stamp = runtime.client.block_timestamp(number)
        if stamp is None:
            return None
        when = datetime.fromtimestamp(stamp, UTC)
        with self._lock:
            self._block_times[number] = when
        return when
