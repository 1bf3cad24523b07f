"""Who is acting on the catalogue: a member department, or the office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Actor:
    member: str
    is_office: bool
    label: str

    def acts_for(self, member: str) -> bool:
        return self.is_office or self.member == member


OFFICE_CLI = Actor(member="GAO", is_office=True, label="cli")


class MemberDirectory(Protocol):
    """What the catalogue needs to know about members (implemented over the member index)."""

    def is_active(self, code: str) -> bool: ...

    def has_role(self, code: str, role: str) -> bool: ...
