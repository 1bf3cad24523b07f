from __future__ import annotations

import socket
from collections.abc import Callable

from flask.testing import FlaskClient

from gateway import create_app
from gateway.settings import Settings


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_reports_each_dependency(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.get_json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["database"]["backend"] == "sqlite"
    assert checks["database"]["revision"] == checks["database"]["head"]
    assert checks["redis"] == {**checks["redis"], "status": "ok", "backend": "embedded"}


def test_readyz_names_an_unmigrated_database(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    app = create_app(settings)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "alliance db upgrade" in response.get_json()["checks"]["database"]["error"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readyz_names_a_redis_that_is_down(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    app = create_app(settings)
    from gateway.instance import initialise

    initialise(app.extensions["alliance"], with_chain=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["redis"]["status"] == "error"
    assert "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["status"] == "ok"
