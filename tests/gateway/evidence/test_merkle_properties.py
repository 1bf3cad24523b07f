"""Properties of RFC 6962 inclusion and consistency proofs over SM3 trees of 1..300 leaves:
every honest proof verifies, every tampered one is refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto.hashing import KECCAK256, sm3
from gateway.evidence.merkle import (
    MerkleTree,
    MerkleTreeError,
    leaf_hash,
    leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

SIZES = st.integers(min_value=1, max_value=300)


def leaves_of(size: int, seed: int = 0) -> list[bytes]:
    return [leaf_hash(f"record {seed}/{i}".encode()) for i in range(size)]


def recursive_root(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    split = 1
    while split * 2 < len(hashes):
        split *= 2
    return sm3(b"\x01" + recursive_root(hashes[:split]) + recursive_root(hashes[split:]))


def flip(value: bytes, position: int) -> bytes:
    position %= len(value)
    return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]


@settings(max_examples=60, deadline=None)
@given(size=SIZES, seed=st.integers(0, 2**16))
def test_every_proof_of_every_leaf_verifies(size: int, seed: int) -> None:
    hashes = leaves_of(size, seed)
    tree = MerkleTree(hashes)
    assert tree.root == recursive_root(hashes)
    proofs = tree.inclusion_proofs()
    assert len(proofs) == size
    for index, proof in enumerate(proofs):
        assert list(proof) == tree.inclusion_proof(index)
        assert verify_inclusion(hashes[index], index, size, proof, tree.root)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=SIZES)
def test_tampering_with_any_input_of_an_inclusion_proof_fails(
    data: st.DataObject, size: int
) -> None:
    hashes = leaves_of(size)
    tree = MerkleTree(hashes)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = tree.inclusion_proof(index)
    leaf, root = hashes[index], tree.root
    assert verify_inclusion(leaf, index, size, proof, root)

    byte = data.draw(st.integers(0, 31), label="byte")
    assert not verify_inclusion(flip(leaf, byte), index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, flip(root, byte))
    if proof:
        element = data.draw(st.integers(0, len(proof) - 1), label="element")
        tampered = [*proof]
        tampered[element] = flip(tampered[element], byte)
        assert not verify_inclusion(leaf, index, size, tampered, root)
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)

    other_index = data.draw(st.integers(-2, size + 2).filter(lambda i: i != index), label="j")
    assert not verify_inclusion(leaf, other_index, size, proof, root)
    other_size = data.draw(st.integers(1, 600).filter(lambda n: n != size), label="n")
    if index < other_size <= size:
        # Against the root the tree really had at that size, the proof must fail.
        assert not verify_inclusion(leaf, index, other_size, proof, tree.root_at(other_size))
    assert not verify_inclusion(leaf, index, size * 2, proof, root)
    assert not verify_inclusion(leaf, index, size // 2, proof, root)


def test_the_tree_size_is_bound_by_the_anchor_not_by_the_path() -> None:
    """Leaf 0's path in a 5-leaf tree has the shape it would have in a tree of 6, 7 or 8
    leaves, so a path alone does not prove the size: the verifier compares the proof's size
    with the batch count anchored on chain (AnchoredBatch)."""
    hashes = leaves_of(5)
    tree = MerkleTree(hashes)
    proof = tree.inclusion_proof(0)
    assert verify_inclusion(hashes[0], 0, 8, proof, tree.root)


def test_one_leaf_tree_has_an_empty_path_and_the_leaf_is_the_root() -> None:
    tree = MerkleTree([leaf_hash(b"only")])
    assert tree.root == leaf_hash(b"only")
    assert tree.inclusion_proof(0) == []
    assert verify_inclusion(tree.root, 0, 1, [], tree.root)


def test_empty_tree() -> None:
    tree = MerkleTree([])
    assert tree.root == sm3(b"")
    assert tree.inclusion_proofs() == []
    with pytest.raises(MerkleTreeError):
        tree.inclusion_proof(0)


@settings(max_examples=60, deadline=None)
@given(size=SIZES)
def test_consistency_proofs_verify_for_every_older_size(size: int) -> None:
    hashes = leaves_of(size)
    tree = MerkleTree(hashes)
    for old in range(size + 1):
        proof = tree.consistency_proof(old)
        assert verify_consistency(old, size, proof, tree.root_at(old), tree.root)
    for old in {1, size // 2, size - 1}:
        assert tree.root_at(old) == MerkleTree(hashes[:old]).root


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(min_value=2, max_value=300))
def test_tampered_consistency_proofs_fail(data: st.DataObject, size: int) -> None:
    tree = MerkleTree(leaves_of(size))
    old = data.draw(st.integers(1, size - 1), label="old")
    proof = tree.consistency_proof(old)
    old_root, new_root = tree.root_at(old), tree.root
    assert proof and verify_consistency(old, size, proof, old_root, new_root)

    byte = data.draw(st.integers(0, 31), label="byte")
    element = data.draw(st.integers(0, len(proof) - 1), label="element")
    tampered = [*proof]
    tampered[element] = flip(tampered[element], byte)
    assert not verify_consistency(old, size, tampered, old_root, new_root)
    assert not verify_consistency(old, size, proof[:-1], old_root, new_root)
    assert not verify_consistency(old, size, [*proof, new_root], old_root, new_root)
    assert not verify_consistency(old, size, [], old_root, new_root)
    assert not verify_consistency(old, size, proof, flip(old_root, byte), new_root)
    assert not verify_consistency(old, size, proof, old_root, flip(new_root, byte))
    assert not verify_consistency(old, size, proof, new_root, old_root)
    other_old = data.draw(st.integers(0, size).filter(lambda m: m != old), label="m")
    assert not verify_consistency(other_old, size, proof, tree.root_at(other_old), new_root)
    assert not verify_consistency(size, old, proof, new_root, old_root)


def test_a_tree_that_rewrote_history_has_no_consistency_proof() -> None:
    honest = MerkleTree(leaves_of(10))
    rewritten = MerkleTree([*leaves_of(9)[:4], leaf_hash(b"forged"), *leaves_of(10)[5:]])
    for old in range(5, 10):
        proof = rewritten.consistency_proof(old)
        assert not verify_consistency(old, 10, proof, honest.root_at(old), rewritten.root)


def test_degenerate_consistency_cases() -> None:
    tree = MerkleTree(leaves_of(4))
    assert verify_consistency(4, 4, [], tree.root, tree.root)
    assert not verify_consistency(4, 4, [tree.root], tree.root, tree.root)
    assert not verify_consistency(4, 4, [], tree.root_at(3), tree.root)
    assert verify_consistency(0, 4, [], sm3(b""), tree.root)
    assert not verify_consistency(0, 4, [], tree.root_at(1), tree.root)
    assert not verify_consistency(5, 4, [], tree.root, tree.root)


def test_verifiers_refuse_malformed_values_without_raising() -> None:
    hashes = leaves_of(6)
    tree = MerkleTree(hashes)
    proof = tree.inclusion_proof(3)
    assert not verify_inclusion(hashes[3][:31], 3, 6, proof, tree.root)
    assert not verify_inclusion(hashes[3], 3, 6, [proof[0][:31], *proof[1:]], tree.root)
    assert not verify_inclusion(hashes[3], 3, 6, proof, tree.root + b"\x00")
    assert not verify_inclusion(hashes[3], True, 6, proof, tree.root)
    assert not verify_consistency(2, 6, [b"short"], tree.root_at(2), tree.root)


def test_building_refuses_bad_leaf_hashes_and_ranges() -> None:
    with pytest.raises(MerkleTreeError) as raised:
        MerkleTree([leaf_hash(b"a"), b"not a digest"])
    assert raised.value.code == "merkle_tree_error"
    tree = MerkleTree(leaves_of(3))
    for bad in (-1, 3):
        with pytest.raises(MerkleTreeError):
            tree.inclusion_proof(bad)
    with pytest.raises(MerkleTreeError):
        tree.inclusion_proof(0, 4)
    with pytest.raises(MerkleTreeError):
        tree.consistency_proof(4)
    with pytest.raises(MerkleTreeError):
        tree.root_at(4)


@settings(max_examples=60, deadline=None)
@given(size=SIZES, seed=st.integers(0, 1000))
def test_stored_proof_texts_are_the_json_of_every_inclusion_proof(size: int, seed: int) -> None:
    data = [f"record {seed}/{i}".encode() for i in range(size)]
    tree = MerkleTree(leaf_hashes(data))
    assert tree.root == recursive_root([leaf_hash(item) for item in data])
    assert tree.inclusion_proof_texts() == [
        json.dumps(["0x" + node.hex() for node in tree.inclusion_proof(i)], separators=(",", ":"))
        for i in range(size)
    ]
    other = MerkleTree(leaf_hashes(data, KECCAK256), KECCAK256)
    assert other.root == MerkleTree.from_leaves(data, KECCAK256).root != tree.root


def test_empty_tree_has_no_proof_texts() -> None:
    assert MerkleTree([]).inclusion_proof_texts() == []
