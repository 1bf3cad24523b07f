"""Values shared by the contract tests: codes, statuses and digests as the contracts see them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

BUILDS = ("solc-0.6.10", "solc-0.8.11")
FAR_FUTURE = 2**62  # a timestamp beyond any block, in seconds or milliseconds alike

MEMBER_NONE, MEMBER_APPLIED, MEMBER_ACTIVE, MEMBER_SUSPENDED, MEMBER_REVOKED = range(5)
ROLE_PROVIDER, ROLE_CONSUMER, ROLE_OFFICE, ROLE_AUDITOR = 1, 2, 4, 8
ENTRY_NONE, ENTRY_PUBLISHED, ENTRY_RETIRED = range(3)
SHARING_UNCONDITIONAL, SHARING_CONDITIONAL, SHARING_NOT_SHARED = range(3)
GRANT_NONE, GRANT_APPLIED, GRANT_APPROVED, GRANT_REJECTED, GRANT_REVOKED = range(5)
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20


def b32(text: str) -> bytes:
    """A short ASCII code or name as bytes32, left-aligned as Solidity's bytes32("NRD")."""
    raw = text.encode("ascii")
    assert len(raw) <= 32
    return raw.ljust(32, b"\x00")


def digest(label: str) -> bytes:
    """A stand-in 32-byte digest (the gateway uses SM3; the contracts only store it)."""
    return hashlib.sha256(label.encode()).digest()


def events_named(events: list[Any], name: str) -> list[dict[str, Any]]:
    return [event.args for event in events if event.name == name]


def only_event(events: list[Any], name: str) -> dict[str, Any]:
    found = events_named(events, name)
    assert len(found) == 1, f"expected one {name} event, got {[e.name for e in events]}"
    return found[0]


@contextmanager
def refused(error_type: type[Exception], reason: str) -> Iterator[None]:
    """Expect the transaction or call to revert with exactly ``reason``."""
    with pytest.raises(error_type) as caught:
        yield
    assert getattr(caught.value, "reason", None) == reason
