"""Running provider simulators on real HTTP ports, in threads of the current process.

Used by ``alliance provider-sim``, by the tests and by the gateway's embedded default. Each
simulator gets werkzeug's threaded WSGI server (one thread per connection) on its own port.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from gateway.catalog.model import EntrySpec
from gateway.catalog.seed import load_catalog_seed
from gateway.crypto.errors import CryptoError
from gateway.crypto.keyfiles import load_private_key
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.members.seed import load_seed
from gateway.providers.dataset import DEFAULT_SEED, build_dataset
from gateway.providers.simulator import ProviderSimulator
from gateway.settings import conf_dir

DEFAULT_BASE_PORT = 9101


class SimulatorError(Exception):
    """A simulator cannot start: unknown member, missing or unusable key, port taken."""

    code = "simulator_error"


class _QuietHandler(WSGIRequestHandler):
    """The simulator logs one JSON line per request itself; werkzeug's access log is off."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def catalogue_entries(catalog_path: Path | None = None) -> list[EntrySpec]:
    return load_catalog_seed(catalog_path or conf_dir() / "catalog.toml")


def provider_members(entries: Sequence[EntrySpec]) -> list[str]:
    """Members providing at least one entry, in ``conf/members.toml`` order (those with an
    endpoint first), then any member the member file does not list."""
    providing = {entry.provider for entry in entries}
    profiles = load_seed(conf_dir() / "members.toml")
    ordered = [p.code for p in profiles if p.endpoint] + [
        p.code for p in profiles if not p.endpoint
    ]
    ordered += sorted(providing - set(ordered))
    return [code for code in ordered if code in providing]


def default_ports(members: Sequence[str], base_port: int | None = None) -> dict[str, int]:
    """Ports for ``members``: with ``base_port``, consecutive from it in the given order;
    otherwise each member's configured endpoint port, and the next free ones after the
    highest configured port for members without an endpoint (GAO → 9112)."""
    if base_port is not None:
        return {member: base_port + index for index, member in enumerate(members)}
    configured: dict[str, int] = {}
    for profile in load_seed(conf_dir() / "members.toml"):
        if profile.endpoint:
            port = urlsplit(profile.endpoint).port
            if port:
                configured[profile.code] = port
    ports: dict[str, int] = {}
    next_port = max([DEFAULT_BASE_PORT - 1, *configured.values()]) + 1
    for member in members:
        if member in configured:
            ports[member] = configured[member]
        else:
            ports[member] = next_port
            next_port += 1
    return ports


def key_path(key_dir: Path, member: str) -> Path:
    """Where ``alliance init`` leaves a member's key: ``<data_dir>/credentials/<CODE>-sm2.pem``."""
    return key_dir / f"{member}-sm2.pem"


def load_member_key(path: Path) -> Sm2PrivateKey:
    try:
        key = load_private_key(path)
    except CryptoError as exc:
        raise SimulatorError(f"cannot use key file {path}: {exc}") from exc
    if not isinstance(key, Sm2PrivateKey):
        raise SimulatorError(f"key file {path} does not hold an SM2 key")
    return key


@dataclass
class SimulatorServer:
    """One simulator served on ``host:port`` by a background thread."""

    app: ProviderSimulator
    server: BaseWSGIServer
    thread: threading.Thread = field(init=False)

    @classmethod
    def start(cls, app: ProviderSimulator, host: str, port: int) -> SimulatorServer:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:  # bound here, not by werkzeug, which would print and exit when the port is taken
            listener = socket.create_server((host, port), family=family, backlog=128)
        except OSError as exc:
            raise SimulatorError(
                f"cannot listen on {host}:{port} for {app.member}: {exc.strerror}"
            ) from exc
        with listener:
            server = make_server(
                host,
                port,
                app,
                threaded=True,
                request_handler=_QuietHandler,
                fd=listener.fileno(),
            )
        running = cls(app, server)
        running.thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop to notice
            name=f"provider-sim-{app.member}",
            daemon=True,
        )
        running.thread.start()
        return running

    @property
    def url(self) -> str:
        host = self.server.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.server.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def build_simulator(
    member: str,
    key: Sm2PrivateKey,
    *,
    seed: int = DEFAULT_SEED,
    gateway_public_key: Sm2PublicKey | None = None,
    entries: Sequence[EntrySpec] | None = None,
) -> ProviderSimulator:
    entries = list(entries) if entries is not None else catalogue_entries()
    if not any(entry.provider == member for entry in entries):
        raise SimulatorError(f"member {member} provides no catalogue entry")
    return ProviderSimulator(
        member, entries, build_dataset(seed), key, gateway_key=gateway_public_key
    )


@contextmanager
def running_simulators(
    members: list[str] | None,
    key_dir: Path,
    seed: int = DEFAULT_SEED,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
    *,
    gateway_public_key: Sm2PublicKey | None = None,
    keys: dict[str, Path] | None = None,
    entries: Sequence[EntrySpec] | None = None,
) -> Iterator[dict[str, str]]:
    """Start a simulator per member (all provider members when ``members`` is None) and yield
    ``{member_code: base_url}``; stop them all on exit.

    Keys come from ``keys[member]`` or ``key_dir/<CODE>-sm2.pem``; ports from ``ports``
    (a member missing from it, or ``ports`` None, gets an ephemeral port).
    """
    entries = list(entries) if entries is not None else catalogue_entries()
    members = list(members) if members is not None else provider_members(entries)
    apps = [
        build_simulator(
            member,
            load_member_key((keys or {}).get(member) or key_path(key_dir, member)),
            seed=seed,
            gateway_public_key=gateway_public_key,
            entries=entries,
        )
        for member in members
    ]
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for app in apps:
            server = SimulatorServer.start(app, host, (ports or {}).get(app.member, 0))
            stack.callback(server.stop)
            urls[app.member] = server.url
        yield urls
