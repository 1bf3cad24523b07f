"""The audit workbook's manifest: what each records-sheet row digests to and what is signed.

A row digest is SM3 (GB/T 32905) of the RFC 8785 canonical JSON of the row's values as a JSON
array, in column order, with each time written as its RFC 3339 text (the text columns
``接收时间原文`` / ``应答时间原文``), never as the Excel serial number the date cells hold, so a
digest does not depend on how a spreadsheet rounds floating-point dates. Anchors-sheet rows are
digested the same way (the anchoring time as its text column ``锚定时间原文``). The manifest
digest is ``SM3(d_1 ‖ … ‖ d_n ‖ a_1 ‖ … ‖ a_m ‖ JCS(metadata))`` over the raw 32-byte records
and anchors row digests in row order and the canonical JSON of the export's metadata (which
holds the signer's public key); the gateway signs it with SM2 (GB/T 32918.2) under the user ID
recorded beside the signature. The summary sheet is derived from the signed content and is
rebuilt by the verifier. docs/audit.md gives the construction byte by byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import InvalidSignatureEncoding
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey, Sm2Signature
from gateway.errors import GatewayError

MANIFEST_VERSION = 2

SUMMARY_SHEET = "摘要"
RECORDS_SHEET = "访问记录"
ANCHORS_SHEET = "锚定批次"
MANIFEST_SHEET = "清单"

RowValue = str | int | datetime | None
"""A records-sheet cell as written: text, an integer, a UTC time, or empty."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int


RECORD_COLUMNS: tuple[Column, ...] = (
    Column("请求编号", "request_id", 38),
    Column("接收时间(UTC)", "received_at", 20),
    Column("应答时间(UTC)", "responded_at", 20),
    Column("调用方", "consumer", 10),
    Column("提供方", "provider", 10),
    Column("目录条目", "entry_id", 22),
    Column("版本", "entry_version", 30),
    Column("事项编码", "purpose", 12),
    Column("结果", "decision", 10),
    Column("原因", "reason", 24),
    Column("请求摘要", "request_digest", 30),
    Column("应答摘要", "response_digest", 30),
    Column("序号", "sequence", 10),
    Column("批次根", "batch_root", 30),
    Column("叶序号", "leaf_index", 8),
    Column("证明", "proof", 40),
    Column("交易哈希", "tx_hash", 30),
    Column("区块", "block", 10),
    Column("接收时间原文", "received_at_text", 30),
    Column("应答时间原文", "responded_at_text", 30),
)
"""The records sheet's columns, in order; ``field`` names the value each holds."""

RECORD_FIELDS: tuple[str, ...] = tuple(column.field for column in RECORD_COLUMNS)
COLUMN_INDEX: dict[str, int] = {field: index for index, field in enumerate(RECORD_FIELDS)}
TIME_TEXT_COLUMNS: dict[int, int] = {
    COLUMN_INDEX["received_at"]: COLUMN_INDEX["received_at_text"],
    COLUMN_INDEX["responded_at"]: COLUMN_INDEX["responded_at_text"],
}
"""Date cell index → index of the cell holding the same time as RFC 3339 text."""

ANCHOR_HEADERS: tuple[str, ...] = (
    "批次根",
    "前一批次根",
    "起始序号",
    "结束序号",
    "记录数",
    "状态",
    "交易哈希",
    "区块",
    "锚定时间(UTC)",
    "锚定时间原文",
)
ANCHOR_TIME_TEXT_COLUMNS: dict[int, int] = {8: 9}
"""Anchors-sheet date cell index → index of its RFC 3339 text."""

MANIFEST_HEADERS: tuple[str, ...] = ("记录行号", "行摘要(SM3)", "字段")
MANIFEST_ANCHORS_HEADERS: tuple[str, ...] = ("锚定批次行号", "行摘要(SM3)")
MANIFEST_METADATA_HEADERS: tuple[str, ...] = ("项目", "值", "字段")

METADATA_LABELS: dict[str, str] = {
    "manifest_version": "清单格式版本",
    "period_start": "起始时间",
    "period_end": "截止时间",
    "timezone": "时区",
    "member": "成员",
    "generated_at": "生成时间",
    "row_count": "记录行数",
    "anchor_count": "锚定批次行数",
    "key_id": "签名密钥标识",
    "public_key": "签名公钥",
    "sm2_user_id": "SM2用户标识",
    "evidence_ledger": "存证合约地址",
    "chain_suite": "链密码套件",
}
"""Signed metadata field → its label in the manifest sheet."""

MANIFEST_DIGEST_LABEL = "清单摘要"
SIGNATURE_LABEL = "签名"


class AuditWorkbookError(GatewayError):
    """An audit workbook that cannot be written or read as one (missing sheet, bad layout)."""

    code: ClassVar[str] = "malformed_audit_workbook"
    status: ClassVar[int] = 422
    title: ClassVar[str] = "Malformed audit workbook"


def row_canonical_values(
    values: Sequence[RowValue], time_columns: Mapping[int, int] = TIME_TEXT_COLUMNS
) -> list[RowValue]:
    """The row as the digest sees it: every date cell replaced by its RFC 3339 text."""
    canonical = list(values)
    for date_index, text_index in time_columns.items():
        text = values[text_index]
        canonical[date_index] = text if isinstance(text, str) else None
    return canonical


def row_json(values: Sequence[str | int | None]) -> bytes:
    """RFC 8785 canonical JSON of an array of strings, integers (|n| < 2^53) and nulls.

    For exactly these types RFC 8785 §3.2.2 serialisation coincides with ``json.dumps`` without
    ASCII escaping and without spaces (both escape only ``"``, ``\\`` and U+0000–U+001F, with
    the short forms for \\b \\f \\n \\r \\t and lower-case ``\\u00xx`` otherwise), which is much
    faster on a million rows than the general encoder; a property test holds them equal."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def row_digest(
    values: Sequence[RowValue], time_columns: Mapping[int, int] = TIME_TEXT_COLUMNS
) -> bytes:
    """SM3 of the canonical JSON of the row (its date cells as RFC 3339 text), 32 bytes."""
    try:
        encoded = row_json(row_canonical_values(values, time_columns))  # type: ignore[arg-type]
    except TypeError as exc:  # a time (or other non-JSON value) outside the date columns
        raise AuditWorkbookError(f"a row holds a value of the wrong kind: {exc}") from exc
    return hashlib.new("sm3", encoded).digest()


def anchor_row_digest(values: Sequence[RowValue]) -> bytes:
    """SM3 of the canonical JSON of an anchors-sheet row (anchoring time as its text)."""
    return row_digest(values, ANCHOR_TIME_TEXT_COLUMNS)


class ManifestDigest:
    """Running ``SM3(d_1 ‖ … ‖ d_n ‖ JCS(metadata))``: row digests are fed as they are
    written, so the export never holds them all."""

    def __init__(self) -> None:
        self._hash = hashlib.new("sm3")
        self.rows = 0

    def add_row(self, digest: bytes) -> None:
        self._hash.update(digest)
        self.rows += 1

    def finish(self, metadata: Mapping[str, object]) -> bytes:
        final = self._hash.copy()
        final.update(canonical_json(dict(metadata)))
        return final.digest()


def sign_manifest(digest: bytes, signer: Sm2PrivateKey, user_id: bytes) -> str:
    """SM2 signature (raw r ‖ s, ``0x`` hex) of the 32-byte manifest digest as the message:
    e = SM3(Z_A ‖ digest), Z_A over ``user_id`` (GB/T 32918.2 §6.1)."""
    return "0x" + signer.sign(digest, user_id).to_raw().hex()


def manifest_signature_valid(
    digest: bytes, signature: str, public_key: Sm2PublicKey, user_id: bytes
) -> bool:
    """True only for a valid raw-hex SM2 signature of ``digest`` by ``public_key``."""
    if not signature.startswith("0x") or len(signature) != 130:
        return False
    try:
        parsed = Sm2Signature.from_raw(bytes.fromhex(signature[2:]))
    except (ValueError, InvalidSignatureEncoding):
        return False
    return public_key.verify(digest, parsed, user_id)


def key_id_of(public_key: Sm2PublicKey) -> str:
    """The signer's key id: its FISCO BCOS address, as receipts use."""
    return address_of(public_key)


def public_key_text(public_key: Sm2PublicKey) -> str:
    """The public key as the manifest writes it: ``0x`` and 128 hex digits (X ‖ Y)."""
    return "0x" + public_key.to_bytes().hex()


def key_fingerprint(public_key: Sm2PublicKey) -> str:
    """The published fingerprint of a gateway key: SM3 of its 64-byte X ‖ Y, ``0x`` hex."""
    return "0x" + hashlib.new("sm3", public_key.to_bytes()).hexdigest()


__all__ = [
    "ANCHORS_SHEET",
    "ANCHOR_HEADERS",
    "ANCHOR_TIME_TEXT_COLUMNS",
    "MANIFEST_ANCHORS_HEADERS",
    "MANIFEST_HEADERS",
    "MANIFEST_METADATA_HEADERS",
    "MANIFEST_SHEET",
    "MANIFEST_VERSION",
    "METADATA_LABELS",
    "RECORDS_SHEET",
    "RECORD_COLUMNS",
    "SUMMARY_SHEET",
    "AuditWorkbookError",
    "ManifestDigest",
    "anchor_row_digest",
    "key_fingerprint",
    "key_id_of",
    "manifest_signature_valid",
    "public_key_text",
    "row_canonical_values",
    "row_digest",
    "row_json",
    "sign_manifest",
]
