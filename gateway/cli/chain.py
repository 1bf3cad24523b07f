"""``alliance chain`` commands."""

from __future__ import annotations

import click


@click.group(name="chain")
def chain() -> None:
    """(being built)"""
