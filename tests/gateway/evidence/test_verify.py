"""Offline verification of an access's evidence: every check reported in order, the first
failure named, and only uninterpretable input raising."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.digests import evidence_leaf
from gateway.evidence.merkle import MerkleTree, leaf_hash
from gateway.evidence.receipt import Receipt, ReceiptFormatError
from gateway.evidence.verify import (
    AnchoredBatch,
    EvidenceInputError,
    InclusionProof,
    ProofFormatError,
    inclusion_proof_document,
    verify_evidence,
)

FIRST_SEQUENCE = 101
BATCH_SIZE = 37
POSITION = 12  # the record under test: sequence 113


@pytest.fixture
def batch(make_record_fields: Any) -> list[dict[str, Any]]:
    """A batch of records, sequence FIRST_SEQUENCE.., the tree's leaves in sequence order."""
    return [
        make_record_fields(sequence=FIRST_SEQUENCE + i, request_id=f"req-{FIRST_SEQUENCE + i}")
        for i in range(BATCH_SIZE)
    ]


@pytest.fixture
def tree(batch: list[dict[str, Any]]) -> MerkleTree:
    return MerkleTree([leaf_hash(evidence_leaf(record)) for record in batch])


@pytest.fixture
def proof(batch: list[dict[str, Any]], tree: MerkleTree) -> dict[str, Any]:
    document = inclusion_proof_document(
        batch[POSITION],
        POSITION,
        tree.size,
        tree.inclusion_proof(POSITION),
        tree.root,
        anchor={"tx_hash": "0x" + "aa" * 32, "block_number": 7},
    )
    return json.loads(json.dumps(document))  # as read back from an export


@pytest.fixture
def receipt(make_receipt: Any) -> dict[str, Any]:
    issued = make_receipt(sequence=FIRST_SEQUENCE + POSITION, request_id="req-113")
    return json.loads(issued.to_json())


@pytest.fixture
def public_key(gateway_key: Sm2PrivateKey) -> bytes:
    return gateway_key.public_key.to_bytes()


def full_check(
    receipt: dict[str, Any],
    public_key: bytes,
    request: Any,
    response: Any,
    proof: dict[str, Any],
    anchored: Any,
) -> dict[str, Any]:
    report = verify_evidence(
        receipt,
        gateway_public_key=public_key,
        request=request,
        response=response,
        proof=proof,
        anchored_root=anchored,
    )
    return report.to_dict()


def test_everything_verifies(
    receipt: dict[str, Any],
    public_key: bytes,
    request_document: Any,
    response_document: Any,
    proof: dict[str, Any],
    tree: MerkleTree,
) -> None:
    anchored = AnchoredBatch(tree.root, count=BATCH_SIZE, first_sequence=FIRST_SEQUENCE)
    result = full_check(receipt, public_key, request_document, response_document, proof, anchored)
    assert result["ok"] is True
    assert result["first_failure"] is None
    assert [check["name"] for check in result["checks"]] == [
        "receipt_signature",
        "request_digest",
        "response_digest",
        "record_matches_receipt",
        "inclusion_proof",
        "anchored_root",
        "anchored_position",
    ]
    assert result["skipped"] == []
    json.dumps(result)


def test_receipt_alone(receipt: dict[str, Any], public_key: bytes) -> None:
    report = verify_evidence(receipt, gateway_public_key=public_key)
    assert report.ok
    assert [check.name for check in report.checks] == ["receipt_signature"]
    assert report.skipped == (
        "request_digest",
        "response_digest",
        "record_matches_receipt",
        "inclusion_proof",
        "anchored_root",
        "anchored_position",
    )


def test_a_plain_root_skips_the_position_check(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any], tree: MerkleTree
) -> None:
    report = verify_evidence(
        receipt, gateway_public_key=public_key, proof=proof, anchored_root=tree.root
    )
    assert report.ok
    assert report.skipped[-1] == "anchored_position"


def test_a_forged_receipt_fails_first_and_the_rest_still_runs(
    receipt: dict[str, Any],
    public_key: bytes,
    request_document: Any,
    response_document: Any,
    proof: dict[str, Any],
    tree: MerkleTree,
) -> None:
    forged = receipt | {"consumer": "CAB"}
    result = full_check(forged, public_key, request_document, response_document, proof, tree.root)
    assert result["first_failure"] == "receipt_signature"
    failed = {check["name"] for check in result["checks"] if not check["ok"]}
    assert failed == {"receipt_signature", "record_matches_receipt"}
    mismatch = next(c for c in result["checks"] if c["name"] == "record_matches_receipt")
    assert "consumer" in mismatch["detail"]


def test_another_gateway_key_fails(receipt: dict[str, Any]) -> None:
    other = Sm2PrivateKey.generate().public_key.to_sec1()
    report = verify_evidence(receipt, gateway_public_key=other)
    assert not report.ok
    assert report.first_failure is not None
    assert report.first_failure.name == "receipt_signature"


def test_a_different_request_or_response_fails(
    receipt: dict[str, Any], public_key: bytes, request_document: Any, response_document: Any
) -> None:
    changed_request = {**request_document, "parameters": {"id_number": "110101199003074212"}}
    report = verify_evidence(
        receipt, gateway_public_key=public_key, request=changed_request, response=response_document
    )
    assert report.first_failure is not None
    assert report.first_failure.name == "request_digest"
    assert receipt["request_digest"] in report.first_failure.detail
    assert [check.ok for check in report.checks] == [True, False, True]

    report = verify_evidence(receipt, gateway_public_key=public_key, response={"records": []})
    assert report.first_failure is not None and report.first_failure.name == "response_digest"


def test_the_canonical_form_is_what_counts(
    receipt: dict[str, Any], public_key: bytes, request_document: Any
) -> None:
    """Key order and whitespace do not matter: the digest is over RFC 8785 canonical JSON."""
    reordered = json.loads(json.dumps(request_document, sort_keys=False, indent=4))
    reordered = dict(reversed(list(reordered.items())))
    report = verify_evidence(receipt, gateway_public_key=public_key, request=reordered)
    assert report.ok


def test_a_response_to_a_denied_request_fails(make_receipt: Any, public_key: bytes) -> None:
    denied = json.loads(
        make_receipt(decision="denied", reason="no_grant", response_digest=None).to_json()
    )
    report = verify_evidence(denied, gateway_public_key=public_key, response={"records": []})
    assert report.first_failure is not None
    assert report.first_failure.name == "response_digest"
    assert "no response" in report.first_failure.detail


def test_a_proof_of_another_record_fails(
    receipt: dict[str, Any],
    public_key: bytes,
    batch: list[dict[str, Any]],
    tree: MerkleTree,
) -> None:
    neighbour = inclusion_proof_document(
        batch[POSITION + 1], POSITION + 1, tree.size, tree.inclusion_proof(POSITION + 1), tree.root
    )
    report = verify_evidence(receipt, gateway_public_key=public_key, proof=neighbour)
    assert report.first_failure is not None
    assert report.first_failure.name == "record_matches_receipt"
    assert "request_id" in report.first_failure.detail
    assert report.checks[-1].name == "inclusion_proof" and report.checks[-1].ok


def test_a_tampered_proof_fails(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any]
) -> None:
    path = list(proof["audit_path"])
    path[2] = path[2][:-1] + ("0" if path[2][-1] != "0" else "1")
    for tampered in (
        proof | {"audit_path": path},
        proof | {"audit_path": path[:-1]},
        proof | {"leaf_index": POSITION + 1},
        proof | {"tree_size": BATCH_SIZE + 100},
        proof | {"record": proof["record"] | {"purpose": "M0102"}},
        proof | {"root": "0x" + "00" * 32},
    ):
        report = verify_evidence(receipt, gateway_public_key=public_key, proof=tampered)
        assert report.first_failure is not None
        assert report.first_failure.name == "inclusion_proof", tampered


def test_a_root_the_chain_does_not_hold_fails(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any], tree: MerkleTree
) -> None:
    report = verify_evidence(
        receipt, gateway_public_key=public_key, proof=proof, anchored_root=bytes(32)
    )
    assert report.first_failure is not None
    assert report.first_failure.name == "anchored_root"
    assert [check.ok for check in report.checks] == [True, True, True, False]


@pytest.mark.parametrize(
    ("count", "first_sequence", "expected"),
    [(BATCH_SIZE + 1, FIRST_SEQUENCE, "holds"), (BATCH_SIZE, FIRST_SEQUENCE - 1, "leaf")],
)
def test_size_and_position_are_checked_against_the_anchored_batch(
    receipt: dict[str, Any],
    public_key: bytes,
    proof: dict[str, Any],
    tree: MerkleTree,
    count: int,
    first_sequence: int,
    expected: str,
) -> None:
    anchored = AnchoredBatch(tree.root, count=count, first_sequence=first_sequence)
    report = verify_evidence(
        receipt, gateway_public_key=public_key, proof=proof, anchored_root=anchored
    )
    assert report.first_failure is not None
    assert report.first_failure.name == "anchored_position"
    assert expected in report.first_failure.detail


def test_every_record_of_a_batch_verifies(
    make_receipt: Any, public_key: bytes, batch: list[dict[str, Any]], tree: MerkleTree
) -> None:
    anchored = AnchoredBatch(tree.root, count=tree.size, first_sequence=FIRST_SEQUENCE)
    for index, path in enumerate(tree.inclusion_proofs()):
        record = batch[index]
        receipt = make_receipt(request_id=record["request_id"])
        document = inclusion_proof_document(record, index, tree.size, path, tree.root)
        report = verify_evidence(
            receipt, gateway_public_key=public_key, proof=document, anchored_root=anchored
        )
        assert report.ok, report.to_dict()


def test_inclusion_proof_round_trip(proof: dict[str, Any]) -> None:
    parsed = InclusionProof.from_dict(proof)
    assert parsed.to_dict() == proof
    assert parsed.anchor == {"tx_hash": "0x" + "aa" * 32, "block_number": 7}


# --- malformed input raises typed errors ---------------------------------------------------


def test_malformed_receipt_raises(receipt: dict[str, Any], public_key: bytes) -> None:
    with pytest.raises(ReceiptFormatError) as raised:
        verify_evidence(receipt | {"extra": 1}, gateway_public_key=public_key)
    assert raised.value.code == "malformed_receipt"


@pytest.mark.parametrize(
    "change",
    [
        {"proof_version": 2},
        {"hash": "sha256"},
        {"leaf_index": -1},
        {"leaf_index": "12"},
        {"tree_size": POSITION},
        {"audit_path": "0x00"},
        {"audit_path": ["0x" + "AA" * 32]},
        {"root": "00" * 32},
        {"anchor": "tx"},
        {"record": {"request_id": "req-113"}},
        {"extra": True},
    ],
)
def test_malformed_proof_raises(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any], change: dict[str, Any]
) -> None:
    with pytest.raises(ProofFormatError) as raised:
        verify_evidence(receipt, gateway_public_key=public_key, proof=proof | change)
    assert raised.value.code == "malformed_inclusion_proof"


def test_a_proof_record_with_fields_outside_the_evidence_raises(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any]
) -> None:
    with pytest.raises(ProofFormatError):
        verify_evidence(
            receipt,
            gateway_public_key=public_key,
            proof=proof | {"record": proof["record"] | {"caller_ip": "10.0.0.1"}},
        )


def test_missing_proof_field_raises(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any]
) -> None:
    del proof["root"]
    with pytest.raises(ProofFormatError) as raised:
        verify_evidence(receipt, gateway_public_key=public_key, proof=proof)
    assert raised.value.field == "root"


@pytest.mark.parametrize("key", [b"", b"\x04" + b"\x00" * 64, b"\x01" * 63])
def test_malformed_public_key_raises(receipt: dict[str, Any], key: bytes) -> None:
    with pytest.raises(EvidenceInputError) as raised:
        verify_evidence(receipt, gateway_public_key=key)
    assert raised.value.field == "gateway_public_key"


def test_non_canonical_request_raises(receipt: dict[str, Any], public_key: bytes) -> None:
    with pytest.raises(EvidenceInputError) as raised:
        verify_evidence(receipt, gateway_public_key=public_key, request={"x": float("inf")})
    assert raised.value.code == "malformed_evidence_input"


def test_an_anchored_root_needs_a_proof(
    receipt: dict[str, Any], public_key: bytes, proof: dict[str, Any], tree: MerkleTree
) -> None:
    with pytest.raises(EvidenceInputError):
        verify_evidence(receipt, gateway_public_key=public_key, anchored_root=tree.root)
    with pytest.raises(EvidenceInputError):
        verify_evidence(receipt, gateway_public_key=public_key, proof=proof, anchored_root=b"1")


def test_receipt_objects_are_accepted(receipt: dict[str, Any], public_key: bytes) -> None:
    assert verify_evidence(Receipt.from_dict(receipt), gateway_public_key=public_key).ok
