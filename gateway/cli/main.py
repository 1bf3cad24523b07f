"""Root ``alliance`` group and the registry of sub-command modules."""

from __future__ import annotations

import importlib

import click

from gateway.version import __version__

# (module, attribute) of every sub-command; imported only when the CLI runs.
_COMMANDS: tuple[tuple[str, str], ...] = (
    ("gateway.cli.service", "init"),
    ("gateway.cli.service", "serve"),
    ("gateway.cli.service", "db"),
    ("gateway.cli.keys", "keys"),
    ("gateway.cli.crypto", "crypto"),
    ("gateway.cli.chain", "chain"),
    ("gateway.cli.devnode", "devnode"),
    ("gateway.cli.members", "members"),
    ("gateway.cli.members", "clients"),
    ("gateway.cli.provider_sim", "provider_sim"),
    ("gateway.cli.demo", "demo"),
    ("gateway.cli.catalog", "catalog"),
    ("gateway.cli.catalog", "grants"),
    ("gateway.cli.evidence", "evidence"),
    ("gateway.cli.jobs", "jobs"),
    ("gateway.cli.audit", "audit"),
    ("gateway.cli.users", "users"),
    ("gateway.cli.reconciliation", "reconciliation"),
    ("gateway.cli.records", "records"),
    ("gateway.cli.transfer", "transfer"),
    ("gateway.cli.supervision", "supervision"),
    ("gateway.cli.sync", "sync"),
)


class AllianceGroup(click.Group):
    """Loads sub-command modules on first use so ``--help`` stays cheap."""

    def _load(self) -> None:
        if getattr(self, "_loaded", False):
            return
        self._loaded = True
        for module_name, attribute in _COMMANDS:
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)


@click.group(cls=AllianceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="alliance")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="ALLIANCE_CONFIG",
    help="Settings file (TOML) layered over conf/defaults.toml; env ALLIANCE_* wins.",
)
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """alliance-gateway: the provincial data-sharing alliance gateway."""
    ctx.ensure_object(dict)
    ctx.obj["config_file"] = config_file
