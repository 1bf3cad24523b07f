"""Server-side console sessions: the cookie holds a random token, the database its digest.

A new token is issued at every sign-in and the cookie's previous contents are discarded, so a
session cookie planted before sign-in never becomes a signed-in one (session fixation);
signing out, disabling an account or resetting its password ends its sessions at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gateway.console.tables import ConsoleSessionRow
from gateway.crypto.hashing import sm3


def _digest(token: str) -> str:
    return sm3(token.encode()).hex()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SessionStore:
    def __init__(
        self,
        engine: Engine,
        lifetime: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.lifetime = lifetime
        self.clock = clock

    def open(self, user_id: int, ip: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < now))
            session.add(
                ConsoleSessionRow(
                    token_digest=_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + self.lifetime,
                    ip=ip[:64],
                )
            )
        return token

    def user_of(self, token: str) -> int | None:
        """The signed-in user of a live session, or None (unknown, ended or expired)."""
        with Session(self.engine) as session:
            row = session.get(ConsoleSessionRow, _digest(token))
            if row is None or _aware(row.expires_at) <= self.clock():
                return None
            return row.user_id

    def close(self, token: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.token_digest == _digest(token))
            )

    def close_all(self, user_id: int) -> int:
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == user_id)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def count(self, user_id: int) -> int:
        with Session(self.engine) as session:
            return len(
                session.scalars(
                    select(ConsoleSessionRow.token_digest).where(
                        ConsoleSessionRow.user_id == user_id
                    )
                ).all()
            )
