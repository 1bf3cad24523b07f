"""Hex helpers for the JSON-RPC wire: ``0x``-prefixed strings in, bytes and ints out."""

from __future__ import annotations

import binascii

from gateway.chain.errors import ResponseFormatError

ZERO_ADDRESS = "0x" + "00" * 20


def to_hex(data: bytes) -> str:
    """``0x``-prefixed lower-case hex of ``data``."""
    return "0x" + data.hex()


def strip_0x(text: str) -> str:
    return text[2:] if text[:2] in ("0x", "0X") else text


def hex_to_bytes(text: str) -> bytes:
    """Bytes of a hex string, with or without ``0x``; raises :class:`ValueError` if not hex."""
    body = strip_0x(text.strip())
    if len(body) % 2:
        body = "0" + body
    try:
        return bytes.fromhex(body)
    except ValueError as exc:
        raise ValueError(f"not a hex string: {text[:80]!r}") from exc


def parse_address(text: str) -> bytes:
    """20 bytes of an address written as 40 hex digits (case is not checked here)."""
    body = strip_0x(text.strip())
    if len(body) != 40:
        raise ValueError(f"an address has 40 hex digits, got {len(body)}")
    try:
        return binascii.unhexlify(body)
    except binascii.Error as exc:
        raise ValueError(f"not a hex address: {text!r}") from exc


def quantity(value: object, field: str = "value") -> int:
    """An integer from a JSON-RPC value: ``"0x1a"`` (2.x), a decimal string or a JSON int (3.x)."""
    if isinstance(value, bool):
        raise ResponseFormatError(f"{field}: expected a number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if text[:2] in ("0x", "0X"):
                return int(text[2:] or "0", 16)
            return int(text, 10)
        except ValueError as exc:
            raise ResponseFormatError(f"{field}: not a number: {value[:80]!r}") from exc
    raise ResponseFormatError(f"{field}: expected a number, got {type(value).__name__}")


def data_bytes(value: object, field: str = "data") -> bytes:
    """Bytes of a ``0x`` hex value from a JSON-RPC response (``""`` and ``"0x"`` are empty)."""
    if not isinstance(value, str):
        raise ResponseFormatError(f"{field}: expected a hex string, got {type(value).__name__}")
    try:
        return hex_to_bytes(value)
    except ValueError as exc:
        raise ResponseFormatError(f"{field}: {exc}") from exc


def normalise_hash(value: object, field: str = "hash") -> str:
    """A 32-byte hash as ``0x``-prefixed lower-case hex (3.x sometimes omits ``0x``)."""
    raw = data_bytes(value, field)
    return to_hex(raw)


def normalise_address(value: object, field: str = "address") -> str | None:
    """Lower-case ``0x`` address, or ``None`` for the zero address and the empty string."""
    if value is None:
        return None
    raw = data_bytes(value, field)
    if not raw or raw == bytes(20):
        return None
    if len(raw) != 20:
        raise ResponseFormatError(f"{field}: an address has 20 bytes, got {len(raw)}")
    return to_hex(raw)
