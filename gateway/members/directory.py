"""A read-only view of membership for other features (catalogue, grants, broker)."""

from __future__ import annotations

from gateway.members.model import MemberStatus, Role
from gateway.members.ports import MemberIndex


class MemberDirectory:
    def __init__(self, index: MemberIndex) -> None:
        self.index = index

    def is_active(self, code: str) -> bool:
        member = self.index.get(code)
        return member is not None and member.status is MemberStatus.ACTIVE

    def has_role(self, code: str, role: str) -> bool:
        member = self.index.get(code)
        return member is not None and Role[role.upper()] in member.roles

    def is_office(self, code: str) -> bool:
        return self.has_role(code, "office")
