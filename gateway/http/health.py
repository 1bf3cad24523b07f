"""Liveness (``/healthz``) and readiness (``/readyz``) with per-dependency detail."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from gateway import __version__

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is up and serving; says nothing about its dependencies."""
    return jsonify(status="ok", version=__version__)


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Every dependency answers; 503 with the failing ones named otherwise."""
    container = current_app.extensions["alliance"]
    checks = container.readiness.run()
    ready = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503
