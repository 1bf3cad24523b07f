"""A record proved through the chain of checkpoints: what a parent's auditor can check.

A node hands out, for one of its records, the record (its evidence leaf as anchored), its
receipt, the record's RFC 9162 inclusion proof in the node's whole log at a tree size the
parent anchored, and the node's signed checkpoint of that size. The auditor of any level
above checks, with nothing but that bundle and its own chain (``FederationLedger``):

1. ``receipt_signature``, ``record_matches_receipt``, ``inclusion_proof``: as for any
   evidence (:func:`gateway.evidence.verify.verify_evidence`), the receipt key being the key
   that signed the checkpoint;
2. ``checkpoint_signature``: the checkpoint is signed by that key and is the node's, of the
   proof's size and root;
3. ``anchored_checkpoint``: the chain holds a checkpoint of the node at that size whose
   document digest, root and signer are the bundle's: anchored by this level, or relayed by
   the levels between (``via`` names the child it came through).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.evidence.consistency import LogTree
from gateway.evidence.digests import hex_digest
from gateway.evidence.tables import AccessRecordRow
from gateway.evidence.verify import Check, VerificationReport, inclusion_proof_document
from gateway.evidence.verify import verify_evidence as verify_receipt_and_inclusion
from gateway.federation.checkpoints import NodeCheckpoint, open_checkpoint
from gateway.federation.errors import (
    CheckpointNotFound,
    FederationSignatureInvalid,
    MalformedFederationDocument,
)
from gateway.federation.ledger import AnchoredCheckpoint
from gateway.federation.tables import PushedCheckpointRow

PROOF_VERSION = 1


def record_proof(
    engine: Engine, node: str, request_id: str, tree_size: int | None = None
) -> dict[str, Any]:
    """The bundle for ``request_id`` at ``tree_size`` (default: the smallest checkpoint the
    parent accepted that covers the record)."""
    with Session(engine) as session:
        row = session.scalars(
            select(AccessRecordRow).where(AccessRecordRow.request_id == request_id)
        ).first()
        if row is None or row.sequence is None or row.evidence is None or row.receipt is None:
            raise CheckpointNotFound(
                f"request {request_id!r} is not in this gateway's anchored evidence log",
                request_id=request_id,
            )
        sequence, leaf, receipt = row.sequence, str(row.evidence), json.loads(row.receipt)
        pushed_query = select(PushedCheckpointRow).where(PushedCheckpointRow.tree_size >= sequence)
        if tree_size is not None:
            pushed_query = select(PushedCheckpointRow).where(
                PushedCheckpointRow.tree_size == tree_size
            )
        pushed = session.scalars(pushed_query.order_by(PushedCheckpointRow.tree_size)).first()
    if pushed is None:
        raise CheckpointNotFound(
            f"no checkpoint accepted by the parent covers sequence {sequence} yet"
            if tree_size is None
            else f"this gateway's parent accepted no checkpoint of {tree_size} records",
            request_id=request_id,
        )
    if pushed.tree_size < sequence:
        raise CheckpointNotFound(
            f"the checkpoint of {pushed.tree_size} records does not cover sequence {sequence}",
            request_id=request_id,
        )
    log = LogTree.read(engine, up_to=pushed.tree_size)
    record = {k: v for k, v in json.loads(leaf).items() if k != "evidence_version"}
    inclusion = inclusion_proof_document(
        record,
        sequence - 1,
        pushed.tree_size,
        log.inclusion(sequence, pushed.tree_size),
        log.checkpoint(pushed.tree_size).root,
        anchor={
            "log": node,
            "parent_tx_hash": pushed.parent_tx_hash,
            "parent_block": pushed.parent_block,
        },
    )
    return {
        "federated_proof_version": PROOF_VERSION,
        "node": node,
        "request_id": request_id,
        "receipt": receipt,
        "inclusion": inclusion,
        "checkpoint": json.loads(pushed.document),
    }


def verify_federated_proof(
    bundle: object, anchored: Callable[[str, int], AnchoredCheckpoint | None]
) -> VerificationReport:
    """Every check of the module docstring; input that cannot be read raises."""
    if not isinstance(bundle, dict) or bundle.get("federated_proof_version") != PROOF_VERSION:
        raise MalformedFederationDocument("not a federated proof (federated_proof_version 1)")
    node, inclusion = bundle.get("node"), bundle.get("inclusion")
    if not isinstance(inclusion, dict):
        raise MalformedFederationDocument("inclusion must be an inclusion proof document")
    checks: list[Check] = []
    try:
        checkpoint = open_checkpoint(bundle.get("checkpoint"))
    except FederationSignatureInvalid as exc:
        return VerificationReport((Check("checkpoint_signature", False, exc.detail),), ())
    size_and_root = (inclusion.get("tree_size"), inclusion.get("root"))
    matches = checkpoint.node == node and size_and_root == (checkpoint.tree_size, checkpoint.root)
    checks.append(
        Check(
            "checkpoint_signature",
            matches,
            f"{checkpoint.node}'s checkpoint of {checkpoint.tree_size} records, signed by "
            f"{checkpoint.signed.key_id}"
            if matches
            else f"the checkpoint ({checkpoint.node}, {checkpoint.tree_size}) is not the "
            f"proof's ({node}, {size_and_root[0]})",
        )
    )
    report = verify_receipt_and_inclusion(
        bundle.get("receipt") or {},
        gateway_public_key=checkpoint.signed.public_key,
        proof=inclusion,
    )
    checks += report.checks
    checks.append(_anchored(checkpoint.node, checkpoint, anchored))
    return VerificationReport(tuple(checks), ())


def _anchored(
    node: str,
    checkpoint: NodeCheckpoint,
    anchored: Callable[[str, int], AnchoredCheckpoint | None],
) -> Check:
    on_chain = anchored(node, checkpoint.tree_size)
    if on_chain is None:
        return Check(
            "anchored_checkpoint",
            False,
            f"FederationLedger holds no checkpoint of {node} with {checkpoint.tree_size} records",
        )
    expected = (checkpoint.signed.digest, checkpoint.root, checkpoint.signed.key_id)
    found = (on_chain.document_digest, on_chain.root, on_chain.signer)
    if found != expected:
        return Check(
            "anchored_checkpoint",
            False,
            f"the chain's checkpoint of {node} at {checkpoint.tree_size} differs: "
            f"digest {on_chain.document_digest}, root {on_chain.root}, signer {on_chain.signer}",
        )
    return Check(
        "anchored_checkpoint",
        True,
        f"anchored on FederationLedger (via {on_chain.via}), document "
        f"{hex_digest(bytes.fromhex(on_chain.document_digest[2:]))}",
    )
