"""The admin audit log: every console action, who did it in which role, and how it ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.console.tables import ConsoleAuditRow

OK = "ok"
REFUSED = "refused"  # the rules said no: wrong password, locked, forbidden role, bad CSRF token
FAILED = "failed"  # allowed, but the action itself failed (e.g. the chain refused it)


@dataclass(frozen=True)
class AdminAction:
    id: int
    at: datetime
    username: str
    role: str
    action: str
    target: str
    detail: str
    ip: str
    outcome: str


@dataclass(frozen=True)
class AdminActionQuery:
    username: str | None = None
    action: str | None = None
    outcome: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    before: int | None = None  # cursor: the smallest id of the previous page
    limit: int = 100


class AdminAuditLog:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def record(
        self,
        *,
        username: str,
        role: str,
        action: str,
        outcome: str,
        target: str = "",
        detail: str = "",
        ip: str = "",
    ) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                ConsoleAuditRow(
                    at=self.clock(),
                    username=username[:64],
                    role=role[:16],
                    action=action[:64],
                    target=target[:200],
                    detail=detail,
                    ip=ip[:64],
                    outcome=outcome,
                )
            )

    def find(self, query: AdminActionQuery) -> list[AdminAction]:
        """Newest first."""
        statement = select(ConsoleAuditRow).order_by(ConsoleAuditRow.id.desc()).limit(query.limit)
        for column, value in (
            (ConsoleAuditRow.username, query.username),
            (ConsoleAuditRow.action, query.action),
            (ConsoleAuditRow.outcome, query.outcome),
        ):
            if value:
                statement = statement.where(column == value)
        if query.start:
            statement = statement.where(ConsoleAuditRow.at >= query.start)
        if query.end:
            statement = statement.where(ConsoleAuditRow.at < query.end)
        if query.before:
            statement = statement.where(ConsoleAuditRow.id < query.before)
        with Session(self.engine) as session:
            return [
                AdminAction(
                    id=row.id,
                    at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
                    username=row.username,
                    role=row.role,
                    action=row.action,
                    target=row.target,
                    detail=row.detail,
                    ip=row.ip,
                    outcome=row.outcome,
                )
                for row in session.scalars(statement)
            ]
