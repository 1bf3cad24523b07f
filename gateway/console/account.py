"""A console account as the console sees it (never its password hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.console.roles import ConsoleRole


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: ConsoleRole
    member_code: str | None
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime

    def locked_at(self, moment: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > moment

    def document(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "member_code": self.member_code,
            "disabled": self.disabled,
            "failed_logins": self.failed_logins,
            "locked_until": self.locked_until,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
