"""Verifying one access record from the console, as ``alliance evidence verify`` does offline:
receipt signature, record against receipt, Merkle inclusion, and the root on ``EvidenceLedger``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.evidence.verify import AnchoredBatch, VerificationReport, verify_evidence

if TYPE_CHECKING:
    from gateway.console.ports import GatewayServices

_NOT_ON_CHAIN = AnchoredBatch(b"\0" * 32)  # the root check then fails and says so


def _anchored(container: GatewayServices, proof: dict[str, Any]) -> AnchoredBatch:
    from gateway.evidence.ledger import ChainEvidenceLedger, EvidenceLedgerRefused
    from gateway.onchain.bound import BoundContract

    ledger = ChainEvidenceLedger(
        BoundContract(lambda: container.chain, "EvidenceLedger", EvidenceLedgerRefused)
    )
    root = str(proof["root"])
    raw = bytes.fromhex(root.removeprefix("0x"))
    if (proof.get("anchor") or {}).get("mode") == "direct":
        sequence = ledger.record_sequence(root)
        return _NOT_ON_CHAIN if sequence is None else AnchoredBatch(raw, 1, sequence)
    batch = ledger.batch_by_root(root)
    if batch is None:
        return _NOT_ON_CHAIN
    count, first, _last = batch
    return AnchoredBatch(raw, count, first)


def verify_access(
    container: GatewayServices, evidence: dict[str, Any]
) -> VerificationReport | None:
    """The report for one access's evidence document, or None when it has no receipt."""
    receipt = evidence.get("receipt")
    if not receipt:
        return None
    proof = evidence.get("proof")
    return verify_evidence(
        receipt,
        gateway_public_key=container.gateway_key().public_key,
        proof=proof,
        anchored_root=_anchored(container, proof) if proof else None,
    )
