"""``alliance keys`` commands."""

from __future__ import annotations

import click


@click.group(name="keys")
def keys() -> None:
    """(being built)"""
