"""Evidence leaves of many records at once: the bytes of :func:`digests.evidence_leaf`, fast.

Anchoring and reconciliation spell the leaf of every record they touch. For values of the
usual forms (strings, the sequence, ``0x`` digests, RFC 3339 times) the canonical JSON of the
13 evidence fields is a fixed template: keys in RFC 8785 order, each string escaped by the C
JSON string encoder (which escapes exactly what RFC 8785 escapes). Anything unusual (a
missing field, a wrong type, a lone surrogate) takes the checked path of
:func:`~gateway.evidence.digests.evidence_leaf`, so the bytes and the errors are the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from gateway.evidence.digests import (
    DECISIONS,
    EVIDENCE_FIELDS,
    EVIDENCE_LEAF_VERSION,
    MAX_JSON_INTEGER,
    evidence_leaf,
    is_timestamp,
)

_HEX_DIGEST = re.compile(r"0x[0-9a-f]{64}").fullmatch
PG_EVIDENCE_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
"""PostgreSQL ``to_char`` pattern of the evidence spelling of a UTC time."""
_SQLITE_TIME_LENGTH = len("2026-01-01 00:00:00.000000")
_TEMPLATE = (
    '{"consumer":%s,"decision":"%s","entry_id":%s,"entry_version":%s,'
    f'"evidence_version":{EVIDENCE_LEAF_VERSION},'
    '"provider":%s,"purpose":%s,"reason":%s,"received_at":"%s","request_digest":"%s",'
    '"request_id":%s,"responded_at":%s,"response_digest":%s,"sequence":%d}'
)

_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
).encode


def stamp(value: datetime | None) -> str | None:
    """``format_timestamp`` of a stored time (naive values are UTC), by the C ``isoformat``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def stored_time(value: datetime | str | None) -> str | None:
    """A stored time in the evidence spelling. SQLite's are read as stored text, which is
    always ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (only the separators differ); PostgreSQL
    spells them itself with ``to_char`` (see :func:`time_columns`)."""
    if isinstance(value, str):
        if value.endswith("Z"):  # spelled by PostgreSQL's to_char already
            return value
        if len(value) == _SQLITE_TIME_LENGTH:
            return value.replace(" ", "T", 1) + "Z"
        return stamp(datetime.fromisoformat(value))
    return stamp(value)


def _text(value: object) -> bool:
    return type(value) is str and value != ""


def _optional(value: object) -> str | None:
    """The JSON of a string-or-null field, or None when it is neither."""
    if value is None:
        return "null"
    if type(value) is str:
        return str(encode_basestring(value))
    return None


def evidence_leaf_text(values: Sequence[Any]) -> str:
    """The evidence leaf (as text) of one record's :data:`EVIDENCE_FIELDS` values, in that
    order; exactly ``evidence_leaf(dict(zip(EVIDENCE_FIELDS, values))).decode()``."""
    (
        request_id,
        sequence,
        entry_id,
        entry_version,
        consumer,
        provider,
        purpose,
        request_digest,
        response_digest,
        decision,
        reason,
        received_at,
        responded_at,
    ) = values
    purpose_json = _optional(purpose)
    reason_json = _optional(reason)
    if (
        type(sequence) is int
        and 1 <= sequence <= MAX_JSON_INTEGER
        and _text(request_id)
        and _text(entry_id)
        and _text(entry_version)
        and _text(consumer)
        and _text(provider)
        and purpose_json is not None
        and reason_json is not None
        and type(request_digest) is str
        and _HEX_DIGEST(request_digest)
        and decision in DECISIONS
        and type(decision) is str
        and (
            (response_digest is None and decision != "allowed")
            or (type(response_digest) is str and _HEX_DIGEST(response_digest))
        )
        and is_timestamp(received_at)
        and (responded_at is None or is_timestamp(responded_at))
    ):
        text = _TEMPLATE % (
            encode_basestring(consumer),
            decision,
            encode_basestring(entry_id),
            encode_basestring(entry_version),
            encode_basestring(provider),
            purpose_json,
            reason_json,
            received_at,
            request_digest,
            encode_basestring(request_id),
            "null" if responded_at is None else '"' + responded_at + '"',
            "null" if response_digest is None else '"' + response_digest + '"',
            sequence,
        )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the checked path refuses it
        else:
            return text
    return evidence_leaf(dict(zip(EVIDENCE_FIELDS, values, strict=True))).decode("utf-8")


def spell_leaf(values: Sequence[Any]) -> str | None:
    """The leaf text ``values`` (in :data:`EVIDENCE_FIELDS` order) would have, without checking
    they are well-formed evidence, or None for values JSON cannot hold. It parses back to
    exactly ``values``, so equal to a stored entry means equal to the values that entry holds:
    how reconciliation compares a row with its entry without parsing the entry. One call of
    the C JSON encoder over a dict built in RFC 8785 key order."""
    (
        request_id,
        sequence,
        entry_id,
        entry_version,
        consumer,
        provider,
        purpose,
        request_digest,
        response_digest,
        decision,
        reason,
        received_at,
        responded_at,
    ) = values
    try:
        return _encode(
            {
                "consumer": consumer,
                "decision": decision,
                "entry_id": entry_id,
                "entry_version": entry_version,
                "evidence_version": EVIDENCE_LEAF_VERSION,
                "provider": provider,
                "purpose": purpose,
                "reason": reason,
                "received_at": received_at,
                "request_digest": request_digest,
                "request_id": request_id,
                "responded_at": responded_at,
                "response_digest": response_digest,
                "sequence": sequence,
            }
        )
    except (TypeError, ValueError):
        return None


__all__ = ["PG_EVIDENCE_TIME", "evidence_leaf_text", "spell_leaf", "stamp", "stored_time"]
