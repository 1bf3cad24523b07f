"""The console's own services; the composition root builds them (``Container.console``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from gateway.console.account import Account
from gateway.console.accounts import AccountService
from gateway.console.audit import AdminAuditLog
from gateway.console.sessions import SessionStore
from gateway.console.store import AccountStore
from gateway.settings import ConsoleSettings


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


def build_console_services(
    engine: Engine, settings: ConsoleSettings, *, member_exists: Callable[[str], bool]
) -> ConsoleServices:
    return ConsoleServices(
        accounts=AccountService(
            AccountStore(engine),
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
            member_exists=member_exists,
        ),
        sessions=SessionStore(engine, timedelta(minutes=settings.session_lifetime_minutes)),
        audit=AdminAuditLog(engine),
    )
