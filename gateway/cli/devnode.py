"""``alliance devnode`` commands."""

from __future__ import annotations

import click


@click.group(name="devnode")
def devnode() -> None:
    """(being built)"""
