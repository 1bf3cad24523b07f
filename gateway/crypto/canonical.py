"""RFC 8785 JSON Canonicalization Scheme and the single definition of a message's digest.

Everything the gateway signs or anchors as JSON (requests and responses in the evidence log,
receipts, exports) is first put in canonical form, so the same value always has the same bytes
and therefore the same SM3 digest, whoever serialises it.
"""

from __future__ import annotations

import json

import rfc8785

from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.hashing import sm3

_MAX_SAFE_INTEGER = 2**53 - 1


def _without_floats(value: object) -> bool:
    """True when ``value`` holds only what :mod:`json` already writes as RFC 8785 does.

    Without floats (whose shortest form RFC 8785 defines after ECMAScript), with integers in
    the safe range and with keys inside the Basic Multilingual Plane (where UTF-16 code unit
    order, which RFC 8785 §3.2.3 sorts by, equals code point order), ``json.dumps`` with sorted
    keys, no whitespace and no ASCII escaping produces exactly the RFC 8785 bytes: both escape
    only ``"``, ``\\`` and control characters, with the same short forms.
    """
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER
    if isinstance(value, list | tuple):
        return all(_without_floats(item) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str)
            and (key.isascii() or all(ord(ch) < 0x10000 for ch in key))
            and _without_floats(item)
            for key, item in value.items()
        )
    return False


def canonical_json(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value`` (dicts, lists, str, int, float, bool,
    None). Raises :class:`CanonicalJsonError` for values RFC 8785 cannot represent: NaN and
    infinities, integers outside ±(2^53 - 1), non-string keys, other types."""
    if _without_floats(value):
        try:
            return json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 refuse it with its own message
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalJsonError(f"value has no RFC 8785 form: {exc}") from exc


def message_digest(value: object) -> bytes:
    """SM3 (GB/T 32905) of :func:`canonical_json` of ``value``: *the* digest of a message."""
    return sm3(canonical_json(value))
