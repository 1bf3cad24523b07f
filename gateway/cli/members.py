"""``alliance members`` and ``alliance clients``: the office's membership administration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from gateway.cli.context import CommandFailed, command_container, echo_json
from gateway.members.model import Member, MemberProfile, MemberStatus, Role
from gateway.members.ports import MemberQuery

ACTOR = "cli"


@click.group()
def members() -> None:
    """Member departments: list, inspect and change their lifecycle on chain."""


@members.command("list")
@click.option("--status", type=click.Choice([s.value for s in MemberStatus]))
@click.option("--role", type=click.Choice(["provider", "consumer", "office", "auditor"]))
@click.pass_context
def list_members(ctx: click.Context, status: str | None, role: str | None) -> None:
    """List members as the index holds them."""
    with command_container(ctx) as container:
        query = MemberQuery(
            status=MemberStatus(status) if status else None,
            role=Role.parse([role]) if role else None,
            limit=10_000,
        )
        echo_json([m.document() for m in container.members.find(query)])


@members.command("show")
@click.argument("code")
@click.pass_context
def show(ctx: click.Context, code: str) -> None:
    """One member with its lifecycle history and its on-chain record."""
    with command_container(ctx) as container:
        service = container.members
        member = service.get(code)
        on_chain = service.ledger.read(code)
        echo_json(
            {
                **member.document(),
                "history": [event.__dict__ for event in service.history(code)],
                "on_chain": None
                if on_chain is None
                else {
                    "status": on_chain.status.value,
                    "account": on_chain.account,
                    "public_key": on_chain.public_key.hex(),
                    "roles": on_chain.roles.names(),
                },
            }
        )


@members.command("apply")
@click.option("--code", required=True)
@click.option("--name-zh", required=True)
@click.option("--name-en", default="")
@click.option("--credit-code", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--contact", default="")
@click.option("--endpoint", default="")
@click.option("--public-key", default=None, help="128 hex digits; omit to generate a key pair")
@click.pass_context
def apply(ctx: click.Context, **options: Any) -> None:
    """Register a department's application on chain."""
    with command_container(ctx) as container:
        profile = MemberProfile(
            code=options["code"],
            name_zh=options["name_zh"],
            name_en=options["name_en"],
            credit_code=options["credit_code"],
            roles=Role.parse(list(options["roles"])),
            contact=options["contact"],
            endpoint=options["endpoint"],
        )
        key = options["public_key"]
        public_key = bytes.fromhex(key.removeprefix("0x")) if key else None
        echo_json(container.members.apply(profile, public_key, ACTOR).document())


@members.command("approve")
@click.argument("code")
@click.option("--reason", default="")
@click.pass_context
def approve(ctx: click.Context, code: str, reason: str) -> None:
    """Admit an applicant and print its credentials (the secret is shown only now)."""
    with command_container(ctx) as container:
        member, credentials = container.members.approve(code, ACTOR, reason)
        echo_json({"member": member.document(), "credentials": credentials.__dict__})


def _transition(name: str, needs_reason: bool) -> click.Command:
    @click.command(name)
    @click.argument("code")
    @click.option("--reason", **({"required": True} if needs_reason else {"default": ""}))
    @click.pass_context
    def command(ctx: click.Context, code: str, reason: str) -> None:
        with command_container(ctx) as container:
            action: Callable[[str, str, str], Member] = getattr(container.members, name)
            echo_json(action(code, ACTOR, reason).document())

    command.help = f"{name.capitalize()} a member (written to MemberRegistry)."
    return command


members.add_command(_transition("suspend", needs_reason=True))
members.add_command(_transition("reinstate", needs_reason=False))
members.add_command(_transition("revoke", needs_reason=True))


@members.command("rotate-key")
@click.argument("code")
@click.option("--public-key", default=None, help="128 hex digits; omit to generate a key pair")
@click.pass_context
def rotate_key(ctx: click.Context, code: str, public_key: str | None) -> None:
    """Bind a new SM2 key to the member on chain."""
    with command_container(ctx) as container:
        key = bytes.fromhex(public_key.removeprefix("0x")) if public_key else None
        echo_json(container.members.rotate_key(code, key, ACTOR).document())


@members.command("sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Rebuild the member index from MemberRegistry's state on chain."""
    with command_container(ctx) as container:
        echo_json(container.members.sync().__dict__)


@click.group()
def clients() -> None:
    """OAuth clients of member departments."""


@clients.command("create")
@click.argument("member_code")
@click.option("--name", default="", help="A label for the client (default: the member's name).")
@click.pass_context
def create_client(ctx: click.Context, member_code: str, name: str) -> None:
    """Issue another client to an active member; prints the secret once."""
    with command_container(ctx) as container:
        member = container.members.get(member_code)
        if member.status is not MemberStatus.ACTIVE:
            raise CommandFailed(f"member {member_code} is {member.status.value}, not active")
        from gateway.oauth.scopes import scopes_for_roles

        client, secret = container.clients.create(
            member.code, name or member.profile.name_zh, scopes_for_roles(member.roles)
        )
        echo_json({"client_id": client.client_id, "client_secret": secret, "scopes": client.scopes})


@clients.command("list")
@click.option("--member", "member_code", default=None)
@click.pass_context
def list_clients(ctx: click.Context, member_code: str | None) -> None:
    """List clients (never their secrets)."""
    with command_container(ctx) as container:
        echo_json(
            [
                {
                    "client_id": c.client_id,
                    "member": c.member_code,
                    "name": c.name,
                    "auth_methods": c.auth_methods,
                    "scopes": c.scopes,
                    "active": c.active,
                }
                for c in container.clients.for_member(member_code)
            ]
        )


@clients.command("revoke")
@click.argument("client_id")
@click.pass_context
def revoke_client(ctx: click.Context, client_id: str) -> None:
    """Revoke a client and every token it holds."""
    with command_container(ctx) as container:
        client = container.clients.revoke(client_id)
        killed = container.tokens.revoke_client(client_id)
        echo_json(
            {"client_id": client.client_id, "active": client.active, "tokens_revoked": killed}
        )
