"""Signed federation documents: a pinned checkpoint verified by an independent implementation,
strict parsing, and entry ids across levels."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from gmssl import sm2 as gmssl_sm2
from gmssl import sm3 as gmssl_sm3

from gateway.crypto.canonical import canonical_json
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.consistency import Checkpoint
from gateway.federation.checkpoints import MAX_DEPTH, descendants, open_checkpoint, sign_checkpoint
from gateway.federation.documents import document_digest, open_document, sign_document
from gateway.federation.errors import FederationSignatureInvalid, MalformedFederationDocument
from gateway.federation.identity import Identity, ParentLink, origin_of, qualify

VECTOR = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "federation_checkpoint.json").read_text()
)


def _pypi_sm3(data: bytes) -> str:
    return "0x" + str(gmssl_sm3.sm3_hash(list(data)))


def test_the_pinned_checkpoint_opens_with_its_children() -> None:
    city = open_checkpoint(VECTOR["document"])
    assert (city.node, city.tree_size) == ("R320100", 5)
    [(county, depth)] = list(descendants(city))
    assert (county.node, county.tree_size, depth) == ("R320102", 3, 1)
    assert city.signed.digest == VECTOR["digest"]
    assert county.signed.digest == VECTOR["nested_digest"]
    assert canonical_json(VECTOR["document"]).decode() == VECTOR["canonical"]


def test_an_independent_implementation_agrees_on_digest_and_signature() -> None:
    """PyPI's pure-Python gmssl: SM3 of the canonical JSON, and SM2 with Z_A over it less the
    signature member."""
    document = copy.deepcopy(VECTOR["document"])
    assert _pypi_sm3(canonical_json(document)) == VECTOR["digest"]
    signature = document.pop("signature")
    verifier = gmssl_sm2.CryptSM2(private_key=None, public_key=signature["public_key"][2:])
    message = canonical_json(document)
    assert verifier.verify_with_sm3(signature["signature"][2:], message)
    assert not verifier.verify_with_sm3(signature["signature"][2:], message.replace(b"R32", b"R33"))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("tree_size",), 6),
        (("node",), "R320200"),
        (("children", 0, "tree_size"), 4),
        (("signature", "key_id"), "0x" + "00" * 20),
    ],
)
def test_any_change_breaks_the_document(path: tuple[Any, ...], value: object) -> None:
    document = copy.deepcopy(VECTOR["document"])
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(FederationSignatureInvalid):
        list(descendants(open_checkpoint(document)))


def test_malformed_documents_are_refused_with_a_clear_error() -> None:
    key = Sm2PrivateKey.generate()
    good = sign_checkpoint("R320100", Checkpoint(1, b"\1" * 32), key)
    for broken in (
        [],
        {**good, "checkpoint_version": 2},
        {**good, "signature": {**good["signature"], "suite": "ecdsa"}},
        {**good, "signature": {**good["signature"], "public_key": "0x1234"}},
        {k: v for k, v in good.items() if k != "signature"},
        sign_document({**{k: v for k, v in good.items() if k != "signature"}, "extra": 1}, key),
        sign_checkpoint("r320100", Checkpoint(1, b"\1" * 32), key),
        sign_document({**{k: v for k, v in good.items() if k != "signature"}, "root": "0x1"}, key),
    ):
        with pytest.raises(MalformedFederationDocument):
            open_checkpoint(broken)
    with pytest.raises(FederationSignatureInvalid):
        open_document(good, "checkpoint_version", expected_key=Sm2PrivateKey.generate().public_key)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    key = Sm2PrivateKey.generate()
    document = sign_checkpoint("N0", Checkpoint(1, b"\1" * 32), key)
    for level in range(1, MAX_DEPTH + 2):
        document = sign_checkpoint(f"N{level}", Checkpoint(1, b"\1" * 32), key, (document,))
    with pytest.raises(MalformedFederationDocument):
        list(descendants(open_checkpoint(document)))


def test_identity_and_link_round_trip_and_carry_their_signers_key() -> None:
    child, parent = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    identity = Identity.open(Identity.sign("R320100", "南京市", "http://city:8080/", child))
    assert (identity.node, identity.name, identity.url) == ("R320100", "南京市", "http://city:8080")
    assert identity.public_key == child.public_key
    document = ParentLink.sign(
        child="R320100",
        client_id="r320100-1",
        parent="R320000",
        parent_name="江苏省",
        url="http://province:8080",
        issuer="http://province:8080",
        key=parent,
    )
    link = ParentLink.open(document)
    assert (link.child, link.parent, link.client_id) == ("R320100", "R320000", "r320100-1")
    assert link.public_key == parent.public_key
    assert document_digest(link.document) == document_digest(document)
    document["parent"]["url"] = "http://elsewhere"
    with pytest.raises(FederationSignatureInvalid):
        ParentLink.open(document)


def test_entry_ids_name_the_node_whose_departments_answer_them() -> None:
    assert qualify("R320000", "NRD-TITLE") == "R320000:NRD-TITLE"
    assert qualify("R320100", "R320000:NRD-TITLE") == "R320000:NRD-TITLE"
    assert origin_of("R320000:NRD-TITLE") == "R320000"
    assert origin_of("NRD-TITLE") is None
