"""``alliance keys``: generate, inspect and import account keys (SM2 or secp256k1).

Key files are PKCS#8 PEM (OpenSSL 3 / FISCO console form), mode 0600, optionally encrypted
with a passphrase read from an environment variable (never from the command line, where other
users could see it in the process list). Output is JSON on stdout; errors are one line on
stderr with a non-zero exit code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from gateway.cli.context import echo_json
from gateway.crypto.errors import CryptoError
from gateway.crypto.keyfiles import (
    fisco_pem_filename,
    load_private_key,
    write_private_key,
)
from gateway.crypto.keypair import SUITES, KeyPair
from gateway.crypto.signing import PrivateKey


class KeyProblem(click.ClickException):
    """A key file could not be read, written or decrypted (exit code 4)."""

    exit_code = 4


class SecretMissing(click.ClickException):
    """A named environment variable holds no secret (exit code 2, like a usage error)."""

    exit_code = 2


def _secret_from_env(variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise SecretMissing(f"environment variable {variable} is not set or empty")
    return value.encode("utf-8")


def _target(out: Path, key: PrivateKey) -> Path:
    """``--out`` may be a directory: the file is then named ``0x<address>.pem`` as FISCO's
    console names accounts."""
    return out / fisco_pem_filename(key) if out.is_dir() else out


def _write(out: Path, key: PrivateKey, passphrase: bytes | None) -> dict[str, Any]:
    try:
        path = write_private_key(_target(out, key), key, passphrase)
    except CryptoError as exc:
        raise KeyProblem(f"{exc.code}: {exc}") from exc
    return {**KeyPair(key).describe(), "file": str(path), "encrypted": passphrase is not None}


passphrase_env_option = click.option(
    "--passphrase-env",
    metavar="VAR",
    help="Environment variable holding the key file's passphrase.",
)


@click.group(name="keys")
def keys() -> None:
    """Generate, inspect and import account keys."""


@keys.command("generate")
@click.option(
    "--suite",
    type=click.Choice(SUITES),
    default="sm",
    show_default=True,
    help="sm: SM2/SM3 (guomi chains); ecdsa: secp256k1/Keccak-256.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Key file to create (mode 0600), or a directory for 0x<address>.pem.",
)
@passphrase_env_option
def generate(suite: str, out: Path, passphrase_env: str | None) -> None:
    """Create a new key from the OS CSPRNG and write it as PKCS#8 PEM."""
    passphrase = _secret_from_env(passphrase_env)
    pair = KeyPair.generate("sm" if suite == "sm" else "ecdsa")
    echo_json(_write(out, pair.private_key, passphrase))


@keys.command("show")
@click.argument("file", type=click.Path(path_type=Path))
@passphrase_env_option
def show(file: Path, passphrase_env: str | None) -> None:
    """Print the suite, public key (128 hex digits) and address of a key file."""
    passphrase = _secret_from_env(passphrase_env)
    try:
        key = load_private_key(file, passphrase)
    except CryptoError as exc:
        raise KeyProblem(f"{exc.code}: {exc}") from exc
    echo_json({**KeyPair(key).describe(), "file": str(file)})


@keys.command("import-fisco")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--password", help="Password of the account file (gm_account.json, .keystore, PEM).")
@click.option("--password-env", metavar="VAR", help="Environment variable holding --password.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Key file to create (mode 0600), or a directory for 0x<address>.pem.",
)
@passphrase_env_option
def import_fisco(
    file: Path,
    password: str | None,
    password_env: str | None,
    out: Path,
    passphrase_env: str | None,
) -> None:
    """Import a FISCO account: python-sdk gm_account.json (SM2) or .keystore (ECDSA), or a
    console 0x<address>.pem (plain or encrypted)."""
    secret = _secret_from_env(password_env) if password_env else None
    if secret is None and password is not None:
        secret = password.encode("utf-8")
    passphrase = _secret_from_env(passphrase_env)
    try:
        key = load_private_key(file, secret)
    except CryptoError as exc:
        raise KeyProblem(f"{exc.code}: {exc}") from exc
    echo_json({**_write(out, key, passphrase), "imported_from": str(file)})
