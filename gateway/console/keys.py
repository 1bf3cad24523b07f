"""The key that signs the console's cookies and CSRF tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gateway.settings import Settings, SettingsError

SECRET_KEY_FILE = "console-secret.key"  # noqa: S105 - a file name, not a secret


def secret_key_path(settings: Settings) -> Path:
    configured = settings.console.secret_key_file
    return Path(configured) if configured else settings.keys_dir / SECRET_KEY_FILE


def load_or_create_secret(settings: Settings) -> bytes:
    """Read the key file; the embedded default creates it (mode 0600) the first time."""
    path = secret_key_path(settings)
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
