"""Production WSGI serving with gunicorn, configured from :class:`Settings` only.

With the embedded defaults, ``alliance serve`` also starts the provider simulators (a child
process, ``alliance provider-sim --all``) and runs the scheduled jobs (anchoring,
reconciliation, sync, retention, tx-retry) inside the worker (``jobs.in_process``).
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from gateway.settings import Settings


class GatewayServer(BaseApplication):
    """gunicorn application whose workers each build the app from the same settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._simulators: subprocess.Popen[bytes] | None = None
        super().__init__()

    def load_config(self) -> None:
        http = self.settings.http
        options: dict[str, Any] = {
            "bind": f"{http.host}:{http.port}",
            "workers": http.workers,
            "threads": http.threads,
            "worker_class": "gthread",
            "timeout": http.timeout,
            "graceful_timeout": 10,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": self.settings.log.level.lower(),
            "proc_name": "alliance-gateway",
            "control_socket_disable": True,
            "worker_exit": _stop_worker_jobs,
            "when_ready": _announce,
        }
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        from gateway.app import build_app

        app = build_app(self.settings)
        if self.settings.jobs.in_process:
            from gateway.bootstrap.jobs import start_in_process

            app.extensions["alliance_jobs"] = start_in_process(app.extensions["alliance"])
        _WORKER_APPS.append(app)
        return app

    def run(self) -> None:
        if self.settings.providers.simulate:
            self._simulators = subprocess.Popen(
                [sys.executable, "-m", "gateway.cli", "provider-sim", "--all"],
                env=os.environ.copy(),
            )
        try:
            super().run()
        finally:
            if self._simulators is not None:
                self._simulators.terminate()
                self._simulators.wait(timeout=10)


_WORKER_APPS: list[Flask] = []

SERVED_PAGES = (("API", "/api/v1/"), ("API docs", "/api/docs"), ("Console", "/console/"))
"""What ``alliance serve`` announces once it listens: one line each."""


def served_urls(host: str, port: int) -> list[tuple[str, str]]:
    """The URLs of :data:`SERVED_PAGES` on the bound address; a wildcard bind (0.0.0.0, ::)
    is reachable on the loopback address, so that is what is shown."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        shown = host
    else:
        if address.is_unspecified:
            address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
        shown = f"[{address}]" if address.version == 6 else str(address)
    return [(label, f"http://{shown}:{port}{path}") for label, path in SERVED_PAGES]


def _announce(arbiter: Any) -> None:
    """gunicorn's ``when_ready`` hook: the listeners are bound, so the real port is known
    (``--port 0`` picks a free one)."""
    for listener in arbiter.LISTENERS:
        address = listener.sock.getsockname()
        if not isinstance(address, tuple):
            continue
        for label, url in served_urls(address[0], address[1]):
            print(f"{label + ':':<10}{url}", flush=True)


def _stop_worker_jobs(_arbiter: Any, _worker: Any) -> None:
    for app in _WORKER_APPS:
        scheduler = app.extensions.get("alliance_jobs")
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        app.extensions["alliance"].close()
