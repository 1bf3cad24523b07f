"""Degraded operation: the chain down (queries go on, anchors catch up) and Redis down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gateway.devnode.node import DevNode, DevnodeConfig
from gateway.devnode.rpc import Dispatcher
from gateway.devnode.server import DevnodeHttpServer
from gateway.errors import ServiceUnavailable
from gateway.settings import Settings
from tests.alliance_support import start_alliance


@contextmanager
def devnode_on(directory: Path, port: int) -> Iterator[str]:
    node = DevNode(directory, DevnodeConfig(suite="sm", block_interval=0.02))
    node.start(seal=True)
    server = DevnodeHttpServer("127.0.0.1", port, Dispatcher(node))
    thread = server.serve_in_thread()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        node.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_chain_down_queries_continue_and_anchors_catch_up(seeded_settings: Settings) -> None:
    port = _free_port()
    chain_dir = seeded_settings.data_dir / "chain"
    settings = seeded_settings.model_copy(
        update={
            "chain": seeded_settings.chain.model_copy(
                update={"rpc_url": f"http://127.0.0.1:{port}", "timeout": 2.0}
            )
        }
    )
    alliance_context = start_alliance(settings)
    with devnode_on(chain_dir, port):
        alliance = next(alliance_context)
        sample = alliance.sample("NRD-TITLE", consumer="TAX")
        token = alliance.token("TAX")
        body = {"purpose": sample["purpose"], "params": sample["params"]}
        assert alliance.query(token, "NRD-TITLE", body).status_code == 200
        assert alliance.container.anchorer.run_once().records == 1
    # the chain is down now
    answers = [alliance.query(token, "NRD-TITLE", body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    with pytest.raises(ServiceUnavailable):
        alliance.container.anchorer.run_once()
    assert alliance.container.evidence_log.unanchored_count() == 0  # prepared, waiting to be sent
    pending = alliance.client.get(
        f"/api/v1/evidence/{answers[0].get_json()['request_id']}",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert pending["status"] == "pending"
    ready = alliance.client.get("/readyz").get_json()
    assert ready["checks"]["evidence"]["unanchored"] == 0
    assert ready["checks"]["evidence"]["prepared_batches"] == 1
    with devnode_on(chain_dir, port):
        report = alliance.container.anchorer.run_once()
        assert report.resumed == 1
        for answer in answers:
            evidence = alliance.client.get(
                f"/api/v1/evidence/{answer.get_json()['request_id']}",
                headers={"Authorization": f"Bearer {token}"},
            ).get_json()
            assert evidence["status"] == "anchored"
        ledger = alliance.container.chain.contract("EvidenceLedger")
        assert ledger.call("lastSequence") == 4
        assert ledger.call("batchCount") == 2
        next(alliance_context, None)


def test_redis_down_fails_closed_with_503(seeded_settings: Settings) -> None:
    """With a Redis configured and unreachable no token can be checked: every protected call
    is refused with 503 service_unavailable (never let through, never a 500)."""
    settings = seeded_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{_free_port()}/0"}
    )
    alliance_context = start_alliance(settings)
    alliance = next(alliance_context)
    response = alliance.client.get("/api/v1/members", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 503
    assert response.get_json()["code"] == "service_unavailable"
    assert "Redis" in response.get_json()["detail"]
    cred = alliance.credentials("NRD")
    import base64

    basic = base64.b64encode(f"{cred['client_id']}:{cred['client_secret']}".encode()).decode()
    token = alliance.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert token.status_code == 503
    assert token.mimetype == "application/problem+json"
    ready = alliance.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["redis"]["status"] == "error"
    next(alliance_context, None)
