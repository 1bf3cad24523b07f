"""Opening the gateway's chain: a FISCO BCOS node over JSON-RPC, or the embedded devnode.

With no ``chain.rpc_url`` the chain lives under ``<data_dir>/chain``. The first process to
open it runs the devnode in-process, and serves it on an ephemeral loopback port whose URL it
writes to ``<data_dir>/chain/endpoint.json``; any other process (a CLI command while the
gateway serves) finds the directory locked and talks to that URL instead, so one chain is
never opened twice.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from gateway.chain.client import ChainClient
from gateway.chain.contract import Contract
from gateway.chain.port import EVM, ChainPort
from gateway.chain.suite import PrivateKey, suite_by_name
from gateway.chain.transport.base import Transport
from gateway.chain.transport.http import HttpTransport
from gateway.crypto.keyfiles import load_private_key
from gateway.devnode.errors import DataDirectoryLocked
from gateway.devnode.inprocess import InProcessTransport
from gateway.devnode.node import DevNode, DevnodeConfig
from gateway.devnode.rpc import Dispatcher
from gateway.devnode.server import DevnodeHttpServer
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.deployment import Deployment, DeploymentError
from gateway.settings import Settings

ENDPOINT_FILE = "endpoint.json"
DEFAULT_PROFILE = "default"


class ChainNotReady(Exception):
    """The chain cannot be used yet (no deployment, unreadable key, no endpoint)."""

    code = "chain_not_ready"


@dataclass
class ChainRuntime:
    """The client, the alliance contracts and (embedded) the devnode this process runs."""

    settings: Settings
    client: ChainPort
    node: DevNode | None = None
    server: DevnodeHttpServer | None = None
    _thread: threading.Thread | None = None
    _contracts: dict[str, Contract] = field(default_factory=dict)
    profile: str = DEFAULT_PROFILE

    @property
    def embedded(self) -> bool:
        return self.profile == DEFAULT_PROFILE and not self.settings.chain.rpc_url

    @property
    def vendor(self) -> str:
        return self.client.vendor

    @property
    def deployment_path(self) -> Path:
        return deployment_path(self.settings, self.profile)

    def deployment(self) -> Deployment:
        path = self.deployment_path
        if not path.exists():
            raise ChainNotReady(
                f"no deployment file at {path}: run `alliance init` (embedded chain) or "
                "`alliance chain deploy`"
            )
        deployment = Deployment.load(path)
        deployment.check_matches(self.client.suite.name, self.client.chain_id, self.client.group_id)
        return deployment

    def contract(self, name: str) -> Contract:
        if name not in self._contracts:
            try:
                address = self.deployment().address(name)
            except DeploymentError as exc:
                raise ChainNotReady(str(exc)) from exc
            artifacts = load_artifacts()
            self._contracts[name] = self.client.contract(artifacts[name], address)
        return self._contracts[name]

    def governance_key(self) -> PrivateKey:
        path = governance_key_path(self.settings, self.profile, self.client.suite.name)
        if not path.exists():
            raise ChainNotReady(f"no governance key at {path}: run `alliance init`")
        return load_private_key(path)

    def close(self) -> None:
        if self.server is not None:
            (self.settings.data_dir / "chain" / ENDPOINT_FILE).unlink(missing_ok=True)
            self.server.shutdown()
            self.server.server_close()
            if self._thread is not None:
                self._thread.join()
            self.server = None
        if self.node is not None:
            self.node.stop()
            self.node = None


def deployment_path(settings: Settings, profile: str) -> Path:
    """``deployment.json`` for the settings' own chain, ``deployment-<profile>.json`` else."""
    name = "deployment.json" if profile == DEFAULT_PROFILE else f"deployment-{profile}.json"
    return settings.data_dir / name


def governance_key_path(settings: Settings, profile: str, suite: str) -> Path:
    """The gateway's SM2 key, or for another profile's ECDSA chain its own secp256k1 key."""
    if profile == DEFAULT_PROFILE or suite == "sm":
        return settings.keys_dir / "gateway-sm2.pem"
    return settings.keys_dir / f"chain-{profile}-secp256k1.pem"


def open_profile(settings: Settings, profile: str) -> ChainRuntime:
    """The runtime of chain profile ``profile`` (``default`` is the ``[chain]`` settings)."""
    if profile == DEFAULT_PROFILE:
        return open_chain(settings)
    try:
        conf = settings.chain_profiles[profile]
    except KeyError as exc:
        raise ChainNotReady(f"no chain profile {profile!r} in the settings") from exc
    client: ChainPort
    if conf.vendor == EVM:
        from gateway.evm.client import LEGACY, EvmClient

        client = EvmClient(
            conf.rpc_url,
            conf.chain_id,
            timeout=conf.timeout,
            transaction_type=LEGACY if conf.transaction_type == "legacy" else "eip1559",
            gas_price=None if conf.gas_price < 0 else conf.gas_price,
            receipt_timeout=max(conf.timeout * 3, 10.0),
        )
    else:
        client = ChainClient(
            HttpTransport(conf.rpc_url, timeout=conf.timeout),
            suite_by_name(conf.suite),
            conf.group_id,
            conf.chain_id,
            fisco_version=conf.version,
            receipt_timeout=max(conf.timeout * 3, 10.0),
        )
    return ChainRuntime(settings, client, profile=profile)


def _client(settings: Settings, transport: Transport) -> ChainClient:
    chain = settings.chain
    return ChainClient(
        transport,
        suite_by_name(chain.suite),
        chain.group_id,
        chain.chain_id,
        fisco_version=chain.version,
        poll_interval=0.05 if not chain.rpc_url else 0.5,
        receipt_timeout=max(chain.timeout * 3, 10.0),
    )


def open_chain(settings: Settings) -> ChainRuntime:
    chain = settings.chain
    if chain.rpc_url:
        return ChainRuntime(
            settings, _client(settings, HttpTransport(chain.rpc_url, timeout=chain.timeout))
        )
    directory = settings.data_dir / "chain"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = DevnodeConfig(
        suite=chain.suite,
        chain_id=chain.chain_id,
        group_id=chain.group_id,
        block_interval=chain.devnode_block_interval,
    )
    node = DevNode(directory, config)
    try:
        node.start(seal=True)
    except DataDirectoryLocked as exc:
        return _attach_to_owner(settings, directory, exc)
    dispatcher = Dispatcher(node)
    server = DevnodeHttpServer("127.0.0.1", 0, dispatcher)
    thread = server.serve_in_thread()
    (directory / ENDPOINT_FILE).write_text(json.dumps({"url": server.url}))
    runtime = ChainRuntime(
        settings, _client(settings, InProcessTransport(dispatcher)), node=node, server=server
    )
    runtime._thread = thread
    return runtime


def _attach_to_owner(settings: Settings, directory: Path, locked: Exception) -> ChainRuntime:
    try:
        url = json.loads((directory / ENDPOINT_FILE).read_text())["url"]
    except (OSError, ValueError, KeyError) as exc:
        raise ChainNotReady(
            f"the embedded chain in {directory} is held by another process "
            "that publishes no endpoint"
        ) from exc
    return ChainRuntime(
        settings, _client(settings, HttpTransport(url, timeout=settings.chain.timeout))
    )
