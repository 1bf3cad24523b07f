"""Merkle Tree Hash, inclusion and consistency proofs of RFC 6962 §2.1 (RFC 9162 §2.1), with
SM3 (GB/T 32905) as the hash by default.

Leaves are hashed as H(0x00 ‖ data) and interior nodes as H(0x01 ‖ left ‖ right), so a leaf can
never be passed off as a node (second-preimage resistance, RFC 6962 §2.1). A tree of n > 1
leaves splits at k, the largest power of two smaller than n; the empty tree hashes to H("").
These are exactly Certificate Transparency's rules, so any RFC 6962 verifier that can be given
SM3 checks our proofs, and our code checks theirs when given SHA-256.

:class:`MerkleTree` is built from *leaf hashes* (not leaf data): callers hash each record once
with :func:`leaf_hash` and keep that value beside the record. The tree is built level by level,
pairing neighbours and carrying an unpaired last node up unchanged, which yields the same
hashes as the RFC's recursive split; every audit path is then read off the levels, so a whole
batch with all its proofs costs O(n log n).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from gateway.crypto.hashing import SM3, Hasher, Sm3Hasher, sm3_many
from gateway.errors import GatewayError

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class MerkleTreeError(GatewayError):
    """A tree or proof was asked for with impossible arguments (index or size out of range,
    a leaf hash of the wrong length)."""

    code: ClassVar[str] = "merkle_tree_error"
    status: ClassVar[int] = 422
    title: ClassVar[str] = "Invalid Merkle tree request"


def leaf_hash(data: bytes, hasher: Hasher = SM3) -> bytes:
    """H(0x00 ‖ data): the hash of one leaf (RFC 6962 §2.1)."""
    return hasher.hash(LEAF_PREFIX + data)


def leaf_hashes(leaves: Sequence[bytes], hasher: Hasher = SM3) -> list[bytes]:
    """:func:`leaf_hash` of each item, in order (SM3 in one C call per leaf)."""
    return _many_hasher(hasher)([LEAF_PREFIX + item for item in leaves])


def _many_hasher(hasher: Hasher) -> Callable[[list[bytes]], list[bytes]]:
    if isinstance(hasher, Sm3Hasher):
        return sm3_many
    hash_data = hasher.hash
    return lambda items: [hash_data(item) for item in items]


def node_hash(left: bytes, right: bytes, hasher: Hasher = SM3) -> bytes:
    """H(0x01 ‖ left ‖ right): the hash of an interior node (RFC 6962 §2.1)."""
    return hasher.hash(NODE_PREFIX + left + right)


def empty_root(hasher: Hasher = SM3) -> bytes:
    """H(""), the Merkle Tree Hash of the empty list (RFC 6962 §2.1)."""
    return hasher.hash(b"")


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k, for n >= 2: the RFC 6962 split point."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An RFC 6962 Merkle tree over a fixed list of leaf hashes.

    ``levels[0]`` are the leaf hashes; ``levels[h][j]`` is the hash of the subtree over leaves
    ``[j·2^h, min((j+1)·2^h, size))``; the last level holds the root. Proofs can also be asked
    for earlier tree sizes (the first m leaves), which is what consistency between successive
    batches of an append-only log needs.
    """

    def __init__(self, leaf_hashes: Sequence[bytes], hasher: Hasher = SM3) -> None:
        self._hasher = hasher
        digest_size = hasher.digest_size
        leaves = list(leaf_hashes)
        for index, value in enumerate(leaves):
            if not isinstance(value, bytes) or len(value) != digest_size:
                raise MerkleTreeError(
                    f"leaf hash {index} is not {digest_size} bytes of {hasher.name}"
                )
        self._levels: list[list[bytes]] = [leaves]
        hash_many = _many_hasher(hasher)
        level = leaves
        while len(level) > 1:
            pairs = iter(level)
            upper = hash_many(
                [NODE_PREFIX + left + right for left, right in zip(pairs, pairs, strict=False)]
            )
            if len(level) % 2:
                upper.append(level[-1])
            self._levels.append(upper)
            level = upper

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes], hasher: Hasher = SM3) -> MerkleTree:
        """A tree over leaf *data*: each item is hashed with :func:`leaf_hash` first."""
        return cls(leaf_hashes(leaves, hasher), hasher)

    @property
    def hasher(self) -> Hasher:
        return self._hasher

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def __len__(self) -> int:
        return self.size

    @property
    def root(self) -> bytes:
        """The Merkle Tree Hash of all leaves (H("") for an empty tree)."""
        if not self._levels[0]:
            return empty_root(self._hasher)
        return self._levels[-1][0]

    def leaf_hash(self, index: int) -> bytes:
        self._check_index(index, self.size)
        return self._levels[0][index]

    def root_at(self, tree_size: int) -> bytes:
        """The root the tree had when it held only its first ``tree_size`` leaves."""
        self._check_size(tree_size)
        if tree_size == 0:
            return empty_root(self._hasher)
        return self._subtree_hash(0, tree_size)

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> list[bytes]:
        """The audit path PATH(index, D[0:tree_size]) of RFC 6962 §2.1.1, leaf side first
        (the order RFC 9162 §2.1.3.2 verifies). ``tree_size`` defaults to the whole tree."""
        size = self.size if tree_size is None else tree_size
        self._check_size(size)
        self._check_index(index, size)
        if size != self.size:
            return self._path(index, 0, size)
        path: list[bytes] = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index >>= 1
        return path

    def inclusion_proofs(self) -> list[tuple[bytes, ...]]:
        """Every leaf's audit path for the whole tree, in leaf order. Paths are built from the
        top down and share their upper parts, hence immutable tuples."""
        if not self._levels[0]:
            return []
        paths: list[tuple[bytes, ...]] = [()]
        for level in reversed(self._levels[:-1]):
            count = len(level)
            upper = paths
            paths = [
                (level[position ^ 1], *upper[position >> 1])
                for position in range(count - count % 2)
            ]
            if count % 2:
                paths.append(upper[count >> 1])
        return paths

    def inclusion_proof_texts(self) -> list[str]:
        """Every leaf's audit path as the JSON text evidence stores (an array of ``0x`` hex
        nodes, leaf side first), in leaf order: :meth:`inclusion_proofs` with each node's hex
        spelled once instead of once per proof it appears in."""
        if not self._levels[0]:
            return []
        paths: list[str] = [""]
        for level in reversed(self._levels[:-1]):
            count = len(level)
            spelled = ['"0x' + node.hex() + '"' for node in level]
            upper = paths
            paths = [
                spelled[position ^ 1] + ("," + upper[position >> 1] if upper[position >> 1] else "")
                for position in range(count - count % 2)
            ]
            if count % 2:
                paths.append(upper[count >> 1])
        return ["[" + path + "]" for path in paths]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2: the nodes that show the tree of
        ``old_size`` leaves is a prefix of the tree of ``new_size`` leaves. Empty when
        ``old_size`` is 0 or equals ``new_size``."""
        size = self.size if new_size is None else new_size
        self._check_size(size)
        if not 0 <= old_size <= size:
            raise MerkleTreeError(f"old tree size {old_size} is not in [0, {size}]")
        if old_size in (0, size):
            return []
        return self._subproof(old_size, 0, size, complete=True)

    def _check_size(self, tree_size: int) -> None:
        if isinstance(tree_size, bool) or not 0 <= tree_size <= self.size:
            raise MerkleTreeError(f"tree size {tree_size} is not in [0, {self.size}]")

    @staticmethod
    def _check_index(index: int, tree_size: int) -> None:
        if isinstance(index, bool) or not 0 <= index < tree_size:
            raise MerkleTreeError(f"leaf index {index} is not in [0, {tree_size})")

    def _subtree_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for 0 <= start < end <= size: one stored node when the range is a
        node of this tree, otherwise combined from stored nodes by the RFC's split."""
        width = end - start
        height = (width - 1).bit_length()
        span = 1 << height
        if start % span == 0 and end == min(start + span, self.size):
            return self._levels[height][start >> height]
        split = start + _largest_power_of_two_below(width)
        return self._hasher.hash(
            NODE_PREFIX + self._subtree_hash(start, split) + self._subtree_hash(split, end)
        )

    def _path(self, index: int, start: int, end: int) -> list[bytes]:
        """PATH(index, D[start:end]) by the RFC 6962 §2.1.1 recursion (index is absolute)."""
        if end - start == 1:
            return []
        split = start + _largest_power_of_two_below(end - start)
        if index < split:
            return [*self._path(index, start, split), self._subtree_hash(split, end)]
        return [*self._path(index, split, end), self._subtree_hash(start, split)]

    def _subproof(self, old_size: int, start: int, end: int, *, complete: bool) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b) of RFC 6962 §2.1.2, m counted from ``start``."""
        if old_size == end - start:
            return [] if complete else [self._subtree_hash(start, end)]
        split = _largest_power_of_two_below(end - start)
        if old_size <= split:
            return [
                *self._subproof(old_size, start, start + split, complete=complete),
                self._subtree_hash(start + split, end),
            ]
        return [
            *self._subproof(old_size - split, start + split, end, complete=False),
            self._subtree_hash(start, start + split),
        ]


def _is_digest(value: object, size: int) -> bool:
    return isinstance(value, bytes) and len(value) == size


def root_from_inclusion_proof(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], hasher: Hasher = SM3
) -> bytes | None:
    """The root an audit path leads to from ``leaf`` (RFC 9162 §2.1.3.2), or None when the
    path cannot belong to a leaf at ``index`` of a tree of ``tree_size`` leaves."""
    size = hasher.digest_size
    if isinstance(index, bool) or isinstance(tree_size, bool):
        return None
    if not (isinstance(index, int) and isinstance(tree_size, int) and 0 <= index < tree_size):
        return None
    if not _is_digest(leaf, size) or not all(_is_digest(node, size) for node in proof):
        return None
    position, last = index, tree_size - 1
    result = leaf
    for node in proof:
        if last == 0:
            return None
        if position & 1 or position == last:
            result = hasher.hash(NODE_PREFIX + node + result)
            while position and not position & 1:
                position >>= 1
                last >>= 1
        else:
            result = hasher.hash(NODE_PREFIX + result + node)
        position >>= 1
        last >>= 1
    if last != 0:
        return None
    return result


def verify_inclusion(
    leaf: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
    hasher: Hasher = SM3,
) -> bool:
    """True only if ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree of
    ``tree_size`` leaves whose root is ``root`` (RFC 9162 §2.1.3.2). Never raises for a bad
    proof: wrong lengths, types or ranges are simply False."""
    computed = root_from_inclusion_proof(leaf, index, tree_size, proof, hasher)
    return computed is not None and _is_digest(root, hasher.digest_size) and computed == root


def verify_consistency(
    old_size: int,
    new_size: int,
    proof: Sequence[bytes],
    old_root: bytes,
    new_root: bytes,
    hasher: Hasher = SM3,
) -> bool:
    """True only if ``proof`` shows the tree of ``old_size`` leaves with root ``old_root`` is
    a prefix of the tree of ``new_size`` leaves with root ``new_root`` (RFC 9162 §2.1.4.2).

    Degenerate cases: equal sizes need an empty proof and equal roots; an old size of 0 needs
    an empty proof and ``old_root`` equal to H(""). Never raises for a bad proof."""
    size = hasher.digest_size
    if isinstance(old_size, bool) or isinstance(new_size, bool):
        return False
    if not (isinstance(old_size, int) and isinstance(new_size, int) and 0 <= old_size <= new_size):
        return False
    if not (_is_digest(old_root, size) and _is_digest(new_root, size)):
        return False
    nodes = list(proof)
    if not all(_is_digest(node, size) for node in nodes):
        return False
    if old_size == new_size:
        return not nodes and old_root == new_root
    if old_size == 0:
        return not nodes and old_root == empty_root(hasher)
    if not nodes:
        return False
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, old_root)
    first, last = old_size - 1, new_size - 1
    while first & 1:
        first >>= 1
        last >>= 1
    old_hash = new_hash = nodes[0]
    for node in nodes[1:]:
        if last == 0:
            return False
        if first & 1 or first == last:
            old_hash = hasher.hash(NODE_PREFIX + node + old_hash)
            new_hash = hasher.hash(NODE_PREFIX + node + new_hash)
            while first and not first & 1:
                first >>= 1
                last >>= 1
        else:
            new_hash = hasher.hash(NODE_PREFIX + new_hash + node)
        first >>= 1
        last >>= 1
    return last == 0 and old_hash == old_root and new_hash == new_root


__all__ = [
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "MerkleTree",
    "MerkleTreeError",
    "empty_root",
    "leaf_hash",
    "leaf_hashes",
    "node_hash",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]
