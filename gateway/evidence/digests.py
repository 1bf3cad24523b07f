"""What the evidence log commits to: record digests, keyed identifiers and Merkle leaves.

Every digest here is SM3 (GB/T 32905) of RFC 8785 canonical JSON, through
:func:`gateway.crypto.canonical.message_digest`, so anyone re-serialising the same values gets
the same bytes. Personal identifiers that could reach the chain are never hashed bare (an ID
number has too few possibilities to hide behind a plain hash): they are HMAC-SM3'd (RFC 2104)
under a gateway secret with :func:`keyed_identifier`.

:data:`EVIDENCE_FIELDS` is the single definition of what a Merkle leaf of an access record
holds; docs/evidence.md describes the same list for third-party verifiers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.hashing import hmac_sm3
from gateway.errors import GatewayError

EVIDENCE_LEAF_VERSION = 1
DECISIONS = ("allowed", "denied", "failed")
MAX_JSON_INTEGER = 2**53 - 1
MIN_IDENTIFIER_KEY_BYTES = 16

EVIDENCE_FIELDS: tuple[str, ...] = (
    "request_id",
    "sequence",
    "entry_id",
    "entry_version",
    "consumer",
    "provider",
    "purpose",
    "request_digest",
    "response_digest",
    "decision",
    "reason",
    "received_at",
    "responded_at",
)
"""The fields of an access record a Merkle leaf commits to, besides ``evidence_version``."""

_HEX_DIGEST = re.compile(r"0x[0-9a-f]{64}")
_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z")


class EvidenceFormatError(GatewayError):
    """Evidence input that cannot be interpreted (a malformed record, receipt or proof).
    ``field`` names the offending field when there is one."""

    code: ClassVar[str] = "malformed_evidence"
    status: ClassVar[int] = 422
    title: ClassVar[str] = "Malformed evidence"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.field = field


class IdentifierKeyError(GatewayError):
    """The key for :func:`keyed_identifier` is missing or too short to keep identifiers secret."""

    code: ClassVar[str] = "invalid_identifier_key"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Invalid identifier key"


class EvidenceRecordError(EvidenceFormatError):
    """An access record's evidence fields are missing or of the wrong form."""

    code: ClassVar[str] = "malformed_evidence_record"
    title: ClassVar[str] = "Malformed evidence record"


RESPONSE_MEMBERS = ("request_id", "entry_id", "data", "error", "upstream")
"""What a response digest covers: the answer less its receipt and problem details
(``upstream``: the receipts of the levels above an answer forwarded from a parent gateway)."""


def response_of(answer: Mapping[str, object]) -> dict[str, object]:
    """The part of an answer its ``response_digest`` is the digest of (docs/evidence.md)."""
    return {key: answer[key] for key in RESPONSE_MEMBERS if key in answer}


def record_digest(record: Mapping[str, object]) -> bytes:
    """SM3 of the RFC 8785 canonical JSON of ``record`` (32 bytes)."""
    try:
        return message_digest(dict(record))
    except CanonicalJsonError as exc:
        raise EvidenceRecordError(f"the record has no canonical JSON form: {exc}") from exc


def keyed_identifier(key: bytes, value: str) -> str:
    """Lower-case hex HMAC-SM3(key, UTF-8 of ``value``): how a personal identifier (an ID
    number, a name) may appear in anything anchored, never raw or bare-hashed. The key is a
    gateway secret of at least 16 bytes; without it the identifier cannot be guessed back."""
    if not isinstance(key, bytes) or len(key) < MIN_IDENTIFIER_KEY_BYTES:
        raise IdentifierKeyError(
            f"the identifier key must be at least {MIN_IDENTIFIER_KEY_BYTES} bytes"
        )
    return hmac_sm3(key, value.encode("utf-8")).hex()


def hex_digest(digest: bytes) -> str:
    """A 32-byte digest as evidence JSON writes it: ``0x`` and 64 lower-case hex digits."""
    if not isinstance(digest, bytes) or len(digest) != 32:
        raise EvidenceFormatError("a digest is 32 bytes")
    return "0x" + digest.hex()


def is_hex_digest(value: object) -> bool:
    return isinstance(value, str) and _HEX_DIGEST.fullmatch(value) is not None


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, e.g. ``2026-11-27T14:34:46.123456Z``: the one spelling
    of a time in evidence (a leaf commits to the string, so it must never vary)."""
    if moment.tzinfo is None:
        raise EvidenceFormatError("evidence timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_timestamp(value: object) -> bool:
    """True for an RFC 3339 date-time in UTC (``Z``) that names a real instant."""
    if not isinstance(value, str) or _RFC3339_UTC.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value[:19])
    except ValueError:
        return False
    return True


def _text(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _sequence(value: object) -> bool:
    return type(value) is int and 1 <= value <= MAX_JSON_INTEGER


_FIELD_RULES = {
    "request_id": (_text, "a non-empty string"),
    "sequence": (_sequence, "an integer from 1 to 2^53-1"),
    "entry_id": (_text, "a non-empty string"),
    "entry_version": (_text, "a non-empty string"),
    "consumer": (_text, "a non-empty string"),
    "provider": (_text, "a non-empty string"),
    "purpose": (_optional_text, "a string or null"),
    "request_digest": (is_hex_digest, "0x and 64 lower-case hex digits"),
    "response_digest": (
        lambda value: value is None or is_hex_digest(value),
        "null or 0x and 64 lower-case hex digits",
    ),
    "decision": (lambda value: value in DECISIONS, "one of " + ", ".join(DECISIONS)),
    "reason": (_optional_text, "a string or null"),
    "received_at": (is_timestamp, "an RFC 3339 UTC time ending in Z"),
    "responded_at": (
        lambda value: value is None or is_timestamp(value),
        "null or an RFC 3339 UTC time ending in Z",
    ),
}


def evidence_record(record_fields: Mapping[str, object]) -> dict[str, object]:
    """Exactly the :data:`EVIDENCE_FIELDS` of ``record_fields``, checked; other keys of the
    mapping are not part of the evidence and are left out. Raises
    :class:`EvidenceRecordError` naming the first missing or malformed field."""
    fields: dict[str, object] = {}
    for name in EVIDENCE_FIELDS:
        if name not in record_fields:
            raise EvidenceRecordError(f"evidence field {name!r} is missing", field=name)
        value = record_fields[name]
        accepts, expected = _FIELD_RULES[name]
        if not accepts(value):
            raise EvidenceRecordError(f"evidence field {name!r} must be {expected}", field=name)
        fields[name] = value
    if fields["decision"] == "allowed" and fields["response_digest"] is None:
        raise EvidenceRecordError(
            "an allowed request must record its response digest", field="response_digest"
        )
    return fields


def evidence_leaf(record_fields: Mapping[str, object]) -> bytes:
    """The bytes a Merkle leaf commits to for one access record: the RFC 8785 canonical JSON
    of ``{"evidence_version": 1}`` plus the record's :data:`EVIDENCE_FIELDS`. Its leaf hash is
    :func:`gateway.evidence.merkle.leaf_hash` of these bytes."""
    document: dict[str, object] = {"evidence_version": EVIDENCE_LEAF_VERSION}
    document.update(evidence_record(record_fields))
    return canonical_json(document)


__all__ = [
    "DECISIONS",
    "EVIDENCE_FIELDS",
    "EVIDENCE_LEAF_VERSION",
    "EvidenceFormatError",
    "EvidenceRecordError",
    "IdentifierKeyError",
    "evidence_leaf",
    "evidence_record",
    "format_timestamp",
    "hex_digest",
    "is_hex_digest",
    "is_timestamp",
    "keyed_identifier",
    "record_digest",
]
