"""Liveness (``/healthz``) and readiness (``/readyz``) with per-dependency detail."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from gateway.http.readiness import ALERT
from gateway.version import __version__

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is up and serving; says nothing about its dependencies."""
    return jsonify(status="ok", version=__version__)


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Every dependency answers; 503 with the failing ones named otherwise. Alerts (a
    reconciliation mismatch) are named under ``alerts`` without making the gateway unready."""
    container = current_app.extensions["alliance"]
    checks = container.readiness.run()
    ready = all(check["status"] in ("ok", ALERT) for check in checks.values())
    body: dict[str, object] = {"status": "ready" if ready else "unavailable", "checks": checks}
    alerts = [name for name, check in checks.items() if check["status"] == ALERT]
    if alerts:
        body["alerts"] = alerts
    return jsonify(body), 200 if ready else 503
