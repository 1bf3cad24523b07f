"""``alliance demo``: material for trying the alliance out, e.g. ``alliance demo samples``."""

from __future__ import annotations

import json

import click

from gateway.providers.dataset import DEFAULT_SEED


@click.group()
def demo() -> None:
    """Demonstration data for the simulated departments."""


@demo.command("samples")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Dataset seed.")
def samples(seed: int) -> None:
    """Print the sample queries (consumer, entry, purpose, params) the simulators answer."""
    from gateway.providers.samples import sample_queries

    click.echo(json.dumps(sample_queries(seed), ensure_ascii=False, indent=2))
