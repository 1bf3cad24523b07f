"""Contract artefacts: ABI, bytecode and the compiler's own selectors and topics.

A contract compiled by FISCO's solc-gm dispatches on SM3 selectors baked into its bytecode;
one compiled by standard solc dispatches on Keccak-256 selectors, whatever chain it runs on.
So selectors and event topics are taken from the artefact (``methodIdentifiers`` as solc
writes them, ``eventTopics`` as the contracts build adds them). For entries missing there, the
hash family the artefact was compiled with is detected from its other identifiers; only an
artefact without any falls back to the chain suite's hash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from gateway.chain.abi import EventAbi, FunctionAbi
from gateway.chain.errors import ArtifactError
from gateway.chain.hexutil import hex_to_bytes
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE, CryptoSuite


def _hex_map(raw: object, size: int, what: str) -> dict[str, bytes]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ArtifactError(f"{what} must be an object")
    result: dict[str, bytes] = {}
    for signature, value in raw.items():
        try:
            digest = hex_to_bytes(str(value))
        except ValueError as exc:
            raise ArtifactError(f"{what}[{signature}] is not hex") from exc
        if len(digest) != size:
            raise ArtifactError(f"{what}[{signature}] must be {size} bytes")
        result[str(signature)] = digest
    return result


@dataclass(frozen=True)
class ContractArtifact:
    """A compiled contract as written by the contracts build (``contracts/build/...json``)."""

    contract_name: str
    abi: tuple[Mapping[str, Any], ...]
    bytecode: bytes = b""
    deployed_bytecode: bytes = b""
    method_identifiers: Mapping[str, bytes] = field(default_factory=dict)
    event_topics: Mapping[str, bytes] = field(default_factory=dict)
    compiler_version: str | None = None
    source_hash: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractArtifact:
        abi = data.get("abi")
        if isinstance(abi, str):
            try:
                abi = json.loads(abi)
            except ValueError as exc:
                raise ArtifactError(f"artefact ABI is not JSON: {exc}") from exc
        if not isinstance(abi, list):
            raise ArtifactError("artefact has no ABI list")
        try:
            bytecode = hex_to_bytes(str(data.get("bytecode") or ""))
            deployed = hex_to_bytes(str(data.get("deployedBytecode") or ""))
        except ValueError as exc:
            raise ArtifactError(f"artefact bytecode is not hex: {exc}") from exc
        compiler = data.get("compiler")
        return cls(
            contract_name=str(data.get("contractName", "")),
            abi=tuple(abi),
            bytecode=bytecode,
            deployed_bytecode=deployed,
            method_identifiers=_hex_map(data.get("methodIdentifiers"), 4, "methodIdentifiers"),
            event_topics=_hex_map(data.get("eventTopics"), 32, "eventTopics"),
            compiler_version=compiler.get("version") if isinstance(compiler, Mapping) else None,
            source_hash=data.get("sourceHash"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> ContractArtifact:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read artefact {path}: {exc}") from exc
        if not isinstance(data, Mapping):
            raise ArtifactError(f"artefact {path} is not a JSON object")
        return cls.from_json(data)

    @classmethod
    def from_abi(
        cls, abi: Sequence[Mapping[str, Any]], bytecode: bytes = b"", name: str = ""
    ) -> ContractArtifact:
        """An artefact from a bare ABI (selectors then come from the chain suite's hash)."""
        return cls(contract_name=name, abi=tuple(abi), bytecode=bytecode)

    def functions(self) -> list[FunctionAbi]:
        return [
            FunctionAbi.from_entry(e) for e in self.abi if e.get("type", "function") == "function"
        ]

    def events(self) -> list[EventAbi]:
        return [EventAbi.from_entry(e) for e in self.abi if e.get("type") == "event"]

    def constructor(self) -> FunctionAbi:
        for entry in self.abi:
            if entry.get("type") == "constructor":
                return FunctionAbi.from_entry({**entry, "name": "constructor"})
        return FunctionAbi("constructor", (), (), (), "nonpayable")

    def function(self, name_or_signature: str, arg_count: int | None = None) -> FunctionAbi:
        """The function with this signature, or with this name (and argument count)."""
        candidates = [
            f
            for f in self.functions()
            if name_or_signature in (f.signature, f.name)
            and (arg_count is None or "(" in name_or_signature or len(f.input_types) == arg_count)
        ]
        if not candidates:
            raise ArtifactError(
                f"{self.contract_name or 'contract'} has no function {name_or_signature}"
            )
        if len(candidates) > 1:
            options = ", ".join(f.signature for f in candidates)
            raise ArtifactError(f"{name_or_signature} is overloaded; use one of {options}")
        return candidates[0]

    def event(self, name_or_signature: str) -> EventAbi:
        candidates = [e for e in self.events() if name_or_signature in (e.signature, e.name)]
        if len(candidates) != 1:
            raise ArtifactError(
                f"{self.contract_name or 'contract'} has {len(candidates)} events named "
                f"{name_or_signature}"
            )
        return candidates[0]

    @cached_property
    def hash_family(self) -> CryptoSuite | None:
        """The suite whose hash produced this artefact's identifiers, if they tell."""
        for signature, selector in self.method_identifiers.items():
            for suite in (SM_SUITE, ECDSA_SUITE):
                if suite.selector(signature) == selector:
                    return suite
        for signature, topic in self.event_topics.items():
            for suite in (SM_SUITE, ECDSA_SUITE):
                if suite.event_topic(signature) == topic:
                    return suite
        return None

    def selector(self, function: FunctionAbi, suite: CryptoSuite) -> bytes:
        found = self.method_identifiers.get(function.signature)
        if found is not None:
            return found
        return (self.hash_family or suite).selector(function.signature)

    def topic(self, event: EventAbi, suite: CryptoSuite) -> bytes:
        found = self.event_topics.get(event.signature)
        if found is not None:
            return found
        return (self.hash_family or suite).event_topic(event.signature)
