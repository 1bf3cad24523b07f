"""The credentials file a department receives: ``<data_dir>/credentials/<CODE>.json``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from gateway.members.model import Member
from gateway.members.ports import IssuedCredentials


def write_credentials(
    directory: Path,
    member: Member,
    credentials: IssuedCredentials,
    *,
    token_url: str,
    key_file: str | None,
) -> Path:
    """Write the file with mode 0600 from the start (it holds the client secret)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{member.code}.json"
    body = {
        "member": member.code,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "token_url": token_url,
        "scopes": list(credentials.scopes),
        "key_file": key_file,
        "public_key": member.public_key,
        "account": member.account,
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode())
    finally:
        os.close(descriptor)
    return path
