"""Signed receipts: what a consumer takes away from every request, allowed or not.

A receipt states which request (by id and SM3 digest) reached which catalogue entry version,
what was decided and what came back (the response digest), and when. The gateway signs it with
its SM2 key (GB/T 32918.2): the signature covers the RFC 8785 canonical JSON of every field
but ``signature``, as e = SM3(Z_A ‖ message) with the user ID the receipt names. ``key_id`` is
the gateway's FISCO BCOS address (the last 20 bytes of SM3 of its 64-byte public key), so the
key can be looked up on chain and a receipt cannot be checked against the wrong one.
Receipts parse strictly: unknown, missing or malformed fields are refused with
:class:`ReceiptFormatError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import ClassVar

from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import InvalidSignatureEncoding
from gateway.crypto.signing import Signer, Sm2Signer, address_of
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature
from gateway.evidence.digests import (
    DECISIONS,
    EvidenceFormatError,
    format_timestamp,
    hex_digest,
    is_hex_digest,
    is_timestamp,
)

RECEIPT_VERSION = 1
MAX_USER_ID_BYTES = 8191  # ENTL is the ID's length in bits, in 16 bits (GB/T 32918.2 5.5)

_ADDRESS = re.compile(r"0x[0-9a-f]{40}")
_SIGNATURE = re.compile(r"0x[0-9a-f]{128}")


class ReceiptFormatError(EvidenceFormatError):
    """A receipt with unknown, missing or malformed fields, or one that cannot be signed."""

    code: ClassVar[str] = "malformed_receipt"
    title: ClassVar[str] = "Malformed receipt"


@dataclass(frozen=True)
class Receipt:
    """A signed receipt, field for field as in its JSON form (docs/evidence.md, Receipts)."""

    receipt_version: int
    request_id: str
    entry_id: str
    entry_version: str
    consumer: str
    provider: str
    request_digest: str
    response_digest: str | None
    decision: str
    reason: str | None
    issued_at: str
    key_id: str
    sm2_user_id: str
    signature: str

    def __post_init__(self) -> None:
        _check_fields(asdict(self))

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_json(self) -> str:
        """The receipt as RFC 8785 canonical JSON text (the form to store and hand out)."""
        return canonical_json(self.to_dict()).decode("utf-8")

    @classmethod
    def from_dict(cls, document: Mapping[str, object]) -> Receipt:
        """Parse a receipt object; every field must be present and no other."""
        if not isinstance(document, Mapping):
            raise ReceiptFormatError("a receipt is a JSON object")
        unknown = sorted(str(key) for key in document if key not in RECEIPT_FIELDS)
        if unknown:
            raise ReceiptFormatError(f"unknown receipt field {unknown[0]!r}", field=unknown[0])
        missing = [name for name in RECEIPT_FIELDS if name not in document]
        if missing:
            raise ReceiptFormatError(f"receipt field {missing[0]!r} is missing", field=missing[0])
        values = {name: document[name] for name in RECEIPT_FIELDS}
        _check_fields(values)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        try:
            document = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise ReceiptFormatError(f"the receipt is not JSON: {exc}") from exc
        return cls.from_dict(document)

    def signing_input(self) -> bytes:
        """The bytes the signature covers: canonical JSON of all fields but ``signature``."""
        return signing_input(self.to_dict())

    @property
    def user_id(self) -> bytes:
        """The SM2 distinguishing identifier, as bytes (UTF-8 of ``sm2_user_id``)."""
        return self.sm2_user_id.encode("utf-8")


RECEIPT_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Receipt))
CONTENT_FIELDS: tuple[str, ...] = (
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
"""What the caller of :func:`sign_receipt` supplies (plus, optionally, ``issued_at``)."""


def _nonempty(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _user_id(value: object) -> bool:
    return _nonempty(value) and len(str(value).encode("utf-8")) <= MAX_USER_ID_BYTES


_RULES = {
    "receipt_version": (lambda v: type(v) is int and v == RECEIPT_VERSION, "1"),
    "request_id": (_nonempty, "a non-empty string"),
    "entry_id": (_nonempty, "a non-empty string"),
    "entry_version": (_nonempty, "a non-empty string"),
    "consumer": (_nonempty, "a non-empty string"),
    "provider": (_nonempty, "a non-empty string"),
    "request_digest": (is_hex_digest, "0x and 64 lower-case hex digits"),
    "response_digest": (
        lambda v: v is None or is_hex_digest(v),
        "null or 0x and 64 lower-case hex digits",
    ),
    "decision": (lambda v: v in DECISIONS, "one of " + ", ".join(DECISIONS)),
    "reason": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "issued_at": (is_timestamp, "an RFC 3339 UTC time ending in Z"),
    "key_id": (lambda v: isinstance(v, str) and _ADDRESS.fullmatch(v), "a 0x address"),
    "sm2_user_id": (_user_id, f"a non-empty string of at most {MAX_USER_ID_BYTES} bytes"),
    "signature": (
        lambda v: isinstance(v, str) and _SIGNATURE.fullmatch(v),
        "0x and 128 lower-case hex digits (r ‖ s)",
    ),
}


def _check_fields(values: Mapping[str, object]) -> None:
    for name, (accepts, expected) in _RULES.items():
        if name in values and not accepts(values[name]):
            raise ReceiptFormatError(f"receipt field {name!r} must be {expected}", field=name)
    if values.get("decision") == "allowed" and values.get("response_digest", "") is None:
        raise ReceiptFormatError(
            "an allowed request's receipt must carry its response digest",
            field="response_digest",
        )


def signing_input(receipt: Mapping[str, object]) -> bytes:
    """Canonical JSON (RFC 8785) of a receipt object without its ``signature`` member."""
    return canonical_json({name: value for name, value in receipt.items() if name != "signature"})


def _digest_text(value: object) -> object:
    return hex_digest(value) if isinstance(value, bytes) else value


def sign_receipt(
    fields: Mapping[str, object],
    signer: Sm2PrivateKey | Signer,
    key_id: str | None = None,
    user_id: bytes | None = None,
) -> Receipt:
    """Issue a receipt for ``fields`` (:data:`CONTENT_FIELDS`, digests as bytes or ``0x`` hex,
    and optionally ``issued_at`` as an aware datetime or RFC 3339 UTC text; now by default).

    ``signer`` is the gateway's SM2 private key, or an SM2 :class:`~gateway.crypto.signing.Signer`
    that already knows its key id and user ID. For a key, ``key_id`` defaults to its address and
    ``user_id`` to ``1234567812345678`` (GM/T 0009)."""
    if isinstance(signer, Sm2PrivateKey):
        signer = Sm2Signer(signer, DEFAULT_USER_ID if user_id is None else user_id, key_id)
    elif key_id is not None or user_id is not None:
        raise ReceiptFormatError("a Signer carries its own key id and user ID")
    if signer.suite != "sm" or signer.user_id is None:
        raise ReceiptFormatError("receipts are signed with SM2 keys only")
    allowed = {*CONTENT_FIELDS, "issued_at"}
    unknown = sorted(str(name) for name in fields if name not in allowed)
    if unknown:
        raise ReceiptFormatError(f"unknown receipt field {unknown[0]!r}", field=unknown[0])
    missing = [name for name in CONTENT_FIELDS if name not in fields]
    if missing:
        raise ReceiptFormatError(f"receipt field {missing[0]!r} is missing", field=missing[0])
    issued_at = fields.get("issued_at")
    if issued_at is None:
        issued_at = datetime.now(UTC)
    if isinstance(issued_at, datetime):
        issued_at = format_timestamp(issued_at)
    try:
        user_id_text = signer.user_id.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReceiptFormatError(
            "the SM2 user ID must be UTF-8 text to be written in a receipt", field="sm2_user_id"
        ) from exc
    body: dict[str, object] = {
        "receipt_version": RECEIPT_VERSION,
        **{name: _digest_text(fields[name]) for name in CONTENT_FIELDS},
        "issued_at": issued_at,
        "key_id": signer.key_id,
        "sm2_user_id": user_id_text,
    }
    _check_fields(body)
    signature = signer.sign(signing_input(body))
    return Receipt(**body, signature="0x" + signature.hex())  # type: ignore[arg-type]


def verify_receipt(receipt: Receipt, public_key: Sm2PublicKey | bytes) -> bool:
    """True only if ``receipt`` was signed by ``public_key`` under the user ID it names and
    its ``key_id`` is that key's address. Raises ``InvalidKeyError`` for malformed key bytes,
    never for a bad signature."""
    key = (
        public_key if isinstance(public_key, Sm2PublicKey) else Sm2PublicKey.from_bytes(public_key)
    )
    if receipt.key_id != address_of(key):
        return False
    try:
        signature = Sm2Signature.from_raw(bytes.fromhex(receipt.signature[2:]))
    except InvalidSignatureEncoding:
        return False
    return key.verify(receipt.signing_input(), signature, receipt.user_id)


__all__ = [
    "CONTENT_FIELDS",
    "RECEIPT_FIELDS",
    "RECEIPT_VERSION",
    "Receipt",
    "ReceiptFormatError",
    "sign_receipt",
    "signing_input",
    "verify_receipt",
]
