"""The whole evidence log as one growing Merkle tree: checkpoints and consistency proofs.

Batches are anchored as separate trees chained by ``prevRoot``. Witnesses and chain handovers
need one statement about *everything* logged so far that a later statement can be checked
against: a **checkpoint** ``(tree_size, root)`` of the RFC 9162 tree over every evidence leaf in
sequence order (leaf ``s − 1`` is the record with sequence ``s``; leaf hashes as in
:mod:`gateway.evidence.merkle`, SM3 by default). The log only grows, so a checkpoint of size
``m`` and a later one of size ``n`` are related by a **consistency proof** (RFC 9162 §2.1.4):
if any leaf below ``m`` was rewritten, no proof links the two roots.

The leaf bytes are read back from the evidence log (``access_records.evidence``, written at
anchoring), so a rewritten record changes the checkpoint root the gateway computes, which is
exactly what a witness that remembers the previous checkpoint detects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.crypto.canonical import canonical_json
from gateway.crypto.hashing import SM3, Hasher
from gateway.errors import GatewayError
from gateway.evidence.digests import hex_digest
from gateway.evidence.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from gateway.evidence.tables import AccessRecordRow

CHECKPOINT_VERSION = 1


class MalformedCheckpoint(GatewayError):
    code = "malformed_checkpoint"
    status = 400
    title = "Malformed checkpoint"


def _digest(text: object, what: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("0x") or len(text) != 66:
        raise MalformedCheckpoint(f"{what} must be 0x and 64 hex digits")
    try:
        return bytes.fromhex(text[2:])
    except ValueError as exc:
        raise MalformedCheckpoint(f"{what} must be 0x and 64 hex digits") from exc


@dataclass(frozen=True)
class Checkpoint:
    """The evidence log's tree of its first ``tree_size`` leaves has root ``root``."""

    tree_size: int
    root: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint_version": CHECKPOINT_VERSION,
            "tree_size": self.tree_size,
            "root": hex_digest(self.root),
        }

    def signing_input(self, origin: str) -> bytes:
        """What a witness signs: RFC 8785 canonical JSON of the checkpoint and the log's origin
        (the gateway's key id), so a signature cannot be replayed for another log."""
        return canonical_json({**self.to_dict(), "origin": origin})

    @classmethod
    def from_dict(cls, data: object) -> Checkpoint:
        if not isinstance(data, dict):
            raise MalformedCheckpoint("a checkpoint is a JSON object")
        size = data.get("tree_size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise MalformedCheckpoint("tree_size must be a non-negative integer")
        return cls(size, _digest(data.get("root"), "root"))


@dataclass(frozen=True)
class LogTree:
    """The tree over every evidence leaf written so far, in sequence order."""

    tree: MerkleTree

    @property
    def size(self) -> int:
        return self.tree.size

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.tree.size if size is None else size
        return Checkpoint(size, self.tree.root_at(size))

    def consistency(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 ``PROOF(old_size, D[0:new_size])``."""
        return self.tree.consistency_proof(old_size, new_size)

    def inclusion(self, sequence: int, size: int | None = None) -> list[bytes]:
        """The audit path of the record with ``sequence`` in the tree of ``size`` leaves."""
        return self.tree.inclusion_proof(sequence - 1, size)

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes], hasher: Hasher = SM3) -> LogTree:
        return cls(MerkleTree([leaf_hash(leaf, hasher) for leaf in leaves], hasher))

    @classmethod
    def read(cls, engine: Engine, up_to: int | None = None) -> LogTree:
        """The tree over the stored evidence of sequences ``1..up_to`` (all, by default).

        Only the unbroken run from sequence 1 counts: a gap (a batch still being prepared)
        ends the tree there."""
        query = (
            select(AccessRecordRow.sequence, AccessRecordRow.evidence)
            .where(AccessRecordRow.sequence.is_not(None))
            .where(AccessRecordRow.evidence.is_not(None))
            .order_by(AccessRecordRow.sequence)
        )
        if up_to is not None:
            query = query.where(AccessRecordRow.sequence <= up_to)
        leaves: list[bytes] = []
        with Session(engine) as session:
            for sequence, evidence in session.execute(query):
                if sequence != len(leaves) + 1:
                    break
                leaves.append(str(evidence).encode("utf-8"))
        return cls.from_leaves(leaves)


def consistency_document(
    old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]
) -> dict[str, Any]:
    """What a witness is sent: both checkpoints and the proof between them."""
    return {
        "old": old.to_dict(),
        "new": new.to_dict(),
        "proof": [hex_digest(node) for node in proof],
    }


def check_consistency(
    old: Checkpoint, new: Checkpoint, proof: Sequence[bytes], hasher: Hasher = SM3
) -> bool:
    """True only if ``new`` extends ``old`` (RFC 9162 §2.1.4.2); never raises for a bad proof."""
    return verify_consistency(old.tree_size, new.tree_size, proof, old.root, new.root, hasher)


def check_inclusion(
    leaf: bytes, sequence: int, checkpoint: Checkpoint, path: Sequence[bytes], hasher: Hasher = SM3
) -> bool:
    """True only if evidence ``leaf`` is record ``sequence`` of the log at ``checkpoint``."""
    return verify_inclusion(
        leaf_hash(leaf, hasher), sequence - 1, checkpoint.tree_size, path, checkpoint.root, hasher
    )
