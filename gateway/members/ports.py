"""What the membership service needs from the outside world, owned by the service.

Each port has a real adapter (``members/store.py`` for SQL, ``members/ledger.py`` for the
``MemberRegistry`` contract, the OAuth package for credentials and tokens) and a fake in the
tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gateway.members.model import Member, MemberProfile, MemberStatus, Role


@dataclass(frozen=True)
class LedgerMember:
    """A member as ``MemberRegistry`` holds it."""

    code: str
    name: str
    public_key: bytes
    account: str
    roles: Role
    status: MemberStatus
    updated_at: int  # block time: milliseconds since the epoch


@dataclass(frozen=True)
class MemberEvent:
    """One lifecycle step, as recorded in the index for the history view."""

    code: str
    action: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    tx_hash: str | None
    at: datetime


@dataclass(frozen=True)
class MemberQuery:
    status: MemberStatus | None = None
    role: Role | None = None
    text: str | None = None
    after: str | None = None  # cursor: the last code of the previous page
    limit: int = 50


class MemberLedger(Protocol):
    """The on-chain ``MemberRegistry``: the source of truth. Writes return the tx hash."""

    def register_application(
        self, code: str, name: str, public_key: bytes, account: str, roles: Role
    ) -> str: ...

    def transition(self, code: str, action: str, reason: str) -> str: ...

    def rotate_key(self, code: str, public_key: bytes, account: str) -> str: ...

    def read(self, code: str) -> LedgerMember | None: ...

    def codes(self) -> Sequence[str]: ...


class MemberIndex(Protocol):
    """The queryable SQL copy of the registry plus the off-chain profile details."""

    def get(self, code: str) -> Member | None: ...

    def find(self, query: MemberQuery) -> list[Member]: ...

    def save(self, member: Member) -> None: ...

    def add_event(self, event: MemberEvent) -> None: ...

    def events(self, code: str) -> list[MemberEvent]: ...

    def profiles(self) -> list[MemberProfile]: ...


@dataclass(frozen=True)
class IssuedCredentials:
    """What a member receives on approval; ``client_secret`` is shown once, never stored."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


class CredentialIssuer(Protocol):
    """Issues and withdraws a member's OAuth clients, and kills its live tokens."""

    def issue(self, member: Member) -> IssuedCredentials: ...

    def revoke_tokens(self, code: str) -> int: ...

    def withdraw(self, code: str) -> int: ...


class MemberKeys(Protocol):
    """Where SM2 key pairs the gateway generates for members are kept until handed over."""

    def generate(self, code: str) -> bytes:
        """Create a key pair for ``code`` and return its 64-byte public key."""
        ...

    def address_of(self, public_key: bytes) -> str: ...

    def path_of(self, code: str) -> str | None: ...
