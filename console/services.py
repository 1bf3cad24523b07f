"""The console's own services, built once by the container (``Container.console``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from console.accounts import AccountService
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
