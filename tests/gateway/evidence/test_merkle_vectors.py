"""Known answers for the RFC 6962 Merkle tree: the Certificate Transparency SHA-256 vectors
(roots, node hashes, inclusion and consistency proofs as published with the CT and
transparency-dev reference tests), and SM3 roots computed independently for sizes 1..17."""

from __future__ import annotations

import hashlib

import pytest
from gmssl import func as gmssl_func
from gmssl import sm3 as gmssl_sm3

from gateway.crypto.hashing import SM3, sm3
from gateway.evidence.merkle import (
    MerkleTree,
    empty_root,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


class Sha256:
    """RFC 6962's own hash, to check the algorithm against the published vectors."""

    name = "sha256"
    digest_size = 32

    def hash(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()


SHA256 = Sha256()

CT_LEAVES = [
    bytes.fromhex(text)
    for text in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [  # by tree size 0..8
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_LEAF_HASHES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
CT_LEVEL_1 = [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
]
CT_LEVEL_2 = [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
CT_INCLUSION = [  # (leaf index, tree size, audit path)
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
"""Proof elements are named by the first 4 bytes of the published node hashes above."""

NODES = {text[:8]: bytes.fromhex(text) for text in CT_LEAF_HASHES + CT_LEVEL_1 + CT_LEVEL_2}


def ct_tree() -> MerkleTree:
    return MerkleTree.from_leaves(CT_LEAVES, SHA256)


def test_the_8_leaf_ct_root_is_5dc9da79() -> None:
    assert ct_tree().root.hex() == CT_ROOTS[8]


@pytest.mark.parametrize("size", range(9))
def test_ct_roots_for_every_prefix(size: int) -> None:
    assert MerkleTree.from_leaves(CT_LEAVES[:size], SHA256).root.hex() == CT_ROOTS[size]
    assert ct_tree().root_at(size).hex() == CT_ROOTS[size]


def test_ct_leaf_and_node_hashes() -> None:
    assert [leaf_hash(leaf, SHA256).hex() for leaf in CT_LEAVES] == CT_LEAF_HASHES
    level_1 = [
        node_hash(bytes.fromhex(CT_LEAF_HASHES[i]), bytes.fromhex(CT_LEAF_HASHES[i + 1]), SHA256)
        for i in range(0, 8, 2)
    ]
    assert [node.hex() for node in level_1] == CT_LEVEL_1
    assert empty_root(SHA256).hex() == CT_ROOTS[0]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_ct_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    expected = [NODES[name] for name in path]
    tree = ct_tree()
    assert tree.inclusion_proof(index, size) == expected
    if size == tree.size:
        assert list(tree.inclusion_proofs()[index]) == expected
    root = bytes.fromhex(CT_ROOTS[size])
    leaf = bytes.fromhex(CT_LEAF_HASHES[index])
    assert verify_inclusion(leaf, index, size, expected, root, SHA256)
    if expected:
        assert not verify_inclusion(leaf, index, size, expected, root)  # SM3 is not SHA-256


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_ct_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    expected = [NODES[name] for name in proof]
    assert ct_tree().consistency_proof(old, new) == expected
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert verify_consistency(old, new, expected, old_root, new_root, SHA256)


# --- SM3 -----------------------------------------------------------------------------------


def independent_sm3(data: bytes) -> bytes:
    """SM3 from the pure-Python PyPI gmssl, not the OpenSSL one the gateway uses."""
    return bytes.fromhex(gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(data)))


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 §2.1, recursively."""
    if not leaves:
        return independent_sm3(b"")
    if len(leaves) == 1:
        return independent_sm3(b"\x00" + leaves[0])
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return independent_sm3(
        b"\x01" + reference_root(leaves[:split]) + reference_root(leaves[split:])
    )


SM3_LEAVES = [f"evidence leaf {i}".encode() for i in range(17)]
SM3_ROOTS = {
    0: "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b",
    1: "adc612be6be33ce1d7e2d6a4bc87bdf7ccd734faa6a22abcad760d32bbf9aa81",
    2: "25e9e59de8c779e9553e44b2186011bcab0fb382e5d572e1d5db25317b2e7996",
    3: "976240c8438174a16113f2e8e0ccbdade98ffc6f8fd0be02b33976ae06e75eb6",
    4: "9333dd16b1c45bc10aedcec23e537f062eaa265103b3b0241df335d550c0e124",
    5: "1b548af55f568ea50f5c308a77f023d7053e5e27b2eaec88ec2b8256ca92754b",
    6: "e67b1269a8598bdd153adbb95fb9d68f81080a96a8459f1074d3b35cca15b35b",
    7: "51fcfc6afb15a4df7cc14940922d131335efaf559a84b10185d9ebc6078efdd5",
    8: "fecef9b4b6c6c2e9bf85192c4e3cf8eeccbf4630ea8ac9a9e0bc045108268df2",
    9: "47427e0f3967c3ddbfea032b59c8c0a95ab9c7395180dd01a00b10ccf498f930",
    10: "1d8e4efd793ac3cffc7cd00ee83b585ad6389086f3b823331ae9d76e48db5386",
    11: "c1486751163f4f1049094b4687979ac24ecb9beb1ab7235c05172a42b2f0d65a",
    12: "41569338aa3b3b0900a75f9d58a9f2779ce40ad31212d70b173c5247714367df",
    13: "c77879a097e667eaed1750803967b31fd7971b3d35843670f5d0d6ba20970248",
    14: "2395fcabb671790bb43ad140f361052e37a033a91d86ba41e7c2f5c64357ac19",
    15: "80391e86fe1c524f2316e483cce0a317b3b185793009ee33c69ab7b616fdc1ed",
    16: "d5ccaeed727ecd53fb2e11725ead4dc9476849f0633d5c7d4b71d5fb0ff491bd",
    17: "5fd412485528d681599159c0b5807d7c2c22c64a57d3516e0208bc393107a6cb",
}


@pytest.mark.parametrize("size", range(18))
def test_sm3_roots_match_an_independent_recursive_implementation(size: int) -> None:
    leaves = SM3_LEAVES[:size]
    assert reference_root(leaves).hex() == SM3_ROOTS[size]
    tree = MerkleTree.from_leaves(leaves)
    assert tree.hasher is SM3
    assert tree.root.hex() == SM3_ROOTS[size]


def test_sm3_is_the_default_hash_and_the_prefixes_are_rfc_6962() -> None:
    assert empty_root() == sm3(b"")
    assert leaf_hash(b"record") == sm3(b"\x00record")
    left, right = sm3(b"left"), sm3(b"right")
    assert node_hash(left, right) == sm3(b"\x01" + left + right)
    assert node_hash(left, right) != node_hash(right, left)
