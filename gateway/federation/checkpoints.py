"""Signed checkpoints of a node's evidence log, carrying its children's latest ones.

A node's checkpoint document is the RFC 9162 checkpoint of its whole evidence log
(:class:`gateway.evidence.consistency.Checkpoint`: ``checkpoint_version``, ``tree_size``,
``root``) with the node's code, the time it was made, and ``children``: the latest checkpoint
document (whole, signed) it accepted from each of its direct children, which carry theirs in
turn. Signed with the node's gateway key (:mod:`gateway.federation.documents`), it is what the
parent checks and anchors, so a document at the top of the tree vouches for every level below.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.evidence.consistency import Checkpoint, MalformedCheckpoint
from gateway.federation.documents import (
    SignedDocument,
    open_document,
    parse_stamp,
    sign_document,
    stamp,
)
from gateway.federation.errors import MalformedFederationDocument
from gateway.members.model import CODE_PATTERN

MAX_DEPTH = 6
"""Levels below a node a document may carry (国家-省-市-区县 needs three)."""
MAX_CHILDREN = 1000
MEMBERS = {"checkpoint_version", "tree_size", "root", "node", "issued_at", "children"}


@dataclass(frozen=True)
class NodeCheckpoint:
    """One node's checkpoint document, checked."""

    node: str
    checkpoint: Checkpoint
    issued_at: datetime
    children: tuple[dict[str, Any], ...]
    signed: SignedDocument

    @property
    def tree_size(self) -> int:
        return self.checkpoint.tree_size

    @property
    def root(self) -> str:
        return "0x" + self.checkpoint.root.hex()

    @property
    def document(self) -> dict[str, Any]:
        return self.signed.raw


def sign_checkpoint(
    node: str,
    checkpoint: Checkpoint,
    key: Sm2PrivateKey,
    children: Sequence[dict[str, Any]] = (),
    at: datetime | None = None,
) -> dict[str, Any]:
    body = {
        **checkpoint.to_dict(),
        "node": node,
        "issued_at": stamp(at or datetime.now(UTC)),
        "children": list(children),
    }
    return sign_document(body, key)


def open_checkpoint(document: object, expected_key: Sm2PublicKey | None = None) -> NodeCheckpoint:
    """Check the document's form and signature (children are checked by :func:`descendants`)."""
    signed = open_document(document, "checkpoint_version", expected_key)
    body = signed.body
    unknown = set(body) - {
        "checkpoint_version",
        "tree_size",
        "root",
        "node",
        "issued_at",
        "children",
    }
    if unknown:
        raise MalformedFederationDocument(f"unknown checkpoint members: {sorted(unknown)}")
    node = body.get("node")
    if not isinstance(node, str) or not CODE_PATTERN.match(node):
        raise MalformedFederationDocument("node must be a member code")
    try:
        checkpoint = Checkpoint.from_dict(body)
    except MalformedCheckpoint as exc:
        raise MalformedFederationDocument(exc.detail) from exc
    children = body.get("children")
    if not isinstance(children, list) or len(children) > MAX_CHILDREN:
        raise MalformedFederationDocument(f"children must be a list of at most {MAX_CHILDREN}")
    if not all(isinstance(child, dict) for child in children):
        raise MalformedFederationDocument("each child is a checkpoint document")
    return NodeCheckpoint(
        node, checkpoint, parse_stamp(body.get("issued_at"), "issued_at"), tuple(children), signed
    )


def descendants(top: NodeCheckpoint) -> Iterator[tuple[NodeCheckpoint, int]]:
    """Every checkpoint ``top`` carries below itself, with its depth (1 = a direct child),
    each checked; a malformed or wrongly signed one raises, naming nothing it was not sure of."""

    def walk(parent: NodeCheckpoint, depth: int) -> Iterator[tuple[NodeCheckpoint, int]]:
        if depth > MAX_DEPTH:
            raise MalformedFederationDocument(f"checkpoints nest deeper than {MAX_DEPTH} levels")
        for child in parent.children:
            opened = open_checkpoint(child)
            yield opened, depth
            yield from walk(opened, depth + 1)

    yield from walk(top, 1)
