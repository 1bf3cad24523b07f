"""A strict, minimal DER (ITU-T X.690) reader and writer for the few ASN.1 shapes used here:
ECDSA/SM2 signatures (GB/T 32918.2, SEC 1), SubjectPublicKeyInfo (RFC 5480), PKCS#8 (RFC 5958),
SEC 1 ECPrivateKey (RFC 5915) and PBES2 (RFC 8018).

Decoding is strict on purpose: non-minimal lengths, indefinite lengths, negative or
non-minimally encoded integers and trailing bytes are rejected, so one signature has one
encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_IDENTIFIER = 0x06
SEQUENCE = 0x30


class DerError(ValueError):
    """Malformed DER; callers turn it into their own typed error."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, content: bytes) -> bytes:
    """One TLV."""
    return bytes([tag]) + _length(len(content)) + content


def encode_integer(value: int) -> bytes:
    """A non-negative INTEGER, minimally encoded."""
    if value < 0:
        raise DerError("negative integers are not used here")
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return encode(INTEGER, body)


def encode_sequence(*items: bytes) -> bytes:
    return encode(SEQUENCE, b"".join(items))


def encode_oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return encode(OBJECT_IDENTIFIER, bytes(body))


def encode_bit_string(data: bytes) -> bytes:
    return encode(BIT_STRING, b"\x00" + data)


@dataclass(frozen=True)
class Element:
    """A decoded TLV: ``tag`` and the raw ``content`` bytes."""

    tag: int
    content: bytes

    def children(self) -> list[Element]:
        """The elements of a constructed value (SEQUENCE, context tags)."""
        if not self.tag & 0x20:
            raise DerError("not a constructed value")
        return decode_all(self.content)

    def expect(self, tag: int) -> Element:
        if self.tag != tag:
            raise DerError(f"expected tag {tag:#04x}, got {self.tag:#04x}")
        return self

    def as_integer(self) -> int:
        self.expect(INTEGER)
        body = self.content
        if not body:
            raise DerError("empty INTEGER")
        if body[0] & 0x80:
            raise DerError("negative INTEGER")
        if len(body) > 1 and body[0] == 0 and not body[1] & 0x80:
            raise DerError("non-minimal INTEGER")
        return int.from_bytes(body, "big")

    def as_oid(self) -> str:
        self.expect(OBJECT_IDENTIFIER)
        body = self.content
        if not body or body[-1] & 0x80:
            raise DerError("bad OBJECT IDENTIFIER")
        arcs: list[int] = []
        value = 0
        for byte in body:
            if value == 0 and byte == 0x80:
                raise DerError("non-minimal OBJECT IDENTIFIER arc")
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        first = arcs[0]
        head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
        return ".".join(str(arc) for arc in head + arcs[1:])

    def as_octets(self) -> bytes:
        return self.expect(OCTET_STRING).content

    def as_bit_string(self) -> bytes:
        self.expect(BIT_STRING)
        if not self.content or self.content[0] != 0:
            raise DerError("BIT STRING with unused bits")
        return self.content[1:]


def decode_one(data: bytes, offset: int = 0) -> tuple[Element, int]:
    """Decode the TLV at ``offset``; returns it and the offset just after it."""
    if offset + 2 > len(data):
        raise DerError("truncated DER")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used here")
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DerError("indefinite or oversized length")
        if position + count > len(data):
            raise DerError("truncated DER length")
        length = int.from_bytes(data[position : position + count], "big")
        if length < 0x80 or data[position] == 0:
            raise DerError("non-minimal length")
        position += count
    end = position + length
    if end > len(data):
        raise DerError("truncated DER content")
    return Element(tag, bytes(data[position:end])), end


def decode_all(data: bytes) -> list[Element]:
    items = []
    offset = 0
    while offset < len(data):
        item, offset = decode_one(data, offset)
        items.append(item)
    return items


def decode_exact(data: bytes) -> Element:
    """Decode exactly one TLV that spans all of ``data``."""
    item, end = decode_one(data)
    if end != len(data):
        raise DerError("trailing bytes after DER value")
    return item


def encode_signature(r: int, s: int) -> bytes:
    """``SEQUENCE { INTEGER r, INTEGER s }`` (SEC 1 ECDSA-Sig-Value, GB/T 32918.2 SM2Signature)."""
    # (bit_length + 8) // 8 bytes is the minimal two's-complement size of a positive INTEGER.
    r_bytes = r.to_bytes((r.bit_length() + 8) // 8, "big")
    s_bytes = s.to_bytes((s.bit_length() + 8) // 8, "big")
    body_length = len(r_bytes) + len(s_bytes) + 4
    if r < 1 or s < 1 or body_length >= 0x80:
        return encode_sequence(encode_integer(r), encode_integer(s))
    return (
        bytes((SEQUENCE, body_length, INTEGER, len(r_bytes)))
        + r_bytes
        + bytes((INTEGER, len(s_bytes)))
        + s_bytes
    )


def _minimal_positive(body: bytes) -> bool:
    return (
        bool(body)
        and not body[0] & 0x80
        and not (len(body) > 1 and body[0] == 0 and not body[1] & 0x80)
    )


def decode_signature(data: bytes) -> tuple[int, int]:
    """Inverse of :func:`encode_signature`, strict. The common short form is read directly;
    anything else goes through the general decoder, which accepts or rejects it the same way."""
    size = len(data)
    if 8 <= size < 0x82 and data[0] == SEQUENCE and data[1] == size - 2 and data[2] == INTEGER:
        r_end = 4 + data[3]
        if r_end + 2 < size and data[r_end] == INTEGER and r_end + 2 + data[r_end + 1] == size:
            r_body = data[4:r_end]
            s_body = data[r_end + 2 :]
            if _minimal_positive(r_body) and _minimal_positive(s_body):
                return int.from_bytes(r_body, "big"), int.from_bytes(s_body, "big")
    return decode_signature_general(data)


def decode_signature_general(data: bytes) -> tuple[int, int]:
    items = decode_exact(data).expect(SEQUENCE).children()
    if len(items) != 2:
        raise DerError("a signature has exactly two INTEGERs")
    return items[0].as_integer(), items[1].as_integer()
