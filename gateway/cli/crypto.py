"""``alliance crypto`` commands."""

from __future__ import annotations

import click


@click.group(name="crypto")
def crypto() -> None:
    """(being built)"""
