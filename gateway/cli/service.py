"""``alliance init``, ``alliance serve`` and ``alliance db``: running the gateway itself."""

from __future__ import annotations

import dataclasses

import click
from sqlalchemy.exc import SQLAlchemyError

from gateway.bootstrap import Container, build_container
from gateway.cli.context import cli_settings, echo_json
from gateway.errors import GatewayError
from gateway.settings import Settings


def _container(ctx: click.Context) -> Container:
    return build_container(cli_settings(ctx))


class DatabaseProblem(click.ClickException):
    exit_code = 3

    @classmethod
    def wrap(cls, what: str, exc: SQLAlchemyError) -> DatabaseProblem:
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [""])[0]
        return cls(f"{what}: {type(cause).__name__}: {first_line}")


def _admin_password(password_file: str | None) -> str:
    if password_file is None:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        with open(password_file, encoding="utf-8") as handle:
            password = handle.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(
            f"cannot read {password_file}: {exc}", param_hint="--password-file"
        ) from exc
    if not password:
        raise click.BadParameter(f"{password_file} holds no password", param_hint="--password-file")
    return password


def _ensure_admin(
    container: Container, username: str, password_file: str | None
) -> dict[str, object]:
    """The first console admin: created once, left as it is (password too) when it exists."""
    from gateway.console.errors import AccountNotFound
    from gateway.console.roles import ConsoleRole

    console = container.console
    try:
        account = console.accounts.get(username)
    except AccountNotFound:
        password = _admin_password(password_file)
        account = console.accounts.create(username, "管理员", ConsoleRole.ADMIN, password, None)
        console.audit.record(
            username="cli",
            role="cli",
            action="user_create",
            outcome="ok",
            target=username,
            detail="role=admin member=- (alliance init)",
        )
        return {"username": account.username, "role": account.role.value, "created": True}
    return {"username": account.username, "role": account.role.value, "created": False}


@click.command()
@click.option("--admin", "admin", metavar="NAME", help="Also create this console admin account.")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    help="File whose first line is the admin's password (default: prompt).",
)
@click.pass_context
def init(ctx: click.Context, admin: str | None, password_file: str | None) -> None:
    """Create the data directory, schema and keys on first run (idempotent); with --admin,
    the console's first admin account."""
    from gateway.instance import initialise

    if password_file is not None and admin is None:
        raise click.BadParameter("--password-file needs --admin NAME", param_hint="--password-file")
    container = _container(ctx)
    try:
        report = dataclasses.asdict(initialise(container))
        if admin is not None:
            report["admin"] = _ensure_admin(container, admin, password_file)
    except SQLAlchemyError as exc:
        raise DatabaseProblem.wrap("database unreachable or refused the schema", exc) from exc
    except GatewayError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    finally:
        container.close()
    echo_json(report)


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Apply migrations up to REVISION."""
    from gateway.storage.migrate import current_revision, upgrade

    container = _container(ctx)
    try:
        upgrade(container.engine, revision)
        echo_json({"revision": current_revision(container.engine)})
    except SQLAlchemyError as exc:
        raise DatabaseProblem.wrap("migration failed", exc) from exc
    finally:
        container.close()


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the schema revision of the database and the latest one available."""
    from gateway.storage.migrate import current_revision, head_revision

    container = _container(ctx)
    try:
        echo_json(
            {
                "revision": current_revision(container.engine),
                "head": head_revision(container.engine),
            }
        )
    except SQLAlchemyError as exc:
        raise DatabaseProblem.wrap("database unreachable", exc) from exc
    finally:
        container.close()


@click.command()
@click.option("--host", default=None, help="Bind address (default: http.host).")
@click.option("--port", type=int, default=None, help="Port (default: http.port, 8080).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: http.workers).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the gateway with gunicorn (default http://127.0.0.1:8080)."""
    from gateway.server import GatewayServer

    settings: Settings = cli_settings(ctx)
    http = settings.http.model_copy(
        update={
            key: value
            for key, value in {"host": host, "port": port, "workers": workers}.items()
            if value is not None
        }
    )
    settings = settings.model_copy(update={"http": http})
    GatewayServer(settings).run()
