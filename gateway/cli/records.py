"""``alliance records``: read a record and its history, back up and restore every record
as a signed bundle (docs/records.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from gateway.cli.context import CommandFailed, command_container, echo_json


@click.group()
def records() -> None:
    """On-chain records (上链记录): read, history, backup and restore."""


@records.command("get")
@click.argument("key")
@click.pass_context
def get(ctx: click.Context, key: str) -> None:
    """The latest version of KEY with its content, verified against RecordStore."""
    from gateway.records.views import record_view

    with command_container(ctx) as container:
        echo_json(record_view(container.records.get(key)))


@records.command("history")
@click.argument("key")
@click.pass_context
def history(ctx: click.Context, key: str) -> None:
    """Every version of KEY, each with its transaction and verification."""
    from gateway.records.views import record_view

    with command_container(ctx) as container:
        echo_json([record_view(v) for v in container.records.history(key)])


@records.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.json")
@click.pass_context
def backup(ctx: click.Context, out: str) -> None:
    """Write every record and version to a bundle signed with the gateway's SM2 key.

    The bundle holds the content in clear: keep it as safe as the database."""
    from gateway.records.bundle import build_bundle

    with command_container(ctx) as container:
        bundle = build_bundle(container.records, container.gateway_key())
    path = Path(out)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(bundle, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    manifest = bundle["manifest"]
    echo_json(
        {
            "out": str(path),
            "records": manifest["record_count"],
            "versions": manifest["version_count"],
            "signer": manifest["signer"]["key_id"],
            "records_digest": manifest["records_digest"],
        }
    )


@records.command("restore")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--signer",
    help="Refuse a bundle not signed by this gateway address (0x…), e.g. the source's.",
)
@click.pass_context
def restore(ctx: click.Context, bundle_file: str, signer: str | None) -> None:
    """Verify a bundle (signature, every hash) and replay it into this deployment's chain."""
    from dataclasses import asdict

    from gateway.records.bundle import restore_bundle

    try:
        bundle = json.loads(Path(bundle_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"invalid_record_bundle: cannot read {bundle_file}: {exc}") from exc
    with command_container(ctx) as container:
        report = restore_bundle(container.records, bundle, signer)
    echo_json(asdict(report))
    if report.unverified:
        raise CommandFailed(f"records_unverified: {', '.join(report.unverified)}")
