"""Records (上链记录), their versions, types and the digest written on chain.

A version's ``content_hash`` is SM3 (GB/T 32905) of the RFC 8785 canonical JSON of
``{"content": <content>, "metadata": <metadata>}``: the content and its metadata are both
bound by the hash ``RecordStore`` keeps. A key is named on chain by SM3 of its UTF-8 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.hashing import sm3
from gateway.records.errors import InvalidRecord

KEY_PATTERN = re.compile(r"^[^\s/\\\x00-\x1f\x7f]{1,128}$")
MEMBER_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
MAX_TEXT = 100
MAX_METADATA_KEYS = 16
MAX_METADATA_BYTES = 4096


class RecordType(Enum):
    """Kinds of key records the seed names; the code is what ``RecordStore`` stores."""

    REGISTER = "register"  # 电子登记簿
    CERTIFICATE = "certificate"  # 电子证照
    ARCHIVE = "archive"  # 电子档案

    @property
    def label_zh(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: str) -> RecordType:
        """A code (``register``) or its Chinese label (``电子登记簿``)."""
        for kind in cls:
            if value in (kind.value, kind.label_zh):
                return kind
        names = ", ".join(f"{k.value} ({k.label_zh})" for k in cls)
        raise InvalidRecord(f"unknown record type {value!r}; one of {names}", field="type")


_LABELS = {
    RecordType.REGISTER: "电子登记簿",
    RecordType.CERTIFICATE: "电子证照",
    RecordType.ARCHIVE: "电子档案",
}


@dataclass(frozen=True)
class RecordActor:
    """Who acts on records: a member department, or one that sees every organisation."""

    member: str
    sees_all: bool
    label: str

    def acts_for(self, organisation: str) -> bool:
        return self.sees_all or self.member == organisation


@dataclass(frozen=True)
class ChainVersion:
    """One version as ``RecordStore`` holds it."""

    content_hash: str
    uploader: str
    organisation: str
    data_source: str
    record_type: str
    tombstone: bool
    recorded_at: int
    writer: str

    def document(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "uploader": self.uploader,
            "organisation": self.organisation,
            "data_source": self.data_source,
            "record_type": self.record_type,
            "tombstone": self.tombstone,
            "recorded_at": self.recorded_at,
            "writer": self.writer,
        }


@dataclass(frozen=True)
class RecordVersion:
    """A version's stored facts (no content): what ``put`` returns and ``search`` lists."""

    key: str
    index: int
    content_hash: str
    uploader: str
    organisation: str
    data_source: str
    record_type: str
    metadata: dict[str, Any]
    created_at: datetime
    tx_hash: str
    block_number: int
    tombstone: bool = False
    origin: dict[str, Any] | None = None

    @property
    def record_type_zh(self) -> str:
        return RecordType(self.record_type).label_zh


@dataclass(frozen=True)
class VerifiedRecord:
    """A version with its decrypted content, checked against ``RecordStore``.

    ``verified`` is true only when the content and metadata hash to the on-chain hash and every
    on-chain field matches the store; otherwise ``problem`` names what differs (a stable code,
    see docs/records.md) and ``problem_detail`` says it in words.
    """

    key: str
    index: int
    content: Any
    content_hash: str
    uploader: str
    organisation: str
    data_source: str
    record_type: str
    metadata: dict[str, Any]
    created_at: datetime | None
    tx_hash: str | None
    block_number: int | None
    verified: bool
    problem: str | None
    deleted: bool
    problem_detail: str | None = None
    chain: ChainVersion | None = None
    origin: dict[str, Any] | None = None

    @property
    def record_type_zh(self) -> str:
        try:
            return RecordType(self.record_type).label_zh
        except ValueError:
            return self.record_type


@dataclass(frozen=True)
class RecordQuery:
    """Search over each record's latest version, in key order, ``after`` a key."""

    key_prefix: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    uploader: str | None = None
    organisation: str | None = None
    data_source: str | None = None
    record_type: str | None = None
    include_deleted: bool = True
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class RecordDraft:
    """A validated version about to be written."""

    key: str
    content: Any
    record_type: RecordType
    data_source: str
    organisation: str
    uploader: str
    metadata: dict[str, Any] = field(default_factory=dict)
    tombstone: bool = False

    @property
    def content_hash(self) -> str:
        return record_digest(self.content, self.metadata)


def key_hash(key: str) -> str:
    return "0x" + sm3(key.encode("utf-8")).hex()


def record_digest(content: Any, metadata: dict[str, Any]) -> str:
    try:
        return "0x" + message_digest({"content": content, "metadata": metadata}).hex()
    except CanonicalJsonError as exc:
        raise InvalidRecord(f"content or metadata has no canonical JSON form: {exc}") from exc


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise InvalidRecord(
            "a record key is 1-128 characters without spaces, slashes or control characters",
            field="key",
        )
    return key


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InvalidRecord(f"{name} is required text of at most {MAX_TEXT} characters", field=name)
    return value.strip()


def check_metadata(metadata: object) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise InvalidRecord("metadata is an object", field="metadata")
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidRecord(f"metadata has at most {MAX_METADATA_KEYS} keys", field="metadata")
    try:
        size = len(canonical_json(metadata))
    except CanonicalJsonError as exc:
        raise InvalidRecord(f"metadata has no canonical JSON form: {exc}") from exc
    if size > MAX_METADATA_BYTES:
        raise InvalidRecord(
            f"metadata is at most {MAX_METADATA_BYTES} bytes as JSON", field="metadata"
        )
    return dict(metadata)


def draft(
    key: str,
    *,
    content: Any,
    record_type: str | RecordType,
    data_source: str,
    organisation: str,
    uploader: str,
    metadata: dict[str, Any] | None,
) -> RecordDraft:
    """Validate a new (non-tombstone) version."""
    if content is None:
        raise InvalidRecord("content is required", field="content")
    if not isinstance(organisation, str) or not MEMBER_CODE.match(organisation):
        raise InvalidRecord("organisation is a member code such as NRD", field="organisation")
    kind = record_type if isinstance(record_type, RecordType) else RecordType.parse(record_type)
    result = RecordDraft(
        key=check_key(key),
        content=content,
        record_type=kind,
        data_source=_text(data_source, "data_source"),
        organisation=organisation,
        uploader=_text(uploader, "uploader"),
        metadata=check_metadata(metadata),
    )
    record_digest(result.content, result.metadata)
    return result
