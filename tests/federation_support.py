"""Levels of a multi-level alliance for tests: gateways on real loopback HTTP servers.

Each level is a private copy of the seeded alliance (its own database, chain and keys) with
its own gateway key, ``federation.node`` and public URL, served by a werkzeug server in a
thread; the top level also runs the provider simulators. Linking a child to its parent goes
through the real documents (identity, link) exactly as the CLI does.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from gateway import create_app
from gateway.catalog.actors import OFFICE_CLI
from gateway.federation.identity import Identity
from gateway.providers.runner import running_simulators
from gateway.settings import Settings, load_settings
from tests.alliance_support import point_members_at
from tests.conftest import FAST_CHAIN, initialise_alliance

TITLE_MATTER = "000163002000"  # 契税申报: the tax bureau's title inquiry of the samples
TITLE_FIELDS = ["certificate_number", "location", "area", "mortgage_status", "owner_name"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A werkzeug server for ``app`` on a fixed loopback port that can be stopped and started
    again (the parent going away and coming back)."""

    def __init__(self, app: Flask, port: int) -> None:
        self.app = app
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None


@dataclass
class Level:
    """One gateway of the hierarchy, served on ``url``."""

    node: str
    app: Flask
    url: str
    settings: Settings
    server: Server

    @property
    def container(self) -> Any:
        return self.app.extensions["alliance"]

    @property
    def federation(self) -> Any:
        return self.container.federation

    def credentials(self, code: str) -> dict[str, Any]:
        path = self.settings.data_dir / "credentials" / f"{code}.json"
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def token(self, code: str) -> str:
        cred = self.credentials(code)
        basic = base64.b64encode(f"{cred['client_id']}:{cred['client_secret']}".encode()).decode()
        client = self.app.test_client()
        answer = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return str(answer.get_json()["access_token"])

    def query(self, consumer: str, entry_id: str, body: dict[str, Any]) -> Any:
        return self.app.test_client().post(
            f"/api/v1/query/{entry_id}",
            json=body,
            headers={"Authorization": f"Bearer {self.token(consumer)}"},
        )

    def grant(
        self, consumer: str, entry_id: str, fields: list[str], days: int = 30, matter: str = ""
    ) -> Any:
        """Apply and approve (as the office) a grant of ``entry_id`` to ``consumer``."""
        grants = self.container.grants
        applied = grants.apply(
            entry_id,
            consumer,
            matter or TITLE_MATTER,
            "不动产转移登记",
            fields,
            datetime.now(UTC) + timedelta(days=days),
            OFFICE_CLI,
        )
        return grants.approve(applied.id, None, None, OFFICE_CLI)

    def anchor(self) -> int:
        return int(self.container.anchorer.run_once().records)

    def verify(self, receipt: dict[str, Any], response: dict[str, Any] | None = None) -> Any:
        """This level's evidence of ``receipt``: signature, response digest, inclusion proof and
        the batch on this level's EvidenceLedger, as ``alliance evidence verify --rpc`` does."""
        from gateway.evidence.ledger import ChainEvidenceLedger, EvidenceLedgerRefused
        from gateway.evidence.verify import AnchoredBatch, verify_evidence
        from gateway.onchain.bound import BoundContract

        proof = self.container.evidence.evidence(receipt["request_id"])["proof"]
        assert proof is not None, f"{receipt['request_id']} is not anchored at {self.node}"
        ledger = ChainEvidenceLedger(
            BoundContract(lambda: self.container.chain, "EvidenceLedger", EvidenceLedgerRefused)
        )
        found = ledger.batch_by_root(proof["root"])
        anchored = None
        if found is not None:
            count, first, _last = found
            anchored = AnchoredBatch(bytes.fromhex(proof["root"][2:]), count, first)
        return verify_evidence(
            receipt,
            gateway_public_key=self.container.gateway_key().public_key,
            response=response,
            proof=proof,
            anchored_root=anchored or AnchoredBatch(b"\0" * 32),
        )

    def sync(self) -> Any:
        return self.federation.sync.run_once()


NODES = (("R320000", "江苏省"), ("R320100", "南京市"), ("R320102", "玄武区"))
"""Province, city, county: administrative division codes (GB/T 2260) as node codes."""


def initialise_templates(root: Path) -> dict[str, Path]:
    """One seeded alliance per level (its own keys, chain and members), built once."""
    return {node: initialise_alliance(root / node / "var") for node, _name in NODES}


def level_environ(data_dir: Path, node: str, name: str, port: int) -> dict[str, str]:
    environ = {
        "ALLIANCE_DATA_DIR": str(data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_FEDERATION_NODE": node,
        "ALLIANCE_FEDERATION_NAME": name,
        "ALLIANCE_FEDERATION_TIMEOUT": "10",
        "ALLIANCE_HTTP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ALLIANCE_OAUTH_TOKEN_RATE_LIMIT": "10000/minute",
        "ALLIANCE_OAUTH_API_RATE_LIMIT": "100000/minute",
    }
    environ.update({f"ALLIANCE_{k.upper()}": v for k, v in FAST_CHAIN.items()})
    return environ


def level_settings(template: Path, root: Path, node: str, name: str, port: int) -> Settings:
    """A private copy of ``node``'s seeded alliance, served at ``port``."""
    data_dir = root / node / "var"
    shutil.copytree(template, data_dir)
    (data_dir / "chain" / "endpoint.json").unlink(missing_ok=True)
    return load_settings(environ=level_environ(data_dir, node, name, port))


@contextmanager
def serving(settings: Settings, port: int, node: str) -> Iterator[Level]:
    app = create_app(settings)
    server = Server(app, port)
    server.start()
    try:
        yield Level(node, app, f"http://127.0.0.1:{port}", settings, server)
    finally:
        server.stop()
        app.extensions["alliance"].close()


def link(parent: Level, child: Level) -> dict[str, Any]:
    """Register ``child`` at ``parent`` and join it, through the signed documents."""
    identity = Identity.sign(
        child.node, child.settings.federation.name, child.url, child.container.gateway_key()
    )
    document = parent.federation.registry.register(identity, actor="test")
    return dict(child.federation.join.join(document, actor="test"))


@contextmanager
def hierarchy(
    templates: dict[str, Path], root: Path, depth: int = 3, linked: bool = True
) -> Iterator[list[Level]]:
    """The first ``depth`` levels of :data:`NODES`, top first, each the child of the one
    before (unless not ``linked``); the provider simulators answer for the top."""
    with ExitStack() as stack:
        levels: list[Level] = []
        for node, name in NODES[:depth]:
            port = free_port()
            settings = level_settings(templates[node], root, node, name, port)
            levels.append(stack.enter_context(serving(settings, port, node)))
        top = levels[0]
        urls = stack.enter_context(
            running_simulators(
                None,
                top.settings.data_dir / "credentials",
                gateway_public_key=top.container.gateway_key().public_key,
            )
        )
        point_members_at(top.container, urls)
        for parent, child in itertools.pairwise(levels if linked else []):
            link(parent, child)
        yield levels
