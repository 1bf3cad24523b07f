"""Signed federation documents: what one level of the alliance hands another.

Every document (a node's identity, a parent's link, a catalogue snapshot, an evidence
checkpoint) is a JSON object whose ``signature`` member is
``{"suite": "sm", "key_id", "public_key", "signature"}``: the SM2 signature (GB/T 32918.2,
user ID ``1234567812345678``, raw r ‖ s) over the RFC 8785 canonical JSON of the object
without its ``signature``, by the key whose 64-byte public key and FISCO BCOS address
(``key_id``) it names. Its digest, the one anchored on chain, is SM3 of the canonical JSON of
the whole object, signature included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError, CryptoError
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey, Sm2Signature
from gateway.evidence.digests import format_timestamp, is_timestamp
from gateway.federation.errors import FederationSignatureInvalid, MalformedFederationDocument

SIGNATURE = "signature"
SIGNATURE_MEMBERS = {"suite", "key_id", "public_key", "signature"}


@dataclass(frozen=True)
class SignedDocument:
    """A document whose signature verified, with the key that made it."""

    body: dict[str, Any]
    public_key: Sm2PublicKey
    raw: dict[str, Any]

    @property
    def key_id(self) -> str:
        return address_of(self.public_key)

    @property
    def public_key_hex(self) -> str:
        return "0x" + self.public_key.to_bytes().hex()

    @property
    def digest(self) -> str:
        return document_digest(self.raw)


def sign_document(body: Mapping[str, Any], key: Sm2PrivateKey) -> dict[str, Any]:
    """``body`` with its ``signature`` member, made with ``key``."""
    if SIGNATURE in body:
        raise MalformedFederationDocument("the document is signed already")
    public = key.public_key
    signature = key.sign(canonical_json(dict(body))).to_raw()
    return {
        **body,
        SIGNATURE: {
            "suite": "sm",
            "key_id": address_of(public),
            "public_key": "0x" + public.to_bytes().hex(),
            "signature": "0x" + signature.hex(),
        },
    }


def document_digest(document: Mapping[str, Any]) -> str:
    """``0x`` SM3 of the canonical JSON of the whole (signed) document."""
    try:
        return "0x" + message_digest(dict(document)).hex()
    except CanonicalJsonError as exc:
        raise MalformedFederationDocument(f"the document has no RFC 8785 form: {exc}") from exc


def _hex(value: object, size: int, what: str) -> bytes:
    text = value if isinstance(value, str) else ""
    try:
        raw = bytes.fromhex(text.removeprefix("0x")) if text.startswith("0x") else b""
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise MalformedFederationDocument(f"{what} must be 0x and {2 * size} hex digits")
    return raw


def open_document(
    document: object, version_field: str, expected_key: Sm2PublicKey | None = None
) -> SignedDocument:
    """Check a document's form and signature (and, when given, that ``expected_key`` made it).

    Raises :class:`MalformedFederationDocument` for a document that cannot be read and
    :class:`FederationSignatureInvalid` for one whose signature does not verify."""
    if not isinstance(document, dict):
        raise MalformedFederationDocument("a federation document is a JSON object")
    if document.get(version_field) != 1:
        raise MalformedFederationDocument(f"{version_field} must be 1")
    signature = document.get(SIGNATURE)
    if not isinstance(signature, dict) or set(signature) != {
        "suite",
        "key_id",
        "public_key",
        "signature",
    }:
        raise MalformedFederationDocument(
            "signature must name suite, key_id, public_key, signature"
        )
    if signature["suite"] != "sm":
        raise MalformedFederationDocument("federation documents are signed with SM2 (suite sm)")
    try:
        public = Sm2PublicKey.from_bytes(_hex(signature["public_key"], 64, "public_key"))
        parsed = Sm2Signature.from_raw(_hex(signature["signature"], 64, "signature"))
    except CryptoError as exc:
        raise MalformedFederationDocument(f"unusable key or signature: {exc}") from exc
    body = {key: value for key, value in document.items() if key != SIGNATURE}
    try:
        message = canonical_json(body)
    except CanonicalJsonError as exc:
        raise MalformedFederationDocument(f"the document has no RFC 8785 form: {exc}") from exc
    if signature["key_id"] != address_of(public):
        raise FederationSignatureInvalid("key_id is not the address of the signing key")
    if expected_key is not None and public.to_bytes() != expected_key.to_bytes():
        raise FederationSignatureInvalid(
            f"signed by {address_of(public)}, not by the expected key {address_of(expected_key)}"
        )
    if not public.verify(message, parsed):
        raise FederationSignatureInvalid("the signature does not verify")
    return SignedDocument(body, public, dict(document))


def text_field(body: Mapping[str, Any], name: str, *, pattern: Any = None, limit: int = 512) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise MalformedFederationDocument(f"{name} must be a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise MalformedFederationDocument(f"{name} {value!r} is not well formed")
    return value


def stamp(moment: datetime) -> str:
    """A document's times: RFC 3339 UTC with microseconds, as evidence writes them."""
    return format_timestamp(moment)


def parse_stamp(value: object, what: str) -> datetime:
    """The inverse of :func:`stamp`; anything else is :class:`MalformedFederationDocument`."""
    if not is_timestamp(value):
        raise MalformedFederationDocument(f"{what} must be an RFC 3339 UTC time")
    return datetime.fromisoformat(str(value)[:-1]).replace(tzinfo=UTC)
