"""``alliance transfer``: property-transfer cases on TransferCase (docs/transfer.md).

``open`` and ``complete`` act as the registrar (NRD), ``attest`` and ``revoke`` as the
condition's department: they sign with that member's SM2 key, the file given by ``--key``
or the one ``alliance init`` generated (``<data_dir>/credentials/<CODE>-sm2.pem``). The
brokered queries behind ``attest`` need the departments' systems (``alliance serve`` runs
the simulators).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from gateway.cli.context import CommandFailed, cli_settings, command_container, echo_json
from gateway.transfer.model import REGISTRAR, Condition

if TYPE_CHECKING:
    from gateway.chain.suite import PrivateKey
    from gateway.transfer.service import Actor

_CONDITION = click.Choice(Condition.keys())


def _actor(member: str) -> Actor:
    from gateway.transfer.service import Actor

    return Actor(member=member, label=f"{member}/cli")


def _member_key(ctx: click.Context, member: str, key_file: str | None) -> PrivateKey:
    from gateway.crypto.errors import CryptoError
    from gateway.crypto.keyfiles import load_private_key

    path = key_file or str(cli_settings(ctx).data_dir / "credentials" / f"{member}-sm2.pem")
    try:
        return load_private_key(path)
    except (OSError, CryptoError) as exc:
        raise CommandFailed(
            f"member_key_not_held: cannot read {member}'s key {path}: {exc}"
        ) from exc


@click.group()
def transfer() -> None:
    """Property-transfer registration (不动产转移登记, 一件事一次办)."""


@transfer.command("open")
@click.argument("case_id")
@click.option("--sample", is_flag=True, help="Fill the parties from the simulated departments.")
@click.option("--unit", "unit_number", help="不动产单元号")
@click.option("--title", "title_number", help="不动产权证书号")
@click.option("--seller", "seller_id", help="出卖人证件号")
@click.option("--buyer", "buyer_id", help="买受人证件号")
@click.option("--price", type=int, help="成交价（元）")
@click.option("--contract", "contract_number", help="网签合同号")
@click.option("--deadline-days", type=float, default=30.0, show_default=True)
@click.pass_context
def open_case(
    ctx: click.Context,
    case_id: str,
    sample: bool,
    deadline_days: float,
    **fields: str | int | None,
) -> None:
    """Open CASE_ID as the registrar (NRD)."""
    from gateway.transfer.model import CaseOpening
    from gateway.transfer.samples import sample_case

    deadline = datetime.now(UTC) + timedelta(days=deadline_days)
    deadline_ms = int(deadline.timestamp() * 1000)
    if sample:
        seed = cli_settings(ctx).providers.simulator_seed
        opening = sample_case(case_id, deadline_ms, seed)
    else:
        missing = [name for name, value in fields.items() if value in (None, "")]
        if missing:
            raise click.UsageError(f"give --sample or every party field (missing: {missing})")
        opening = CaseOpening(case_id=case_id, deadline_ms=deadline_ms, **fields)  # type: ignore[arg-type]
    with command_container(ctx) as container:
        echo_json(container.transfers.open(_actor(REGISTRAR), opening))


@transfer.command("attest")
@click.argument("case_id")
@click.argument("condition", type=_CONDITION)
@click.option("--key", "key_file", type=click.Path(dir_okay=False), help="The member's SM2 key.")
@click.pass_context
def attest(ctx: click.Context, case_id: str, condition: str, key_file: str | None) -> None:
    """Gather CONDITION's evidence and attest it as its department, signed with its key."""
    which = Condition.parse(condition)
    key = _member_key(ctx, which.member, key_file)
    with command_container(ctx) as container:
        actor = _actor(which.member)
        container.transfers.gather(actor, case_id, which)
        echo_json(container.transfers.attest(actor, case_id, which, key=key))


@transfer.command("revoke")
@click.argument("case_id")
@click.argument("condition", type=_CONDITION)
@click.option("--reason", required=True)
@click.option("--key", "key_file", type=click.Path(dir_okay=False), help="The member's SM2 key.")
@click.pass_context
def revoke(
    ctx: click.Context, case_id: str, condition: str, reason: str, key_file: str | None
) -> None:
    """Withdraw the department's attestation of CONDITION."""
    which = Condition.parse(condition)
    key = _member_key(ctx, which.member, key_file)
    with command_container(ctx) as container:
        echo_json(container.transfers.revoke(_actor(which.member), case_id, which, reason, key))


@transfer.command("complete")
@click.argument("case_id")
@click.option("--registration-number", required=True, help="不动产登记证明号 (ASCII, ≤ 32)")
@click.option("--certificate-hash", required=True, help="0x SM3 digest of the e-certificate")
@click.pass_context
def complete(
    ctx: click.Context, case_id: str, registration_number: str, certificate_hash: str
) -> None:
    """Complete CASE_ID as the registrar once all four attestations stand."""
    with command_container(ctx) as container:
        echo_json(
            container.transfers.complete(
                _actor(REGISTRAR),
                case_id,
                registration_number,
                certificate_hash,
            )
        )


@transfer.command("status")
@click.argument("case_id", required=False)
@click.pass_context
def status(ctx: click.Context, case_id: str | None) -> None:
    """CASE_ID with each attestation verified against the chain; every case without one."""
    with command_container(ctx) as container:
        echo_json(container.transfers.status(case_id) if case_id else container.transfers.cases())
