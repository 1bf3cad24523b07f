"""Members of the alliance and the rules of their lifecycle.

applied → active (approve) → suspended (suspend) → active (reinstate); any state but revoked
→ revoked (revoke, final). The same machine is enforced by the ``MemberRegistry`` contract;
checking it here too gives the caller a clear error before a transaction is spent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, IntFlag

from gateway.members.errors import IllegalTransition, InvalidMember

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class MemberStatus(Enum):
    """Lifecycle states; ``chain_value`` is the number ``MemberRegistry`` stores."""

    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"

    @property
    def chain_value(self) -> int:
        return _CHAIN_STATUS[self]

    @classmethod
    def from_chain(cls, value: int) -> MemberStatus:
        for status, number in _CHAIN_STATUS.items():
            if number == value:
                return status
        raise InvalidMember(f"unknown on-chain member status {value}")


_CHAIN_STATUS = {
    MemberStatus.APPLIED: 1,
    MemberStatus.ACTIVE: 2,
    MemberStatus.SUSPENDED: 3,
    MemberStatus.REVOKED: 4,
}


class Role(IntFlag):
    """Roles as the bit flags ``MemberRegistry`` stores."""

    PROVIDER = 1
    CONSUMER = 2
    OFFICE = 4
    AUDITOR = 8

    @classmethod
    def parse(cls, names: list[str] | tuple[str, ...]) -> Role:
        roles = cls(0)
        for name in names:
            try:
                roles |= cls[name.upper()]
            except KeyError as exc:
                raise InvalidMember(f"unknown role {name!r}") from exc
        if not roles:
            raise InvalidMember("a member needs at least one role")
        return roles

    def names(self) -> list[str]:
        return [role.name.lower() for role in Role if role in self and role.name]


class Action(Enum):
    APPROVE = "approve"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


_NEXT: dict[tuple[Action, MemberStatus], MemberStatus] = {
    (Action.APPROVE, MemberStatus.APPLIED): MemberStatus.ACTIVE,
    (Action.SUSPEND, MemberStatus.ACTIVE): MemberStatus.SUSPENDED,
    (Action.REINSTATE, MemberStatus.SUSPENDED): MemberStatus.ACTIVE,
    (Action.REVOKE, MemberStatus.APPLIED): MemberStatus.REVOKED,
    (Action.REVOKE, MemberStatus.ACTIVE): MemberStatus.REVOKED,
    (Action.REVOKE, MemberStatus.SUSPENDED): MemberStatus.REVOKED,
}


def next_status(action: Action, current: MemberStatus) -> MemberStatus:
    """The status ``action`` leads to from ``current``, or :class:`IllegalTransition`."""
    try:
        return _NEXT[(action, current)]
    except KeyError as exc:
        raise IllegalTransition(
            f"cannot {action.value} a member that is {current.value}",
            action=action.value,
            status=current.value,
        ) from exc


def check_code(code: str) -> str:
    if not CODE_PATTERN.match(code):
        raise InvalidMember(
            f"member code {code!r} must be 2-16 of A-Z, 0-9, _ starting with a letter"
        )
    return code


def check_credit_code(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015), including its check character."""
    if len(value) != 18 or any(ch not in _USCC_ALPHABET for ch in value):
        raise InvalidMember(f"{value!r} is not an 18-character unified social credit code")
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(value, _USCC_WEIGHTS, strict=False))
    check = (31 - total % 31) % 31
    if _USCC_ALPHABET[check] != value[17]:
        raise InvalidMember(f"{value!r} has a wrong check character")
    return value


@dataclass(frozen=True)
class MemberProfile:
    """What a department declares when it applies (off-chain details included)."""

    code: str
    name_zh: str
    name_en: str
    credit_code: str
    roles: Role
    contact: str = ""
    endpoint: str = ""

    def __post_init__(self) -> None:
        check_code(self.code)
        if self.credit_code:
            check_credit_code(self.credit_code)
        if not self.name_zh.strip():
            raise InvalidMember("name_zh is empty")


@dataclass(frozen=True)
class Member:
    """A member as the gateway's index holds it (mirroring ``MemberRegistry``)."""

    profile: MemberProfile
    status: MemberStatus
    public_key: str  # 128 hex digits, SM2 X‖Y
    account: str  # 0x-prefixed address derived from the public key with the chain's hash
    updated_at: datetime
    last_tx_hash: str | None = None
    key_history: tuple[str, ...] = field(default=())

    @property
    def code(self) -> str:
        return self.profile.code

    @property
    def roles(self) -> Role:
        return self.profile.roles

    def document(self) -> dict[str, object]:
        """The member as the API and the CLI show it."""
        profile = self.profile
        return {
            "code": self.code,
            "name_zh": profile.name_zh,
            "name_en": profile.name_en,
            "credit_code": profile.credit_code,
            "roles": profile.roles.names(),
            "status": self.status.value,
            "contact": profile.contact,
            "endpoint": profile.endpoint,
            "public_key": self.public_key,
            "account": self.account,
            "updated_at": self.updated_at,
            "last_tx_hash": self.last_tx_hash,
        }
