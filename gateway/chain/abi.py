"""Solidity ABI via ``eth-abi``: calldata, return values, events and revert reasons.

ABI argument encoding is the same on guomi and standard chains; only the hash behind
selectors and topics differs (SM3 in solc-gm builds, Keccak-256 in solc). Selectors and topics
are therefore not computed here but passed in (taken from the artefact, see
:mod:`gateway.chain.artifact`). Addresses are accepted in any case, a mixed-case one must
carry the chain suite's checksum, and decoded addresses come back lower-case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import ABITypeError, DecodingError, EncodingError, ParseError
from eth_abi.grammar import ABIType, BasicType, TupleType, parse

from gateway.chain.errors import AbiError, InvalidAddress
from gateway.chain.hexutil import hex_to_bytes
from gateway.chain.results import LogEntry
from gateway.chain.suite import CryptoSuite

#: ``Error(string)`` selector under Keccak-256; guomi chains may use the SM3 one.
ERROR_STRING_SIGNATURE = "Error(string)"
PANIC_SIGNATURE = "Panic(uint256)"


def canonical_type(param: Mapping[str, Any]) -> str:
    """Canonical type string of an ABI parameter; tuples become ``(t1,t2)`` plus array suffix."""
    type_str = str(param["type"])
    if type_str.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){type_str[len('tuple') :]}"
    return type_str


def _parse(type_str: str) -> ABIType:
    try:
        return parse(type_str)
    except (ParseError, ABITypeError) as exc:
        raise AbiError(f"invalid ABI type {type_str!r}: {exc}") from exc


def _normalise_arg(abi_type: ABIType, value: Any, suite: CryptoSuite) -> Any:
    if abi_type.is_array:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise AbiError(f"{abi_type.to_type_str()} expects a list")
        item = abi_type.item_type
        return [_normalise_arg(item, element, suite) for element in value]
    if isinstance(abi_type, TupleType):
        if isinstance(value, Mapping):
            raise AbiError("tuple arguments are given as lists, in component order")
        if len(value) != len(abi_type.components):
            raise AbiError(f"{abi_type.to_type_str()} expects {len(abi_type.components)} items")
        return tuple(
            _normalise_arg(c, v, suite) for c, v in zip(abi_type.components, value, strict=True)
        )
    if not isinstance(abi_type, BasicType):
        return value
    if abi_type.base == "address":
        if isinstance(value, bytes) and len(value) == 20:
            return "0x" + value.hex()
        if not isinstance(value, str):
            raise AbiError("address arguments are hex strings or 20 bytes")
        try:
            return "0x" + suite.parse_address(value).hex()
        except InvalidAddress as exc:
            raise AbiError(str(exc)) from exc
    if abi_type.base == "bytes" and isinstance(value, str):
        try:
            return hex_to_bytes(value)
        except ValueError as exc:
            raise AbiError(f"{abi_type.to_type_str()} expects bytes or a hex string") from exc
    return value


def _normalise_result(abi_type: ABIType, value: Any) -> Any:
    if abi_type.is_array:
        return [_normalise_result(abi_type.item_type, element) for element in value]
    if isinstance(abi_type, TupleType):
        return tuple(
            _normalise_result(c, v) for c, v in zip(abi_type.components, value, strict=True)
        )
    if isinstance(abi_type, BasicType) and abi_type.base == "address":
        return str(value).lower()
    return value


def encode_arguments(types: Sequence[str], args: Sequence[Any], suite: CryptoSuite) -> bytes:
    """ABI-encode ``args`` as the tuple ``types`` (no selector)."""
    if len(types) != len(args):
        raise AbiError(f"expected {len(types)} arguments, got {len(args)}")
    parsed = [_parse(t) for t in types]
    values = [_normalise_arg(t, a, suite) for t, a in zip(parsed, args, strict=True)]
    try:
        return encode(list(types), values)
    except (EncodingError, TypeError, ValueError, OverflowError) as exc:
        raise AbiError(f"arguments do not match ({','.join(types)}): {exc}") from exc


def decode_values(types: Sequence[str], data: bytes) -> tuple[Any, ...]:
    """ABI-decode ``data`` as the tuple ``types``; addresses come back lower-case."""
    try:
        values = decode(list(types), data)
    except (DecodingError, TypeError, ValueError, OverflowError) as exc:
        raise AbiError(f"data does not decode as ({','.join(types)}): {exc}") from exc
    return tuple(_normalise_result(_parse(t), v) for t, v in zip(types, values, strict=True))


@dataclass(frozen=True)
class FunctionAbi:
    """One ABI function entry with the canonical signature used for its selector."""

    name: str
    input_types: tuple[str, ...]
    input_names: tuple[str, ...]
    output_types: tuple[str, ...]
    state_mutability: str

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> FunctionAbi:
        inputs = entry.get("inputs", [])
        mutability = entry.get("stateMutability")
        if mutability is None:
            mutability = "view" if entry.get("constant") else "nonpayable"
        return cls(
            name=str(entry.get("name", "")),
            input_types=tuple(canonical_type(p) for p in inputs),
            input_names=tuple(str(p.get("name", "")) for p in inputs),
            output_types=tuple(canonical_type(p) for p in entry.get("outputs", [])),
            state_mutability=str(mutability),
        )

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.input_types)})"

    @property
    def is_read_only(self) -> bool:
        return self.state_mutability in ("view", "pure")

    def encode_call(self, selector: bytes, args: Sequence[Any], suite: CryptoSuite) -> bytes:
        return selector + encode_arguments(self.input_types, args, suite)

    def decode_input(self, data: bytes) -> tuple[Any, ...]:
        return decode_values(self.input_types, data[4:])

    def decode_output(self, data: bytes) -> tuple[Any, ...]:
        return decode_values(self.output_types, data)


@dataclass(frozen=True)
class EventParam:
    name: str
    type: str
    indexed: bool


@dataclass(frozen=True)
class DecodedEvent:
    """An event decoded from a log. Indexed dynamic values are given as their 32-byte hash."""

    name: str
    signature: str
    args: dict[str, Any]
    log: LogEntry


@dataclass(frozen=True)
class EventAbi:
    name: str
    inputs: tuple[EventParam, ...]
    anonymous: bool

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> EventAbi:
        return cls(
            name=str(entry.get("name", "")),
            inputs=tuple(
                EventParam(str(p.get("name", "")), canonical_type(p), bool(p.get("indexed")))
                for p in entry.get("inputs", [])
            ),
            anonymous=bool(entry.get("anonymous", False)),
        )

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(p.type for p in self.inputs)})"

    def decode_log(self, log: LogEntry) -> DecodedEvent:
        """Decode ``log``; the caller has matched topic 0 against this event's topic."""
        topics = list(log.topics if self.anonymous else log.topics[1:])
        indexed = [p for p in self.inputs if p.indexed]
        if len(topics) != len(indexed):
            raise AbiError(f"{self.signature}: expected {len(indexed)} indexed topics")
        values: dict[str, Any] = {}
        for param, topic in zip(indexed, topics, strict=True):
            if _parse(param.type).is_dynamic or param.type.endswith("]"):
                values[param.name] = topic
            else:
                values[param.name] = decode_values([param.type], topic)[0]
        plain = [p for p in self.inputs if not p.indexed]
        decoded = decode_values([p.type for p in plain], log.data)
        values.update({p.name: v for p, v in zip(plain, decoded, strict=True)})
        ordered = {p.name: values[p.name] for p in self.inputs}
        return DecodedEvent(self.name, self.signature, ordered, log)


def decode_revert_reason(output: bytes, suite: CryptoSuite) -> str | None:
    """The reason of a reverted call: ``Error(string)`` (Keccak or suite selector) or ``Panic``."""
    if len(output) < 4:
        return None
    head, body = output[:4], output[4:]
    error_selectors = {bytes.fromhex("08c379a0"), suite.selector(ERROR_STRING_SIGNATURE)}
    panic_selectors = {bytes.fromhex("4e487b71"), suite.selector(PANIC_SIGNATURE)}
    try:
        if head in error_selectors:
            return str(decode_values(["string"], body)[0])
        if head in panic_selectors:
            return f"Panic(0x{decode_values(['uint256'], body)[0]:x})"
    except AbiError:
        return None  # malformed revert data carries no readable reason
    return None
