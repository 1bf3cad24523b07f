"""Settings for CLI commands, with invalid settings reported as one line and exit code 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from gateway.errors import GatewayError
from gateway.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from gateway.bootstrap import Container


class SettingsProblem(click.ClickException):
    exit_code = 2


def cli_settings(ctx: click.Context) -> Settings:
    """Load the settings once per invocation, honouring the root ``--config`` option."""
    root = ctx.find_root()
    root.ensure_object(dict)
    cached = root.obj.get("settings")
    if cached is not None:
        return cached
    try:
        settings = load_settings(root.obj.get("config_file"))
    except SettingsError as exc:
        raise SettingsProblem(str(exc)) from exc
    root.obj["settings"] = settings
    return settings


class CommandFailed(click.ClickException):
    """A domain error reported as one line: ``Error: <code>: <detail>``, exit code 1."""

    exit_code = 1


def _plain(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=_plain))


@contextmanager
def command_container(ctx: click.Context) -> Iterator[Container]:
    """The composition root for one command; domain errors become :class:`CommandFailed`."""
    from gateway.bootstrap import build_container

    container = build_container(cli_settings(ctx))
    try:
        yield container
    except GatewayError as exc:
        problems = exc.extra.get("problems")
        detail = f" {json.dumps(problems, ensure_ascii=False)}" if problems else ""
        raise CommandFailed(f"{exc.code}: {exc.detail}{detail}") from exc
    finally:
        container.close()
