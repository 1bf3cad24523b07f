"""Offline verification of one access's evidence, as anyone holding an export can run it.

Given a receipt, the gateway's public key and optionally the request and response as
exchanged, the record's inclusion proof and the root read from the chain,
:func:`verify_evidence` checks, in order: the receipt's SM2 signature (GB/T 32918.2); the
request's and response's SM3 digests over RFC 8785 canonical JSON; that the proof's record is
the one the receipt describes; the RFC 6962 / RFC 9162 inclusion proof of that record's leaf;
and that the proof's root is the root anchored on chain. Every check is reported, passed or
failed, with the first failure singled out; a failed check is an answer, not an exception.
Only input that cannot be interpreted raises (a typed :class:`EvidenceFormatError`).

Nothing here touches the network or a database: looking the root up on chain is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from gateway.crypto.canonical import message_digest
from gateway.crypto.errors import CanonicalJsonError, InvalidKeyError
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.evidence.digests import (
    EvidenceFormatError,
    EvidenceRecordError,
    evidence_leaf,
    evidence_record,
    hex_digest,
    is_hex_digest,
)
from gateway.evidence.merkle import leaf_hash, root_from_inclusion_proof
from gateway.evidence.receipt import Receipt, verify_receipt

PROOF_VERSION = 1
PROOF_HASH = "sm3"
PROOF_FIELDS = ("proof_version", "hash", "record", "leaf_index", "tree_size", "audit_path", "root")
OPTIONAL_PROOF_FIELDS = ("anchor",)
MATCHED_FIELDS = (
    "request_id",
    "entry_id",
    "entry_version",
    "consumer",
    "provider",
    "request_digest",
    "response_digest",
    "decision",
    "reason",
)
"""Fields an evidence record and its receipt must agree on."""


class ProofFormatError(EvidenceFormatError):
    """An inclusion proof document with unknown, missing or malformed fields."""

    code: ClassVar[str] = "malformed_inclusion_proof"
    title: ClassVar[str] = "Malformed inclusion proof"


class EvidenceInputError(EvidenceFormatError):
    """Verification inputs that cannot be used: a malformed public key, a request or response
    without a canonical JSON form, or an on-chain root with no proof to compare it with."""

    code: ClassVar[str] = "malformed_evidence_input"
    title: ClassVar[str] = "Unusable verification input"


@dataclass(frozen=True)
class InclusionProof:
    """A record's proof of inclusion in an anchored batch (docs/evidence.md, Offline
    verification): the record's evidence fields, its leaf index, the batch's tree size, the
    audit path (leaf side first) and root. ``anchor`` carries where the root was anchored
    (transaction, block) and is not interpreted here."""

    record: Mapping[str, object]
    leaf_index: int
    tree_size: int
    audit_path: tuple[bytes, ...]
    root: bytes
    anchor: Mapping[str, object] | None = None

    def to_dict(self) -> dict[str, object]:
        document: dict[str, object] = {
            "proof_version": PROOF_VERSION,
            "hash": PROOF_HASH,
            "record": dict(self.record),
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "audit_path": [hex_digest(node) for node in self.audit_path],
            "root": hex_digest(self.root),
        }
        if self.anchor is not None:
            document["anchor"] = dict(self.anchor)
        return document

    @classmethod
    def from_dict(cls, document: Mapping[str, object]) -> InclusionProof:
        if not isinstance(document, Mapping):
            raise ProofFormatError("an inclusion proof is a JSON object")
        known = (*PROOF_FIELDS, *OPTIONAL_PROOF_FIELDS)
        unknown = sorted(str(key) for key in document if key not in known)
        if unknown:
            raise ProofFormatError(f"unknown proof field {unknown[0]!r}", field=unknown[0])
        missing = [name for name in PROOF_FIELDS if name not in document]
        if missing:
            raise ProofFormatError(f"proof field {missing[0]!r} is missing", field=missing[0])
        if document["proof_version"] != PROOF_VERSION or type(document["proof_version"]) is not int:
            raise ProofFormatError(f"proof_version must be {PROOF_VERSION}", field="proof_version")
        if document["hash"] != PROOF_HASH:
            raise ProofFormatError(f"hash must be {PROOF_HASH!r}", field="hash")
        record = document["record"]
        if not isinstance(record, Mapping):
            raise ProofFormatError("record must be an object", field="record")
        try:
            checked = evidence_record(record)
        except EvidenceRecordError as exc:
            raise ProofFormatError(f"record: {exc.detail}", field="record") from exc
        extra = sorted(str(key) for key in record if key not in checked)
        if extra:
            raise ProofFormatError(f"unknown record field {extra[0]!r}", field="record")
        leaf_index, tree_size = document["leaf_index"], document["tree_size"]
        if type(leaf_index) is not int or leaf_index < 0:
            raise ProofFormatError("leaf_index must be an integer >= 0", field="leaf_index")
        if type(tree_size) is not int or tree_size <= leaf_index:
            raise ProofFormatError("tree_size must be an integer > leaf_index", field="tree_size")
        path = document["audit_path"]
        if not isinstance(path, list) or not all(is_hex_digest(node) for node in path):
            raise ProofFormatError(
                "audit_path must be a list of 0x-prefixed 32-byte hex digests", field="audit_path"
            )
        root = document["root"]
        if not is_hex_digest(root):
            raise ProofFormatError("root must be a 0x-prefixed 32-byte hex digest", field="root")
        anchor = document.get("anchor")
        if anchor is not None and not isinstance(anchor, Mapping):
            raise ProofFormatError("anchor must be an object", field="anchor")
        return cls(
            record=checked,
            leaf_index=leaf_index,
            tree_size=tree_size,
            audit_path=tuple(_from_hex(node) for node in path),
            root=_from_hex(str(root)),
            anchor=anchor,
        )


def _from_hex(value: str) -> bytes:
    return bytes.fromhex(value[2:])


@dataclass(frozen=True)
class AnchoredBatch:
    """What the evidence contract holds for the batch a record belongs to (``batchByRoot`` or
    ``batchBySequence``): its root and, when known, its record count and first sequence number.
    An audit path does not bind the tree size by itself (a path for leaf 0 of 5 leaves also
    fits a tree of 8), so the size and position are checked against the chain's figures."""

    root: bytes
    count: int | None = None
    first_sequence: int | None = None


@dataclass(frozen=True)
class Check:
    """One verification step: its name, whether it passed, and why."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class VerificationReport:
    """All checks run, in order, and the ones skipped for lack of input."""

    checks: tuple[Check, ...]
    skipped: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((check for check in self.checks if not check.ok), None)

    def to_dict(self) -> dict[str, object]:
        failure = self.first_failure
        return {
            "ok": self.ok,
            "checks": [
                {"name": check.name, "ok": check.ok, "detail": check.detail}
                for check in self.checks
            ],
            "skipped": list(self.skipped),
            "first_failure": None if failure is None else failure.name,
        }


def _public_key(value: bytes | Sm2PublicKey) -> Sm2PublicKey:
    if isinstance(value, Sm2PublicKey):
        return value
    try:
        return Sm2PublicKey.from_bytes(value)
    except (InvalidKeyError, TypeError) as exc:
        raise EvidenceInputError(
            f"the gateway public key is not an SM2 public key: {exc}", field="gateway_public_key"
        ) from exc


def _digest_of(message: object, name: str) -> str:
    try:
        return hex_digest(message_digest(message))
    except CanonicalJsonError as exc:
        raise EvidenceInputError(f"the {name} has no canonical JSON form", field=name) from exc


def _check_signature(receipt: Receipt, key: Sm2PublicKey) -> Check:
    if verify_receipt(receipt, key):
        return Check("receipt_signature", True, f"signed by {receipt.key_id}")
    return Check(
        "receipt_signature",
        False,
        f"not a valid SM2 signature by {receipt.key_id} under user ID {receipt.sm2_user_id!r}",
    )


def _check_digest(name: str, claimed: str | None, message: object) -> Check:
    computed = _digest_of(message, name.removesuffix("_digest"))
    if claimed is None:
        return Check(name, False, "the receipt records no response for this request")
    if computed == claimed:
        return Check(name, True, f"SM3 of canonical JSON is {computed}")
    return Check(name, False, f"SM3 of canonical JSON is {computed}, the receipt says {claimed}")


def _check_record(receipt: Receipt, proof: InclusionProof) -> Check:
    differing = [name for name in MATCHED_FIELDS if proof.record[name] != getattr(receipt, name)]
    if differing:
        return Check(
            "record_matches_receipt", False, "record and receipt differ in " + ", ".join(differing)
        )
    return Check("record_matches_receipt", True, f"record {proof.record['sequence']}")


def _check_inclusion(proof: InclusionProof) -> Check:
    leaf = leaf_hash(evidence_leaf(proof.record))
    computed = root_from_inclusion_proof(leaf, proof.leaf_index, proof.tree_size, proof.audit_path)
    where = f"leaf {proof.leaf_index} of {proof.tree_size}"
    if computed is None:
        return Check("inclusion_proof", False, f"the audit path does not fit {where}")
    if computed != proof.root:
        return Check(
            "inclusion_proof",
            False,
            f"the audit path from {where} leads to {hex_digest(computed)}, "
            f"not the proof's root {hex_digest(proof.root)}",
        )
    return Check("inclusion_proof", True, f"{where} under root {hex_digest(proof.root)}")


def _check_anchor(proof: InclusionProof, anchored: AnchoredBatch) -> Check:
    root = anchored.root
    if not isinstance(root, bytes) or len(root) != 32:
        raise EvidenceInputError("the anchored root is 32 bytes", field="anchored_root")
    if root == proof.root:
        return Check("anchored_root", True, f"the chain holds root {hex_digest(root)}")
    return Check(
        "anchored_root",
        False,
        f"the chain holds {hex_digest(root)}, the proof claims {hex_digest(proof.root)}",
    )


def _check_position(proof: InclusionProof, anchored: AnchoredBatch) -> Check:
    problems = []
    if anchored.count is not None and anchored.count != proof.tree_size:
        problems.append(f"the batch holds {anchored.count} records, the proof {proof.tree_size}")
    if anchored.first_sequence is not None:
        sequence = proof.record["sequence"]
        if not isinstance(sequence, int):
            raise ProofFormatError("record sequence must be an integer", field="record")
        expected = sequence - anchored.first_sequence
        if expected != proof.leaf_index:
            problems.append(
                f"record {sequence} is leaf {expected} of a batch starting at "
                f"{anchored.first_sequence}, the proof says leaf {proof.leaf_index}"
            )
    if problems:
        return Check("anchored_position", False, "; ".join(problems))
    return Check(
        "anchored_position", True, f"leaf {proof.leaf_index} of the {proof.tree_size} anchored"
    )


def verify_evidence(
    receipt: Mapping[str, object] | Receipt,
    *,
    gateway_public_key: bytes | Sm2PublicKey,
    request: object | None = None,
    response: object | None = None,
    proof: Mapping[str, object] | InclusionProof | None = None,
    anchored_root: bytes | AnchoredBatch | None = None,
) -> VerificationReport:
    """Check one access's evidence offline and report every check (see the module docstring).

    ``request`` and ``response`` are the JSON values as exchanged (``None``: not given, the
    check is skipped). ``proof`` is the inclusion proof document;
    ``anchored_root`` the root the evidence contract holds for the record's batch, or an
    :class:`AnchoredBatch` with its record count and first sequence number too, which adds the
    ``anchored_position`` check. Raises
    :class:`~gateway.evidence.receipt.ReceiptFormatError`, :class:`ProofFormatError` or
    :class:`EvidenceInputError` for input that cannot be interpreted, never for a failed check.
    """
    parsed = receipt if isinstance(receipt, Receipt) else Receipt.from_dict(receipt)
    key = _public_key(gateway_public_key)
    proof_value = (
        proof
        if isinstance(proof, InclusionProof) or proof is None
        else InclusionProof.from_dict(proof)
    )
    if anchored_root is not None and proof_value is None:
        raise EvidenceInputError(
            "an anchored root can only be compared with an inclusion proof", field="anchored_root"
        )
    checks: list[Check] = [_check_signature(parsed, key)]
    skipped: list[str] = []
    if request is None:
        skipped.append("request_digest")
    else:
        checks.append(_check_digest("request_digest", parsed.request_digest, request))
    if response is None:
        skipped.append("response_digest")
    else:
        checks.append(_check_digest("response_digest", parsed.response_digest, response))
    if proof_value is None:
        skipped += ["record_matches_receipt", "inclusion_proof"]
    else:
        checks += [_check_record(parsed, proof_value), _check_inclusion(proof_value)]
    anchored: AnchoredBatch | None
    if isinstance(anchored_root, AnchoredBatch) or anchored_root is None:
        anchored = anchored_root
    else:
        anchored = AnchoredBatch(anchored_root)
    if anchored is None or proof_value is None:
        skipped.append("anchored_root")
    else:
        checks.append(_check_anchor(proof_value, anchored))
    if (
        anchored is None
        or proof_value is None
        or (anchored.count is None and anchored.first_sequence is None)
    ):
        skipped.append("anchored_position")
    else:
        checks.append(_check_position(proof_value, anchored))
    return VerificationReport(tuple(checks), tuple(skipped))


def inclusion_proof_document(
    record_fields: Mapping[str, object],
    leaf_index: int,
    tree_size: int,
    audit_path: Sequence[bytes],
    root: bytes,
    anchor: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The JSON document of a record's inclusion proof, as exports and the API hand it out."""
    try:
        record = evidence_record(record_fields)
    except EvidenceRecordError as exc:
        raise ProofFormatError(f"record: {exc.detail}", field="record") from exc
    document = InclusionProof(
        record, leaf_index, tree_size, tuple(audit_path), root, anchor
    ).to_dict()
    InclusionProof.from_dict(document)
    return document


__all__ = [
    "MATCHED_FIELDS",
    "PROOF_FIELDS",
    "PROOF_VERSION",
    "AnchoredBatch",
    "Check",
    "EvidenceInputError",
    "InclusionProof",
    "ProofFormatError",
    "VerificationReport",
    "inclusion_proof_document",
    "verify_evidence",
]
