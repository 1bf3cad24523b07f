"""A gateway served by a real HTTP server on a loopback port, for end-to-end tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from gateway import create_app
from gateway.settings import Settings


@dataclass
class LiveGateway:
    """The gateway app served by a real HTTP server on a loopback port."""

    app: Flask
    url: str
    settings: Settings

    def token(self, credentials: dict[str, Any], scope: str | None = None) -> str:
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        response = requests.post(
            self.url + "/oauth/token",
            data=data,
            auth=(credentials["client_id"], credentials["client_secret"]),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get(self, path: str, token: str, **kwargs: Any) -> requests.Response:
        return requests.get(
            self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs
        )

    def post(self, path: str, token: str, body: Any = None) -> requests.Response:
        return requests.post(
            self.url + path,
            json=body if body is not None else {},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )


def serve(settings: Settings) -> Iterator[LiveGateway]:
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveGateway(app, f"http://127.0.0.1:{server.server_port}", settings)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        app.extensions["alliance"].close()
