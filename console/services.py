"""The console's own services, built once by the container (``Container.console``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from console.accounts import Account, AccountService
from console.audit import AdminAuditLog
from console.sessions import SessionStore
from console.store import AccountStore

if TYPE_CHECKING:
    from gateway.bootstrap import Container


@dataclass(frozen=True)
class ConsoleServices:
    accounts: AccountService
    sessions: SessionStore
    audit: AdminAuditLog

    def disable(self, username: str, disabled: bool = True) -> Account:
        """Disable (or enable) an account; disabling ends its sessions at once."""
        account = self.accounts.set_disabled(username, disabled)
        if disabled:
            self.sessions.close_all(account.id)
        return account

    def reset_password(self, username: str, password: str) -> Account:
        """A new password ends every session signed in with the old one."""
        account = self.accounts.reset_password(username, password)
        self.sessions.close_all(account.id)
        return account


def build_console_services(container: Container) -> ConsoleServices:
    settings = container.settings.console
    return ConsoleServices(
        accounts=AccountService(
            AccountStore(container.engine),
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
            member_exists=lambda code: container.members.index.get(code) is not None,
        ),
        sessions=SessionStore(
            container.engine, timedelta(minutes=settings.session_lifetime_minutes)
        ),
        audit=AdminAuditLog(container.engine),
    )
