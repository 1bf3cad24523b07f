"""Settings for CLI commands, with invalid settings reported as one line and exit code 2."""

from __future__ import annotations

import click

from gateway.settings import Settings, SettingsError, load_settings


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
