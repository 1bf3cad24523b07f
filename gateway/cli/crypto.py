"""``alliance crypto``: which cryptographic implementations this machine uses."""

from __future__ import annotations

import json

import click


@click.group(name="crypto")
def crypto() -> None:
    """Cryptography backends and self-tests."""


@crypto.command("info")
def info() -> None:
    """Print the SM2 sign/verify backends chosen here (after their self-tests) and versions."""
    from gateway.crypto.backend import describe

    click.echo(json.dumps(describe(), ensure_ascii=False, indent=2))
