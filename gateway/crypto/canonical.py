"""RFC 8785 JSON Canonicalization Scheme and the single definition of a message's digest.

Everything the gateway signs or anchors as JSON (requests and responses in the evidence log,
receipts, exports) is first put in canonical form, so the same value always has the same bytes
and therefore the same SM3 digest, whoever serialises it.
"""

from __future__ import annotations

import rfc8785

from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.hashing import sm3


def canonical_json(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value`` (dicts, lists, str, int, float, bool,
    None). Raises :class:`CanonicalJsonError` for values RFC 8785 cannot represent: NaN and
    infinities, integers outside ±(2^53 - 1), non-string keys, other types."""
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalJsonError(f"value has no RFC 8785 form: {exc}") from exc


def message_digest(value: object) -> bytes:
    """SM3 (GB/T 32905) of :func:`canonical_json` of ``value``: *the* digest of a message."""
    return sm3(canonical_json(value))
