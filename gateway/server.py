"""Production WSGI serving with gunicorn, configured from :class:`Settings` only."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from gateway.settings import Settings


class GatewayServer(BaseApplication):
    """gunicorn application whose workers each build the app from the same settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from gateway import create_app

        return create_app(self.settings)
