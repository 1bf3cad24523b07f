"""``alliance evidence verify``: check a receipt, its digests, its proof and its anchor.

RECEIPT.json may be the receipt alone or the whole answer the gateway gave (then the
response digest is checked against that answer too). The proof comes from ``--proof`` (the
``GET /api/v1/evidence/{request_id}`` document or its ``proof``) or, on the gateway host, from
the evidence log. ``--rpc`` checks the root against ``EvidenceLedger`` on any FISCO BCOS 2.x
node; the report names every check and the first that failed (exit code 1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from gateway.cli.context import cli_settings
from gateway.errors import GatewayError
from gateway.evidence.digests import response_of


class VerificationFailed(click.ClickException):
    exit_code = 1


def _load(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {what} {path}: {exc}") from exc


def _gateway_public_key(ctx: click.Context, given: str | None) -> Any:
    from gateway.crypto.keyfiles import load_private_key, load_public_key
    from gateway.crypto.sm2 import Sm2PublicKey

    if given:
        if Path(given).is_file():
            try:
                return load_public_key(given)
            except GatewayError:
                return load_private_key(given).public_key
        return Sm2PublicKey.from_bytes(bytes.fromhex(given.removeprefix("0x")))
    from gateway.settings import GATEWAY_KEY_FILE

    return load_private_key(cli_settings(ctx).keys_dir / GATEWAY_KEY_FILE).public_key


def _local_proof(ctx: click.Context, request_id: str) -> dict[str, Any] | None:
    from gateway.bootstrap import build_container

    container = build_container(cli_settings(ctx))
    try:
        proof: dict[str, Any] | None = container.evidence.evidence(request_id).get("proof")
        return proof
    except GatewayError:
        return None
    finally:
        container.close()


def _anchored_batch(rpc: str, proof: dict[str, Any], suite: str) -> Any:
    from gateway.chain.client import ChainClient
    from gateway.chain.errors import CallReverted, ChainError
    from gateway.chain.suite import suite_by_name
    from gateway.chain.transport.http import HttpTransport
    from gateway.evidence.verify import AnchoredBatch
    from gateway.onchain.artifacts import load_artifacts

    contract_address = (proof.get("anchor") or {}).get("contract")
    if not contract_address:
        raise click.ClickException("the proof names no EvidenceLedger contract address")
    client = ChainClient(HttpTransport(rpc, timeout=10.0), suite_by_name(suite))
    ledger = client.contract(load_artifacts()["EvidenceLedger"], contract_address)
    root = bytes.fromhex(str(proof["root"]).removeprefix("0x"))
    mode = (proof.get("anchor") or {}).get("mode")
    try:
        if mode == "direct":
            sequence, _ = ledger.call("recordByDigest", root)
            return AnchoredBatch(root, 1, int(sequence))
        _index, count, first, *_ = ledger.call("batchByRoot", root)
    except CallReverted:
        return AnchoredBatch(b"\0" * 32)  # not on chain: the root check fails and says so
    except ChainError as exc:
        raise click.ClickException(f"cannot read EvidenceLedger at {rpc}: {exc}") from exc
    return AnchoredBatch(root, int(count), int(first))


def _chain_evidence(ctx: click.Context, proof: dict[str, Any], gateway_key: Any) -> Any:
    from gateway.bootstrap import build_container
    from gateway.handover.verify import chain_evidence

    container = build_container(cli_settings(ctx))
    opened: list[Any] = []

    def open_profile(profile: str) -> Any:
        runtime = container.open_chain_profile(profile)
        if runtime is not container.chain:
            opened.append(runtime)
        return runtime

    def registered(code: str) -> bytes | None:
        member = container.members.index.get(code)
        return None if member is None else bytes.fromhex(member.public_key)

    try:
        return chain_evidence(
            container.engine,
            container.chain_history,
            proof,
            open_profile=open_profile,
            current=lambda: container.chain,
            gateway_public_key=gateway_key.to_bytes(),
            registered_keys=registered,
            quorum=container.settings.chain.handover_quorum,
        )
    finally:
        for runtime in opened:
            runtime.close()
        container.close()


@click.group()
def evidence() -> None:
    """Evidence of accesses: receipts, proofs and anchors."""


@evidence.command("verify")
@click.argument("receipt_file", metavar="RECEIPT.json")
@click.option("--request", "request_file", help="The request body as sent (purpose, params…).")
@click.option("--response", "response_file", help="The answer as received.")
@click.option("--proof", "proof_file", help="Evidence document or inclusion proof (JSON).")
@click.option("--rpc", help="JSON-RPC URL of a FISCO BCOS 2.x node to check the anchor on.")
@click.option("--suite", type=click.Choice(["sm", "ecdsa"]), default="sm", show_default=True)
@click.option("--gateway-key", help="Gateway public key (hex or PEM); default: this gateway's.")
@click.option(
    "--chains",
    is_flag=True,
    help="Check the anchor on the chain that anchored the record (chain history), or, if "
    "that chain is gone, through the handover record that closed its period.",
)
@click.pass_context
def verify(
    ctx: click.Context,
    receipt_file: str,
    request_file: str | None,
    response_file: str | None,
    proof_file: str | None,
    rpc: str | None,
    suite: str,
    gateway_key: str | None,
    chains: bool,
) -> None:
    """Check RECEIPT.json's signature, digests, Merkle proof and (with --rpc) its anchor."""
    from gateway.evidence.verify import VerificationReport, verify_evidence

    document = _load(receipt_file, "receipt")
    receipt = document.get("receipt", document)
    response = None
    if "receipt" in document:
        response = response_of(document)
    if response_file:
        answer = _load(response_file, "response")
        response = response_of(answer)
    request = None
    if request_file:
        sent = _load(request_file, "request")
        request = {
            "request_id": receipt.get("request_id"),
            "entry_id": receipt.get("entry_id"),
            "consumer": receipt.get("consumer"),
            "purpose": sent.get("purpose"),
            "params": sent.get("params"),
            "case_ref": sent.get("case_ref"),
            "fields": sent.get("fields"),
        }
    proof = None
    if proof_file:
        loaded = _load(proof_file, "proof")
        proof = loaded.get("proof", loaded) if isinstance(loaded, dict) else None
    elif isinstance(receipt, dict) and receipt.get("request_id"):
        proof = _local_proof(ctx, str(receipt["request_id"]))
    anchored = _anchored_batch(rpc, proof, suite) if rpc and proof else None
    extra: list[Any] = []
    if chains and proof and not rpc:
        found = _chain_evidence(ctx, proof, _gateway_public_key(ctx, gateway_key))
        anchored, extra = found.anchored, found.checks
    try:
        report = verify_evidence(
            receipt,
            gateway_public_key=_gateway_public_key(ctx, gateway_key),
            request=request,
            response=response,
            proof=proof,
            anchored_root=anchored,
        )
    except GatewayError as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}") from exc
    if extra:
        report = VerificationReport((*extra, *report.checks), report.skipped)
    result = report.to_dict()
    if rpc and proof is None:
        skipped = list(report.skipped)
        result["skipped"] = [*skipped, "anchor (no proof yet: the record is pending)"]
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    if not report.ok:
        failure = report.first_failure
        raise VerificationFailed(f"{failure.name}: {failure.detail}" if failure else "failed")
