"""The key that signs the console's cookies and CSRF tokens, the same on every replica.

By default the key lives in the shared database (``shared_secrets``, created by the first
replica to need it), so replicas behind a load balancer accept each other's cookies and CSRF
tokens. ``console.secret_key_file`` names a file instead (created with mode 0600 if missing);
then every replica must be given the same file.

The key is read on the first request that opens a session, not when the app is built, so a
replica starts even while the database is down; until the key can be read, sessions are
unavailable (the console answers 503) and the API, which uses none, is unaffected.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.settings import Settings, SettingsError
from gateway.storage.secrets import shared_secret

log = logging.getLogger(__name__)

SHARED_SECRET_NAME = "console-session"  # noqa: S105 - a row name, not a secret


def _read_or_create_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first
        else:
            try:
                os.write(descriptor, secrets.token_hex(32).encode() + b"\n")
            finally:
                os.close(descriptor)
    key = path.read_text().strip()
    if len(key) < 32:
        raise SettingsError(
            f"invalid setting console.secret_key_file: {path} holds fewer than 32 characters"
        )
    return key.encode()


def secret_loader(settings: Settings, engine: Engine) -> Callable[[], bytes]:
    """``() -> key``: the configured file's key, else the one shared in the database."""
    configured = settings.console.secret_key_file
    if configured:
        return lambda: _read_or_create_file(Path(configured))
    return lambda: shared_secret(engine, SHARED_SECRET_NAME, lambda: secrets.token_hex(32)).encode()


class SharedKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing key loaded on first use."""

    def __init__(self, load: Callable[[], bytes]) -> None:
        self._load = load
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            with self._lock:
                if not app.secret_key:
                    try:
                        app.secret_key = self._load()
                    except SQLAlchemyError as exc:
                        log.warning("console session key unavailable: %s", type(exc).__name__)
                        return None
        return super().get_signing_serializer(app)
