"""``alliance audit``: export the access records of a period as a signed Excel workbook, and
verify such a workbook offline (docs/audit.md)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from gateway.cli.context import cli_settings
from gateway.errors import GatewayError


class VerificationFailed(click.ClickException):
    exit_code = 1


def _moment(value: str, option: str) -> datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``, UTC unless an offset is given."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD[THH:MM]", param_hint=option) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _evidence_ledger(container: Any) -> tuple[str | None, str]:
    from gateway.onchain.deployment import DeploymentError
    from gateway.onchain.runtime import ChainNotReady

    try:
        chain = container.chain
        return chain.deployment().address("EvidenceLedger"), chain.client.suite.name
    except (ChainNotReady, DeploymentError):
        return None, container.settings.chain.suite


def _public_key(ctx: click.Context, given: str | None) -> Any:
    """``--gateway-key``: hex (X ‖ Y or SEC1) or a PEM file (public or private key); by default
    this gateway's own key."""
    from gateway.crypto.errors import InvalidKeyError
    from gateway.crypto.keyfiles import load_private_key, load_public_key
    from gateway.crypto.sm2 import Sm2PublicKey
    from gateway.instance import GATEWAY_KEY_FILE

    if not given:
        return load_private_key(cli_settings(ctx).keys_dir / GATEWAY_KEY_FILE).public_key
    if Path(given).is_file():
        try:
            return load_public_key(given)
        except GatewayError:
            return load_private_key(given).public_key
    try:
        return Sm2PublicKey.from_bytes(bytes.fromhex(given.removeprefix("0x")))
    except (ValueError, InvalidKeyError) as exc:
        raise click.BadParameter(
            "not an SM2 public key in hex, nor a key file", param_hint="--gateway-key"
        ) from exc


@click.group()
def audit() -> None:
    """Audit workbooks: signed Excel exports of the access records."""


@audit.command("export")
@click.option("--from", "start", required=True, help="Start (inclusive), YYYY-MM-DD[THH:MM], UTC.")
@click.option("--to", "end", required=True, help="End (exclusive), YYYY-MM-DD[THH:MM], UTC.")
@click.option("--member", help="Only records where this member is consumer or provider.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx")
@click.pass_context
def export(ctx: click.Context, start: str, end: str, member: str | None, out: str) -> None:
    """Write the records received in [--from, --to) to a signed workbook."""
    from gateway.audit.workbook import export_workbook
    from gateway.bootstrap import build_container

    begin, finish = _moment(start, "--from"), _moment(end, "--to")
    if finish <= begin:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    container = build_container(cli_settings(ctx))
    try:
        ledger, suite = _evidence_ledger(container)
        with click.progressbar(length=1, label="exporting", file=sys.stderr, show_pos=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            result = export_workbook(
                container.engine,
                out,
                start=begin,
                end=finish,
                member=member,
                signer=container.gateway_key(),
                evidence_ledger=ledger,
                chain_suite=suite,
                progress=progress,
            )
    except (GatewayError, OSError) as exc:
        detail = f"{exc.code}: {exc.detail}" if isinstance(exc, GatewayError) else str(exc)
        raise click.ClickException(detail) from exc
    finally:
        container.close()
    summary = {
        "path": str(Path(out)),
        "rows": result.rows,
        "anchors": result.anchors,
        "manifest_digest": result.manifest_digest,
        **result.metadata,
    }
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


@audit.command("verify")
@click.argument("workbook", metavar="FILE.xlsx", type=click.Path(exists=True, dir_okay=False))
@click.option("--rpc", help="JSON-RPC URL of a FISCO BCOS 2.x node to check the roots on.")
@click.option("--gateway-key", help="Gateway public key (hex or PEM); default: this gateway's.")
@click.pass_context
def verify(ctx: click.Context, workbook: str, rpc: str | None, gateway_key: str | None) -> None:
    """Check FILE.xlsx's rows, manifest signature, Merkle proofs and (with --rpc) anchors."""
    from gateway.audit.verify_workbook import verify_workbook

    try:
        report = verify_workbook(workbook, _public_key(ctx, gateway_key), rpc)
    except GatewayError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    except (OSError, ValueError, KeyError) as exc:
        raise click.ClickException(f"cannot read {workbook}: {exc}") from exc
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    failure = report.first_failure
    if failure is not None:
        where = f"{failure.sheet} row {failure.row}" if failure.row else failure.sheet
        raise VerificationFailed(f"{where}: {failure.check}: {failure.detail}")
