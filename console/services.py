"""The console's own services; the composition root builds them (``Container.console``)."""

from __future__ import annotations

from dataclasses import dataclass

from console.account import Account
from console.accounts import AccountService
from console.audit import AdminAuditLog
from console.sessions import SessionStore


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
