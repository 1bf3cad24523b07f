"""``alliance provider-sim``: run the departments' simulated systems in the foreground.

Prints one JSON document on stdout once every simulator listens (member, URL, key address,
entries), then one JSON line per request on stderr, until SIGINT or SIGTERM.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from gateway.catalog.model import EntrySpec
from gateway.cli.context import cli_settings
from gateway.crypto.errors import InvalidKeyError
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.providers.dataset import DEFAULT_SEED
from gateway.providers.runner import (
    SimulatorError,
    catalogue_entries,
    default_ports,
    key_path,
    load_member_key,
    provider_members,
    running_simulators,
)


class SimulatorProblem(click.ClickException):
    exit_code = 2


def _gateway_key(value: str | None) -> Sm2PublicKey | None:
    if not value:
        return None
    try:
        return Sm2PublicKey.from_bytes(bytes.fromhex(value.removeprefix("0x")))
    except (ValueError, InvalidKeyError) as exc:
        raise click.BadParameter(
            "expected the gateway's SM2 public key as 128 hex digits (X||Y) or 130 (04||X||Y)",
            param_hint="--gateway-public-key",
        ) from exc


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.command("provider-sim")
@click.option("--member", "member", help="Member code to simulate, e.g. NRD.")
@click.option("--all", "all_members", is_flag=True, help="Simulate every provider member.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port for --member (default: its endpoint)."
)
@click.option(
    "--base-port",
    type=click.IntRange(1, 65535),
    help="With --all: consecutive ports from here (default: the members' endpoints).",
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SM2 key file for --member (default: <data_dir>/credentials/<MEMBER>-sm2.pem).",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the synthetic dataset.",
)
@click.option(
    "--gateway-public-key",
    help="Gateway SM2 public key (hex); when set, requests must be signed by it.",
)
@click.pass_context
def provider_sim(
    ctx: click.Context,
    member: str | None,
    all_members: bool,
    host: str,
    port: int | None,
    base_port: int | None,
    key_file: Path | None,
    seed: int,
    gateway_public_key: str | None,
) -> None:
    """Serve the simulated provider systems that answer the gateway's brokered queries."""
    if bool(member) == all_members:
        raise click.UsageError("give exactly one of --member CODE or --all")
    if all_members and (port is not None or key_file is not None):
        raise click.UsageError("--port and --key go with --member; --all uses --base-port")
    gateway_key = _gateway_key(gateway_public_key)
    key_dir = cli_settings(ctx).data_dir / "credentials"
    try:
        entries = catalogue_entries()
        providers = provider_members(entries)
        members = providers if all_members else [str(member).upper()]
        if members[0] not in providers:
            raise SimulatorError(
                f"{members[0]} provides no catalogue entry; providers: {', '.join(providers)}"
            )
        ports = default_ports(members, base_port)
        keys = {members[0]: key_file} if key_file else {}
        if port is not None:
            ports[members[0]] = port
        addresses = {}
        for code in members:
            path = keys.get(code) or key_path(key_dir, code)
            if not path.is_file():
                raise SimulatorError(
                    f"no key file for {code} at {path}: run `alliance init` or pass --key"
                )
            addresses[code] = address_of(load_member_key(path).public_key)
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
        with running_simulators(
            members,
            key_dir,
            seed,
            host,
            ports,
            gateway_public_key=gateway_key,
            keys=keys,
            entries=entries,
        ) as urls:
            started = _started(urls, addresses, entries, seed)
            click.echo(json.dumps(started, ensure_ascii=False))
            sys.stdout.flush()
            _wait_for_signal()
    except SimulatorError as exc:
        raise SimulatorProblem(str(exc)) from exc


def _started(
    urls: dict[str, str], addresses: dict[str, str], entries: list[EntrySpec], seed: int
) -> dict[str, object]:
    return {
        "seed": seed,
        "simulators": [
            {
                "member": code,
                "url": url,
                "key_id": addresses[code],
                "entries": {e.id: e.service.path for e in entries if e.provider == code},
            }
            for code, url in urls.items()
        ],
    }
