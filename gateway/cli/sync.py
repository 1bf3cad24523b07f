"""``alliance sync``: this gateway's place in a multi-level alliance (docs/federation.md).

Joining takes two files carried between the operators of the two levels: the child's signed
identity (``alliance sync identity``) and the parent's signed link (``alliance sync children
add``), which the child keeps (``alliance sync join``). From then on the ``federation`` job
(or ``alliance sync run``) pulls the catalogue and pushes checkpoints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gateway.cli.context import CommandFailed, command_container, echo_json


def _read(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read {what} {path}: {exc}") from exc


def _write(document: dict[str, Any], out: str | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8")
    click.echo(json.dumps({"written": out}))


@click.group()
def sync() -> None:
    """Multi-level alliance (国家-省-市-区县): parent, children, catalogue and checkpoints."""


@sync.command("identity")
@click.option("--name", default=None, help="The node's name (default: federation.name).")
@click.option("--url", default=None, help="Where the parent reaches this gateway (public URL).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout).")
@click.pass_context
def identity(ctx: click.Context, name: str | None, url: str | None, out: str | None) -> None:
    """This node's identity, signed with its gateway key, for its parent's operator."""
    from gateway.federation.identity import Identity

    with command_container(ctx) as container:
        node = container.federation.require_node()
        settings = container.settings
        document = Identity.sign(
            node,
            name or settings.federation.name,
            (url or settings.base_url).rstrip("/"),
            container.gateway_key(),
        )
    _write(document, out)


@sync.group("children")
def children() -> None:
    """Child gateways registered here (as a parent)."""


@children.command("add")
@click.argument("identity_file", metavar="IDENTITY.json")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the link to FILE.")
@click.pass_context
def add_child(ctx: click.Context, identity_file: str, out: str | None) -> None:
    """Register the child that signed IDENTITY.json: a member on MemberRegistry with its key,
    an OAuth client for its key; prints (or writes) the signed link it joins with."""
    document = _read(identity_file, "identity")
    with command_container(ctx) as container:
        container.federation.require_node()
        link = container.federation.registry.register(document, actor="cli")
    _write(link, out)


@children.command("list")
@click.pass_context
def list_children(ctx: click.Context) -> None:
    """The child gateways registered here."""
    with command_container(ctx) as container:
        echo_json(
            [
                {
                    "node": row.node,
                    "name": row.name,
                    "url": row.url,
                    "client_id": row.client_id,
                    "registered_at": row.registered_at,
                    "catalog_pulled_at": row.catalog_pulled_at,
                    "last_seen_at": row.last_seen_at,
                }
                for row in container.federation.registry.children()
            ]
        )


@sync.command("join")
@click.argument("link_file", metavar="LINK.json")
@click.pass_context
def join(ctx: click.Context, link_file: str) -> None:
    """Keep the parent's LINK.json and register the parent as this alliance's provider of the
    mirrored entries. Compare the printed key_id with the parent's operator."""
    document = _read(link_file, "link")
    with command_container(ctx) as container:
        container.federation.require_node()
        echo_json(container.federation.join.join(document, actor="cli"))


@sync.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """One sync with the parent now: catalogue and grants down, checkpoint up. Exit 1 if a
    step failed."""
    with command_container(ctx) as container:
        container.federation.require_node()
        report = container.federation.sync.run_once()
    echo_json(report.to_dict())
    if not report.joined:
        raise CommandFailed("federation_not_configured: this gateway has not joined a parent")
    if report.errors:
        raise CommandFailed("; ".join(f"{e['step']}: {e['code']}" for e in report.errors))


@sync.command("status")
@click.option("--fail-on-alert", is_flag=True, help="Exit 1 when any link lags or was refused.")
@click.pass_context
def status(ctx: click.Context, fail_on_alert: bool) -> None:
    """The parent link and each child (and relayed descendant) with its lag."""
    with command_container(ctx) as container:
        container.federation.require_node()
        report = container.federation.status.report()
    echo_json(report)
    if fail_on_alert and report["alerts"]:
        raise CommandFailed("; ".join(report["alerts"]))


@sync.command("checkpoints")
@click.option("--node", default=None, help="Only this child or descendant.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.pass_context
def checkpoints(ctx: click.Context, node: str | None, limit: int) -> None:
    """Checkpoints of children and descendants anchored here, newest first."""
    from gateway.federation.queries import anchored_checkpoints

    with command_container(ctx) as container:
        items = anchored_checkpoints(container.engine, node, limit)
    for item in items:
        item.pop("document")
    echo_json(items)


@sync.command("proof")
@click.argument("request_id")
@click.option("--tree-size", type=click.IntRange(1, 2**53 - 1), default=None)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout).")
@click.pass_context
def proof(ctx: click.Context, request_id: str, tree_size: int | None, out: str | None) -> None:
    """REQUEST_ID of this gateway proved through a checkpoint its parent accepted, for
    `alliance sync verify` at a level above."""
    with command_container(ctx) as container:
        bundle = container.federation.record_proof(request_id, tree_size)
    _write(bundle, out)


@sync.command("verify")
@click.argument("proof_file", metavar="PROOF.json")
@click.option("--rpc", help="JSON-RPC URL of the chain to check on (default: this gateway's).")
@click.option("--contract", help="FederationLedger address there (default: this deployment's).")
@click.option("--suite", type=click.Choice(["sm", "ecdsa"]), default="sm", show_default=True)
@click.pass_context
def verify(
    ctx: click.Context, proof_file: str, rpc: str | None, contract: str | None, suite: str
) -> None:
    """Check a descendant's record (PROOF.json from `alliance sync proof` or the proof API)
    through its checkpoint anchored on this level's chain. Exit 1 naming the first failure."""
    from gateway.cli.sync_verify import verify_bundle

    bundle = _read(proof_file, "proof")
    report = verify_bundle(ctx, bundle, rpc, contract, suite)
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    if not report.ok:
        failure = report.first_failure
        raise CommandFailed(f"{failure.name}: {failure.detail}" if failure else "failed")
