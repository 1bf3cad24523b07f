"""The provider wire protocol: how the gateway and a department's system sign what they send.

Both directions carry three headers:

* ``X-Alliance-Key-Id``: the signer's FISCO BCOS address (``0x`` + 40 hex, SM3 of the SM2
  public key, last 20 bytes);
* ``X-Alliance-Timestamp``: an RFC 3339 date-time with offset, e.g. ``2026-11-27T14:35:00Z``;
* ``X-Alliance-Signature``: the SM2 signature (GB/T 32918, user ID ``1234567812345678``) as
  128 hex digits of raw r ‖ s, over ``canonical_json(body) + b"\\n" + timestamp`` where
  ``canonical_json`` is RFC 8785 and ``body`` is the JSON request or answer body.

The signature covers the body's canonical form, so whitespace or key order in transit does not
matter; the timestamp binds it to a moment (receivers reject more than
:data:`MAX_CLOCK_SKEW_SECONDS` of difference) and is itself covered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import InvalidSignatureEncoding
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey, Sm2Signature

KEY_ID_HEADER = "X-Alliance-Key-Id"
TIMESTAMP_HEADER = "X-Alliance-Timestamp"
SIGNATURE_HEADER = "X-Alliance-Signature"
FAULT_HEADER = "X-Sim-Fault"
MAX_CLOCK_SKEW_SECONDS = 300
USER_ID = DEFAULT_USER_ID

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_SIGNATURE_HEX = re.compile(r"[0-9a-fA-F]{128}")


class TimestampError(ValueError):
    code = "invalid_timestamp"


def format_timestamp(moment: datetime | None = None) -> str:
    """RFC 3339 in UTC to the second, ``YYYY-MM-DDTHH:MM:SSZ`` (now when ``moment`` is None)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    """An aware datetime from an RFC 3339 date-time (section 5.6: offset required)."""
    if not _RFC3339.fullmatch(value):
        raise TimestampError(f"{value!r} is not an RFC 3339 date-time with offset")
    text = value.upper().replace("Z", "+00:00")
    fraction = re.search(r"\.(\d+)", text)
    if fraction:  # Python parses at most microseconds
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6].ljust(6, "0"))
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise TimestampError(f"{value!r} is not a valid date-time") from exc


def signed_message(body: object, timestamp: str) -> bytes:
    """The bytes both sides sign: ``canonical_json(body) + b"\\n" + timestamp`` (UTF-8)."""
    return canonical_json(body) + b"\n" + timestamp.encode("utf-8")


def sign(key: Sm2PrivateKey, body: object, timestamp: str) -> str:
    """Hex of the raw r ‖ s SM2 signature of :func:`signed_message`."""
    return key.sign(signed_message(body, timestamp), USER_ID).to_raw().hex()


def verify(public_key: Sm2PublicKey, body: object, timestamp: str, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is ``public_key``'s signature of ``body`` at ``timestamp``;
    False for anything malformed, never an exception."""
    if not _SIGNATURE_HEX.fullmatch(signature_hex):
        return False
    try:
        signature = Sm2Signature.from_raw(bytes.fromhex(signature_hex))
    except InvalidSignatureEncoding:
        return False
    return public_key.verify(signed_message(body, timestamp), signature, USER_ID)


def signature_headers(
    key: Sm2PrivateKey, body: object, timestamp: str | None = None
) -> dict[str, str]:
    """The three ``X-Alliance-*`` headers for ``body`` signed by ``key``."""
    timestamp = timestamp or format_timestamp()
    return {
        KEY_ID_HEADER: address_of(key.public_key),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(key, body, timestamp),
    }


def within_skew(timestamp: datetime, now: datetime, skew: float = MAX_CLOCK_SKEW_SECONDS) -> bool:
    return abs((now - timestamp).total_seconds()) <= skew
