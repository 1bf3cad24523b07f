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


class ChainNotReady(Exception):
    """The chain cannot be used yet (no deployment, unreadable key, no endpoint)."""

    code = "chain_not_ready"


@dataclass
class ChainRuntime:
    """The client, the alliance contracts and (embedded) the devnode this process runs."""

    settings: Settings
    client: ChainClient
    node: DevNode | None = None
    server: DevnodeHttpServer | None = None
    _thread: threading.Thread | None = None
    _contracts: dict[str, Contract] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return not self.settings.chain.rpc_url

    @property
    def deployment_path(self) -> Path:
        return self.settings.data_dir / "deployment.json"

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
        path = self.settings.keys_dir / "gateway-sm2.pem"
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
