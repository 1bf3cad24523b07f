"""``alliance users``: the management console's accounts (not OAuth clients)."""

from __future__ import annotations

import sys

import click

from gateway.cli.context import CommandFailed, command_container, echo_json

ACTOR = "cli"
ROLES = ("admin", "auditor", "operator", "department")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandFailed("no password on standard input")
        return password
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def users() -> None:
    """Console accounts: create, list, disable, reset passwords."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--display-name", required=True, help="Name shown in the console, e.g. 张三.")
@click.option("--member", "member_code", default=None, help="Member code (department users).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def create(
    ctx: click.Context,
    username: str,
    role: str,
    display_name: str,
    member_code: str | None,
    password_stdin: bool,
) -> None:
    """Create a console account."""
    from gateway.console.roles import ConsoleRole

    password = _password(password_stdin)
    with command_container(ctx) as container:
        console = container.console
        account = console.accounts.create(
            username, display_name, ConsoleRole(role), password, member_code
        )
        console.audit.record(
            username=ACTOR,
            role=ACTOR,
            action="user_create",
            outcome="ok",
            target=username,
            detail=f"role={role} member={member_code or '-'}",
        )
        echo_json(account.document())


@users.command("list")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """Every console account (never a password hash)."""
    with command_container(ctx) as container:
        echo_json([account.document() for account in container.console.accounts.list()])


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@click.pass_context
def disable(ctx: click.Context, username: str, enable: bool) -> None:
    """Disable an account (its sessions end at once), or enable it with --enable."""
    with command_container(ctx) as container:
        console = container.console
        account = console.disable(username, disabled=not enable)
        console.audit.record(
            username=ACTOR,
            role=ACTOR,
            action="user_enable" if enable else "user_disable",
            outcome="ok",
            target=username,
        )
        echo_json(account.document())


@users.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def reset_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password; it lifts a lockout and ends the account's sessions."""
    password = _password(password_stdin)
    with command_container(ctx) as container:
        console = container.console
        account = console.reset_password(username, password)
        console.audit.record(
            username=ACTOR,
            role=ACTOR,
            action="user_reset_password",
            outcome="ok",
            target=username,
        )
        echo_json(account.document())
