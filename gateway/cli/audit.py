"""``alliance audit``: export the access records of a period as a signed Excel workbook, and
verify such a workbook offline (docs/audit.md)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from gateway.cli.context import cli_settings
from gateway.crypto.errors import CryptoError
from gateway.errors import GatewayError


class VerifyExit(click.ClickException):
    """``alliance audit verify``'s outcomes other than a full pass, each with its own status
    (docs/audit.md, "CLI")."""

    @classmethod
    def with_status(cls, message: str, status: int) -> VerifyExit:
        error = cls(message)
        vars(error)["exit_code"] = status
        return error


EXIT_FAILED = 1
EXIT_ROOTS_NOT_CHECKED = 3
EXIT_KEY_NOT_CHECKED = 4
EXIT_UNREADABLE = 5
EXIT_CHAIN_UNREACHABLE = 6


def _moment(value: str, option: str, zone: tzinfo) -> datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``, in ``zone`` (the ``timezone`` setting)
    unless an offset is given; returned in UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD[THH:MM]", param_hint=option) from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def _evidence_ledger(container: Any) -> tuple[str | None, str]:
    from gateway.onchain.deployment import DeploymentError
    from gateway.onchain.runtime import ChainNotReady

    try:
        chain = container.chain
        return chain.deployment().address("EvidenceLedger"), chain.client.suite.name
    except (ChainNotReady, DeploymentError):
        return None, container.settings.chain.suite


def _given_key(file: str | None) -> Any:
    """``--public-key FILE``: a PEM public key, or the key as hex (X ‖ Y or SEC1) in a file."""
    from gateway.crypto.errors import InvalidKeyError
    from gateway.crypto.keyfiles import load_public_key
    from gateway.crypto.sm2 import Sm2PublicKey

    if file is None:
        return None
    try:
        key = load_public_key(file)
    except CryptoError:
        try:
            text = Path(file).read_text(encoding="utf-8").strip().removeprefix("0x")
            key = Sm2PublicKey.from_bytes(bytes.fromhex(text))
        except (OSError, UnicodeDecodeError, ValueError, InvalidKeyError) as exc:
            raise click.BadParameter(
                "not an SM2 public key (PEM, or hex X ‖ Y)", param_hint="--public-key"
            ) from exc
    if not isinstance(key, Sm2PublicKey):
        raise click.BadParameter("not an SM2 public key", param_hint="--public-key")
    return key


@click.group()
def audit() -> None:
    """Audit workbooks: signed Excel exports of the access records."""


@audit.command("export")
@click.option(
    "--from", "start", required=True, help="Start (inclusive), YYYY-MM-DD[THH:MM], in `timezone`."
)
@click.option(
    "--to", "end", required=True, help="End (exclusive), YYYY-MM-DD[THH:MM], in `timezone`."
)
@click.option("--member", help="Only records where this member is consumer or provider.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx")
@click.pass_context
def export(ctx: click.Context, start: str, end: str, member: str | None, out: str) -> None:
    """Write the records received in [--from, --to) to a signed workbook."""
    from gateway.audit.workbook import export_workbook
    from gateway.bootstrap import build_container

    settings = cli_settings(ctx)
    begin, finish = _moment(start, "--from", settings.zone), _moment(end, "--to", settings.zone)
    if finish <= begin:
        raise click.BadParameter("--to must be after --from", param_hint="--to")
    container = build_container(settings)
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
                timezone=settings.timezone,
                progress=progress,
            )
    except (GatewayError, CryptoError, OSError) as exc:
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
@click.option("--rpc", help="JSON-RPC URL of a FISCO BCOS 2.x node: check the signer and roots.")
@click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False),
    help="The gateway's public key (PEM or hex), from `alliance audit public-key`.",
)
@click.option("--fingerprint", help="The gateway key's published fingerprint (or key id).")
def verify(workbook: str, rpc: str | None, public_key: str | None, fingerprint: str | None) -> None:
    """Check FILE.xlsx with public material only: every sheet, the manifest signature, the
    Merkle proofs and (with --rpc) the roots and signer on the chain.

    Exit status: 0 full pass; 1 a check failed; 3 intact but roots not checked on chain (no
    --rpc); 4 intact but neither the signer's key nor the roots checked; 5 not a readable audit
    workbook; 6 chain unreachable; 2 bad options."""
    from gateway.audit.verify_workbook import ChainLookupError, verify_workbook

    key = _given_key(public_key)
    try:
        report = verify_workbook(workbook, key, rpc, fingerprint=fingerprint)
    except ChainLookupError as exc:
        raise VerifyExit.with_status(f"{exc.code}: {exc.detail}", EXIT_CHAIN_UNREACHABLE) from exc
    except GatewayError as exc:
        raise VerifyExit.with_status(f"{exc.code}: {exc.detail}", EXIT_UNREADABLE) from exc
    except Exception as exc:  # any unreadable file is one line, never a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise VerifyExit.with_status(
            f"cannot read {Path(workbook).name} as an audit workbook: {type(exc).__name__}: "
            f"{detail}",
            EXIT_UNREADABLE,
        ) from exc
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    failure = report.first_failure
    if failure is not None:
        message = f"{failure.where}: {failure.check}: {failure.detail}"
        raise VerifyExit.with_status(message, EXIT_FAILED)
    if report.roots_on_chain is None and not report.signer_key:
        raise VerifyExit.with_status(
            "intact, but NOT verified: the signer's key and the roots on chain were not checked "
            "(give --public-key or --fingerprint, and --rpc)",
            EXIT_KEY_NOT_CHECKED,
        )
    if report.roots_on_chain is None:
        raise VerifyExit.with_status(
            "intact and signed by the given key, but the roots were NOT checked on chain "
            "(give --rpc)",
            EXIT_ROOTS_NOT_CHECKED,
        )


@audit.command("public-key")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the public key as PEM here.")
@click.pass_context
def public_key_command(ctx: click.Context, out: str | None) -> None:
    """Print (and with --out write) the public key that signs this gateway's audit workbooks,
    with its fingerprint, for auditors."""
    from gateway.audit.manifest import key_fingerprint, key_id_of, public_key_text
    from gateway.crypto.keyfiles import load_private_key, public_key_to_pem
    from gateway.crypto.sm2 import Sm2PrivateKey
    from gateway.instance import GATEWAY_KEY_FILE

    try:
        private = load_private_key(cli_settings(ctx).keys_dir / GATEWAY_KEY_FILE)
        if not isinstance(private, Sm2PrivateKey):
            raise click.ClickException("the gateway key is not an SM2 key")
        key = private.public_key
        if out:
            Path(out).write_bytes(public_key_to_pem(key))
    except (GatewayError, CryptoError, OSError) as exc:
        detail = f"{exc.code}: {exc.detail}" if isinstance(exc, GatewayError) else str(exc)
        raise click.ClickException(detail) from exc
    summary = {
        "key_id": key_id_of(key),
        "fingerprint": key_fingerprint(key),
        "public_key": public_key_text(key),
        "file": out,
    }
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
