"""The subset of the TARS wire encoding used by FISCO BCOS 3.x transactions.

Each field starts with a head byte ``tag << 4 | type`` (tags >= 15 take an extra byte).
Types: 0/1/2/3 int8/16/32/64 big-endian, 6/7 string with a 1/4-byte length, 8 map, 9 list,
10/11 struct begin/end, 12 zero, 13 simple list (``vector<byte>``: a head for int8, a tagged
int length, then the bytes). Integers take the smallest width that holds them and 0 is the
zero type. Floats (4, 5) never occur in transactions and are rejected.
"""

from __future__ import annotations

import struct
from typing import Any

from gateway.chain.errors import TransactionDecodeError

INT8, INT16, INT32, INT64 = 0, 1, 2, 3
STRING1, STRING4, MAP, LIST = 6, 7, 8, 9
STRUCT_BEGIN, STRUCT_END, ZERO, SIMPLE_LIST = 10, 11, 12, 13

MAX_DEPTH = 16

TarsValue = int | bytes | list[Any] | dict[Any, Any]


class TarsWriter:
    """Appends tagged TARS fields to a buffer."""

    def __init__(self) -> None:
        self._out = bytearray()

    def head(self, tag: int, type_id: int) -> None:
        if tag < 15:
            self._out.append(tag << 4 | type_id)
        else:
            self._out += bytes([0xF0 | type_id, tag])

    def write_int(self, tag: int, value: int) -> None:
        if value == 0:
            self.head(tag, ZERO)
        elif -0x80 <= value < 0x80:
            self.head(tag, INT8)
            self._out += struct.pack(">b", value)
        elif -0x8000 <= value < 0x8000:
            self.head(tag, INT16)
            self._out += struct.pack(">h", value)
        elif -0x80000000 <= value < 0x80000000:
            self.head(tag, INT32)
            self._out += struct.pack(">i", value)
        else:
            self.head(tag, INT64)
            self._out += struct.pack(">q", value)

    def write_string(self, tag: int, value: bytes) -> None:
        if len(value) < 256:
            self.head(tag, STRING1)
            self._out.append(len(value))
        else:
            self.head(tag, STRING4)
            self._out += struct.pack(">I", len(value))
        self._out += value

    def write_bytes(self, tag: int, value: bytes) -> None:
        self.head(tag, SIMPLE_LIST)
        self.head(0, INT8)
        self.write_int(0, len(value))
        self._out += value

    def struct_begin(self, tag: int) -> None:
        self.head(tag, STRUCT_BEGIN)

    def struct_end(self) -> None:
        self.head(0, STRUCT_END)

    def getvalue(self) -> bytes:
        return bytes(self._out)


class TarsReader:
    """Reads tagged TARS fields into ``{tag: value}`` dicts (structs nest as dicts)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _take(self, count: int) -> bytes:
        if count < 0 or self._pos + count > len(self._data):
            raise TransactionDecodeError("TARS data ends inside a field")
        chunk = self._data[self._pos : self._pos + count]
        self._pos += count
        return chunk

    @property
    def at_end(self) -> bool:
        return self._pos >= len(self._data)

    def head(self) -> tuple[int, int]:
        first = self._take(1)[0]
        tag, type_id = first >> 4, first & 0x0F
        if tag == 15:
            tag = self._take(1)[0]
        return tag, type_id

    def _int(self, type_id: int) -> int:
        widths = {INT8: ">b", INT16: ">h", INT32: ">i", INT64: ">q"}
        if type_id == ZERO:
            return 0
        if type_id not in widths:
            raise TransactionDecodeError(f"expected a TARS integer, got type {type_id}")
        fmt = widths[type_id]
        value: int = struct.unpack(fmt, self._take(struct.calcsize(fmt)))[0]
        return value

    def _length(self) -> int:
        _, type_id = self.head()
        length = self._int(type_id)
        if length < 0 or length > len(self._data) - self._pos:
            raise TransactionDecodeError("TARS length runs past the end of the data")
        return length

    def value(self, type_id: int, depth: int = 0) -> TarsValue:
        if depth > MAX_DEPTH:
            raise TransactionDecodeError("TARS structs nested too deeply")
        if type_id in (INT8, INT16, INT32, INT64, ZERO):
            return self._int(type_id)
        if type_id == STRING1:
            return self._take(self._take(1)[0])
        if type_id == STRING4:
            (length,) = struct.unpack(">I", self._take(4))
            return self._take(length)
        if type_id == SIMPLE_LIST:
            _, element_type = self.head()
            if element_type != INT8:
                raise TransactionDecodeError("a TARS simple list holds bytes")
            return self._take(self._length())
        if type_id == LIST:
            count = self._length()
            return [self.value(self.head()[1], depth + 1) for _ in range(count)]
        if type_id == MAP:
            count = self._length()
            pairs: dict[Any, Any] = {}
            for _ in range(count):
                key = self.value(self.head()[1], depth + 1)
                pairs[key if not isinstance(key, list | dict) else repr(key)] = self.value(
                    self.head()[1], depth + 1
                )
            return pairs
        if type_id == STRUCT_BEGIN:
            return self.fields(depth + 1, in_struct=True)
        raise TransactionDecodeError(f"unsupported TARS type {type_id}")

    def fields(self, depth: int = 0, *, in_struct: bool = False) -> dict[int, TarsValue]:
        """Fields until the end of the data or, inside a struct, until its end marker."""
        result: dict[int, TarsValue] = {}
        while not self.at_end:
            tag, type_id = self.head()
            if type_id == STRUCT_END:
                if not in_struct:
                    raise TransactionDecodeError("TARS struct end outside a struct")
                return result
            if tag in result:
                raise TransactionDecodeError(f"TARS tag {tag} appears twice")
            result[tag] = self.value(type_id, depth)
        if in_struct:
            raise TransactionDecodeError("TARS struct is not closed")
        return result


def decode_fields(data: bytes) -> dict[int, TarsValue]:
    """All top-level fields of ``data``; raises TransactionDecodeError when malformed."""
    return TarsReader(data).fields()
