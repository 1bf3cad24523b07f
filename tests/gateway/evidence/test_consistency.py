"""Checkpoints of the whole evidence log and RFC 9162 §2.1.4 consistency proofs between them.

Known answers: the Certificate Transparency reference consistency proofs for the eight test
leaves (SHA-256 in place of SM3); properties (hypothesis): every older checkpoint is proved
consistent with every newer one, and rewriting any leaf below the older size breaks the proof.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.evidence.consistency import (
    Checkpoint,
    LogTree,
    MalformedCheckpoint,
    check_consistency,
    check_inclusion,
    consistency_document,
)
from tests.gateway.evidence.test_merkle_vectors import CT_LEAVES, SHA256

H = bytes.fromhex

CT_CONSISTENCY = [  # (old size, new size, old root, new root, proof)
    (
        1,
        8,
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


@pytest.mark.parametrize(("old", "new", "old_root", "new_root", "proof"), CT_CONSISTENCY)
def test_reference_consistency_proofs(
    old: int, new: int, old_root: str, new_root: str, proof: list[str]
) -> None:
    log = LogTree.from_leaves(CT_LEAVES[:new], SHA256)
    assert log.checkpoint(old) == Checkpoint(old, H(old_root))
    assert log.checkpoint() == Checkpoint(new, H(new_root))
    assert [node.hex() for node in log.consistency(old)] == proof
    assert check_consistency(
        Checkpoint(old, H(old_root)), Checkpoint(new, H(new_root)), [H(p) for p in proof], SHA256
    )


def test_a_short_or_altered_proof_is_refused() -> None:
    old, new, old_root, new_root, proof = CT_CONSISTENCY[1]
    a, b = Checkpoint(old, H(old_root)), Checkpoint(new, H(new_root))
    nodes = [H(p) for p in proof]
    assert not check_consistency(a, b, nodes[:2], SHA256)
    assert not check_consistency(a, b, [nodes[0], nodes[1], b"\x00" * 32], SHA256)
    assert not check_consistency(b, a, nodes, SHA256)


leaves = st.lists(st.binary(max_size=12), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(leaves, st.data())
def test_every_older_checkpoint_is_consistent_with_a_newer_one(
    data: list[bytes], draw: st.DataObject
) -> None:
    log = LogTree.from_leaves(data)
    old = draw.draw(st.integers(0, log.size))
    assert check_consistency(log.checkpoint(old), log.checkpoint(), log.consistency(old))
    sequence = draw.draw(st.integers(1, log.size))
    assert check_inclusion(data[sequence - 1], sequence, log.checkpoint(), log.inclusion(sequence))


@settings(max_examples=60, deadline=None)
@given(leaves, st.data())
def test_a_rewritten_leaf_breaks_consistency(data: list[bytes], draw: st.DataObject) -> None:
    old = draw.draw(st.integers(1, len(data)))
    witnessed = LogTree.from_leaves(data).checkpoint(old)
    victim = draw.draw(st.integers(0, old - 1))
    rewritten = [*data[:victim], data[victim] + b"!", *data[victim + 1 :], b"later"]
    forged = LogTree.from_leaves(rewritten)
    assert not check_consistency(witnessed, forged.checkpoint(), forged.consistency(old))


def test_checkpoint_documents_round_trip_and_bad_ones_are_refused() -> None:
    checkpoint = Checkpoint(3, b"\x11" * 32)
    assert Checkpoint.from_dict(checkpoint.to_dict()) == checkpoint
    assert b'"origin":"0xabc"' in checkpoint.signing_input("0xabc")
    document = consistency_document(checkpoint, Checkpoint(4, b"\x22" * 32), [b"\x33" * 32])
    assert document["proof"] == ["0x" + "33" * 32]
    for bad in ({"tree_size": -1, "root": "0x" + "00" * 32}, {"tree_size": 1, "root": "0x12"}, []):
        with pytest.raises(MalformedCheckpoint):
            Checkpoint.from_dict(bad)
