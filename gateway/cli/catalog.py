"""``alliance catalog`` and ``alliance grants``: the catalogue and its grants from the shell.

The commands act with the office's authority (the operator runs them on the gateway host);
``--as MEMBER`` records which department asked for the change.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from gateway.catalog.actors import Actor
from gateway.catalog.model import Entry, EntryStatus, Grant, GrantStatus, SharingClass
from gateway.catalog.ports import EntryQuery, GrantQuery
from gateway.cli.context import CommandFailed, command_container, echo_json


def _actor(member: str | None) -> Actor:
    return Actor(member=member or "GAO", is_office=True, label=f"cli/{member or 'GAO'}")


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        **entry.spec.document(),
        "status": entry.status.value,
        "version": entry.version,
        "version_hash": entry.version_hash,
        "previous_hash": entry.previous_hash,
        "versions": [vars(v) for v in entry.versions],
    }


def _grant_json(grant: Grant) -> dict[str, Any]:
    return {**vars(grant), "status": grant.status.value}


def _read_document(path: str) -> dict[str, Any]:
    file = Path(path)
    try:
        raw = file.read_bytes()
        data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"cannot read {path}: {exc}") from exc
    if isinstance(data, dict) and "entry" in data and isinstance(data["entry"], list):
        data = data["entry"][0]
    if not isinstance(data, dict):
        raise CommandFailed(f"{path} does not hold an entry definition")
    return data


@click.group()
def catalog() -> None:
    """The shared data catalogue (数据资源目录)."""


@catalog.command("list")
@click.option("-q", "--query", "text", default=None, help="Search text (Chinese or English).")
@click.option("--provider", default=None)
@click.option("--sharing-class", type=click.Choice([s.value for s in SharingClass]))
@click.option("--status", type=click.Choice([s.value for s in EntryStatus]))
@click.pass_context
def list_entries(
    ctx: click.Context,
    text: str | None,
    provider: str | None,
    sharing_class: str | None,
    status: str | None,
) -> None:
    """List entries (id, provider, name, sharing class, status, version)."""
    with command_container(ctx) as container:
        entries = container.catalog.find(
            EntryQuery(
                text=text,
                provider=provider,
                sharing_class=SharingClass(sharing_class) if sharing_class else None,
                status=EntryStatus(status) if status else None,
                limit=100_000,
            )
        )
        echo_json(
            [
                {
                    "id": e.id,
                    "provider": e.spec.provider,
                    "name": e.spec.name,
                    "sharing_class": e.spec.sharing_class.value,
                    "status": e.status.value,
                    "version": e.version,
                }
                for e in entries
            ]
        )


@catalog.command("show")
@click.argument("entry_id")
@click.pass_context
def show(ctx: click.Context, entry_id: str) -> None:
    """One entry with every version."""
    with command_container(ctx) as container:
        echo_json(_entry_json(container.catalog.get(entry_id)))


@catalog.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "member", default=None, help="The provider asking (default: the office).")
@click.pass_context
def publish(ctx: click.Context, file: str, member: str | None) -> None:
    """Publish the entry defined in FILE (JSON or TOML) on DataCatalog."""
    with command_container(ctx) as container:
        echo_json(_entry_json(container.catalog.publish(_read_document(file), _actor(member))))


@catalog.command("revise")
@click.argument("entry_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--if-match", default=None, help="Refuse unless the entry is at this version hash.")
@click.option("--as", "member", default=None)
@click.pass_context
def revise(
    ctx: click.Context, entry_id: str, file: str, if_match: str | None, member: str | None
) -> None:
    """Publish FILE as the next version of ENTRY_ID (hash-linked to the current one)."""
    with command_container(ctx) as container:
        entry = container.catalog.revise(entry_id, _read_document(file), _actor(member), if_match)
        echo_json(_entry_json(entry))


@catalog.command("retire")
@click.argument("entry_id")
@click.option("--reason", required=True)
@click.option("--as", "member", default=None)
@click.pass_context
def retire(ctx: click.Context, entry_id: str, reason: str, member: str | None) -> None:
    """Retire ENTRY_ID (final)."""
    with command_container(ctx) as container:
        echo_json(_entry_json(container.catalog.retire(entry_id, reason, _actor(member))))


@catalog.command("sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Reconcile the catalogue index with DataCatalog on chain."""
    with command_container(ctx) as container:
        echo_json(vars(container.catalog.sync()))


@click.group()
def grants() -> None:
    """Access applications and grants."""


@grants.command("list")
@click.option("--consumer", default=None)
@click.option("--provider", default=None)
@click.option("--entry", "entry_id", default=None)
@click.option("--status", type=click.Choice([s.value for s in GrantStatus]))
@click.pass_context
def list_grants(
    ctx: click.Context,
    consumer: str | None,
    provider: str | None,
    entry_id: str | None,
    status: str | None,
) -> None:
    """List grants."""
    with command_container(ctx) as container:
        query = GrantQuery(
            consumer=consumer,
            provider=provider,
            entry_id=entry_id,
            status=GrantStatus(status) if status else None,
            limit=100_000,
        )
        echo_json([_grant_json(g) for g in container.grants.find(query, _actor(None))])


@grants.command("apply")
@click.option("--consumer", required=True)
@click.option("--entry", "entry_id", required=True)
@click.option("--matter", "matter_code", required=True, help="事项编码")
@click.option("--purpose", required=True)
@click.option("--field", "fields", multiple=True, required=True)
@click.option("--days", type=click.IntRange(1, 1000), default=365, show_default=True)
@click.pass_context
def apply(
    ctx: click.Context,
    consumer: str,
    entry_id: str,
    matter_code: str,
    purpose: str,
    fields: tuple[str, ...],
    days: int,
) -> None:
    """Apply on behalf of CONSUMER for ENTRY for one administrative matter."""
    with command_container(ctx) as container:
        grant = container.grants.apply(
            entry_id,
            consumer,
            matter_code,
            purpose,
            list(fields),
            datetime.now(UTC) + timedelta(days=days),
            _actor(consumer),
        )
        echo_json(_grant_json(grant))


@grants.command("approve")
@click.argument("grant_id")
@click.option("--field", "fields", multiple=True, help="Allowed fields (default: all requested).")
@click.option("--days", type=click.IntRange(1, 1000), default=None)
@click.pass_context
def approve(ctx: click.Context, grant_id: str, fields: tuple[str, ...], days: int | None) -> None:
    """Approve GRANT_ID."""
    with command_container(ctx) as container:
        expiry = datetime.now(UTC) + timedelta(days=days) if days else None
        echo_json(
            _grant_json(
                container.grants.approve(grant_id, list(fields) or None, expiry, _actor(None))
            )
        )


@grants.command("reject")
@click.argument("grant_id")
@click.option("--reason", required=True)
@click.pass_context
def reject(ctx: click.Context, grant_id: str, reason: str) -> None:
    """Reject GRANT_ID."""
    with command_container(ctx) as container:
        echo_json(_grant_json(container.grants.reject(grant_id, reason, _actor(None))))


@grants.command("revoke")
@click.argument("grant_id")
@click.option("--reason", required=True)
@click.pass_context
def revoke(ctx: click.Context, grant_id: str, reason: str) -> None:
    """Revoke an approved GRANT_ID."""
    with command_container(ctx) as container:
        echo_json(_grant_json(container.grants.revoke(grant_id, reason, _actor(None))))
