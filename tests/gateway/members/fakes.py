"""In-memory fakes of the membership service's ports, enforcing the same rules as the chain."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from gateway.members.errors import LedgerRefused
from gateway.members.model import Action, Member, MemberProfile, MemberStatus, Role, next_status
from gateway.members.ports import IssuedCredentials, LedgerMember, MemberEvent, MemberQuery


class FakeLedger:
    def __init__(self) -> None:
        self.members: dict[str, LedgerMember] = {}
        self._tx = itertools.count(1)

    def _hash(self) -> str:
        return f"0x{next(self._tx):064x}"

    def register_application(
        self, code: str, name: str, public_key: bytes, account: str, roles: Role
    ) -> str:
        if code in self.members:
            raise LedgerRefused("MemberRegistry: member already exists")
        self.members[code] = LedgerMember(
            code, name, public_key, account, roles, MemberStatus.APPLIED, 0
        )
        return self._hash()

    def transition(self, code: str, action: str, reason: str) -> str:
        current = self.members[code]
        target = next_status(Action(action), current.status)
        self.members[code] = LedgerMember(
            code, current.name, current.public_key, current.account, current.roles, target, 1
        )
        return self._hash()

    def rotate_key(self, code: str, public_key: bytes, account: str) -> str:
        current = self.members[code]
        self.members[code] = LedgerMember(
            code, current.name, public_key, account, current.roles, current.status, 2
        )
        return self._hash()

    def read(self, code: str) -> LedgerMember | None:
        return self.members.get(code)

    def codes(self) -> Sequence[str]:
        return list(self.members)


class FakeIndex:
    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.log: list[MemberEvent] = []

    def get(self, code: str) -> Member | None:
        return self.members.get(code)

    def find(self, query: MemberQuery) -> list[Member]:
        found = [
            m
            for code, m in sorted(self.members.items())
            if (query.status is None or m.status is query.status)
            and (query.role is None or query.role in m.roles)
            and (query.after is None or code > query.after)
        ]
        return found[: query.limit]

    def save(self, member: Member) -> None:
        self.members[member.code] = member

    def add_event(self, event: MemberEvent) -> None:
        self.log.append(event)

    def events(self, code: str) -> list[MemberEvent]:
        return [e for e in self.log if e.code == code]

    def profiles(self) -> list[MemberProfile]:
        return [m.profile for m in self.members.values()]


class FakeCredentials:
    def __init__(self) -> None:
        self.issued: list[str] = []
        self.killed: list[str] = []
        self.withdrawn: list[str] = []

    def issue(self, member: Member) -> IssuedCredentials:
        self.issued.append(member.code)
        return IssuedCredentials(f"{member.code.lower()}-1", "secret", ("catalog:read",))

    def revoke_tokens(self, code: str) -> int:
        self.killed.append(code)
        return 1

    def withdraw(self, code: str) -> int:
        self.withdrawn.append(code)
        return 1


class FakeKeys:
    def __init__(self) -> None:
        self.generated: list[str] = []

    def generate(self, code: str) -> bytes:
        self.generated.append(code)
        return bytes([len(self.generated)]) * 64

    def address_of(self, public_key: bytes) -> str:
        return "0x" + public_key[:20].hex()

    def path_of(self, code: str) -> str | None:
        return f"/keys/{code}.pem" if code in self.generated else None
