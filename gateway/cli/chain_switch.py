"""``alliance chain switch`` and ``alliance chain history``: changing chain vendor.

``switch --to PROFILE`` hands the evidence log over to the chain of ``[chain_profiles.PROFILE]``
(see :mod:`gateway.handover.switch`) while holding the anchoring lease, so no anchoring job runs
meanwhile. The member departments' keys that co-sign the handover record are read from
``<data_dir>/credentials/<CODE>-sm2.pem`` (``--member CODE``, repeatable; default: every member
with a key file there) or given as ``--member-key CODE=FILE``.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from gateway.cli.context import CommandFailed, command_container, echo_json


@click.command(name="switch")
@click.option("--to", "profile", required=True, help="Chain profile (settings chain_profiles).")
@click.option("--member", "members", multiple=True, help="Member code whose key co-signs.")
@click.option("--member-key", "member_keys", multiple=True, help="CODE=KEYFILE of a co-signer.")
@click.option(
    "--wait",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for a running anchoring job to finish.",
)
@click.pass_context
def switch(
    ctx: click.Context,
    profile: str,
    members: tuple[str, ...],
    member_keys: tuple[str, ...],
    wait: float,
) -> None:
    """Freeze anchoring, write a signed handover record on both chains, continue on PROFILE."""
    from gateway.crypto.keyfiles import load_private_key
    from gateway.handover.switch import ChainSwitch
    from gateway.jobs.lease import ANCHORING_LEASE, LeaseManager
    from gateway.jobs.upkeep import ANCHORING_HOLD_SECONDS
    from gateway.onchain.runtime import ChainNotReady

    with command_container(ctx) as container:
        settings = container.settings
        credentials = settings.data_dir / "credentials"
        keys = {}
        for entry in member_keys:
            code, _, path = entry.partition("=")
            if not path:
                raise click.BadParameter("CODE=KEYFILE", param_hint="--member-key")
            keys[code] = load_private_key(Path(path))
        codes = members or tuple(
            sorted(p.name.removesuffix("-sm2.pem") for p in credentials.glob("*-sm2.pem"))
        )
        for code in codes:
            if code not in keys:
                keys[code] = load_private_key(credentials / f"{code}-sm2.pem")

        def registered(code: str) -> bytes | None:
            member = container.members.index.get(code)
            return None if member is None else bytes.fromhex(member.public_key)

        leases = LeaseManager(container.redis)
        deadline = time.monotonic() + wait
        while (lease := leases.acquire(ANCHORING_LEASE, ANCHORING_HOLD_SECONDS)) is None:
            if time.monotonic() > deadline:
                raise CommandFailed("the anchoring job is running; try again")
            time.sleep(0.5)
        try:
            try:
                old = container.chain
                new = container.open_chain_profile(profile)
            except ChainNotReady as exc:
                raise CommandFailed(f"{exc.code}: {exc}") from exc
            try:
                result = ChainSwitch(
                    container.engine,
                    container.chain_history,
                    gateway_key=container.gateway_key(),
                    member_keys=keys,
                    registered_keys=registered,
                    quorum=settings.chain.handover_quorum,
                ).run(old, new)
            finally:
                new.close()
        finally:
            leases.release(lease)
        echo_json(result.to_dict())


@click.command(name="history")
@click.pass_context
def history(ctx: click.Context) -> None:
    """The chain periods (vendor, chain, sequences, dates) and the handovers between them."""
    with command_container(ctx) as container:
        echo_json(
            {
                "periods": container.chain_history.periods(),
                "handovers": container.chain_history.handovers(),
            }
        )
