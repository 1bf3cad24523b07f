"""SQL storage of console accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gateway.console.account import Account
from gateway.console.roles import ConsoleRole
from gateway.console.tables import ConsoleUserRow


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # SQLite hands back naive datetimes
    return moment


def _account(row: ConsoleUserRow) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=ConsoleRole(row.role),
        member_code=row.member_code,
        disabled=row.disabled,
        failed_logins=row.failed_logins,
        locked_until=_utc(row.locked_until),
        created_at=_utc(row.created_at) or row.created_at,
        updated_at=_utc(row.updated_at) or row.updated_at,
    )


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def by_username(self, username: str) -> Account | None:
        with Session(self.engine) as session:
            row = session.scalar(select(ConsoleUserRow).where(ConsoleUserRow.username == username))
            return None if row is None else _account(row)

    def by_id(self, user_id: int) -> Account | None:
        with Session(self.engine) as session:
            row = session.get(ConsoleUserRow, user_id)
            return None if row is None else _account(row)

    def all(self) -> list[Account]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ConsoleUserRow).order_by(ConsoleUserRow.username))
            return [_account(row) for row in rows]

    def password_hash(self, user_id: int) -> str:
        with Session(self.engine) as session:
            return (
                session.scalar(
                    select(ConsoleUserRow.password_hash).where(ConsoleUserRow.id == user_id)
                )
                or ""
            )

    def insert(
        self,
        username: str,
        display_name: str,
        role: ConsoleRole,
        member_code: str | None,
        password_hash: str,
        now: datetime,
    ) -> Account:
        with Session(self.engine) as session, session.begin():
            row = ConsoleUserRow(
                username=username,
                display_name=display_name,
                role=role.value,
                member_code=member_code,
                password_hash=password_hash,
                disabled=False,
                failed_logins=0,
                locked_until=None,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _account(row)

    def update(self, user_id: int, **changes: Any) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(ConsoleUserRow).where(ConsoleUserRow.id == user_id).values(**changes)
            )

    def record_failure(self, user_id: int, threshold: int, lock_until: datetime) -> bool:
        """Count one failed sign-in atomically; lock the account when the count reaches
        ``threshold``. True when this failure locked it."""
        with Session(self.engine) as session, session.begin():
            failures = session.scalar(
                update(ConsoleUserRow)
                .where(ConsoleUserRow.id == user_id)
                .values(failed_logins=ConsoleUserRow.failed_logins + 1)
                .returning(ConsoleUserRow.failed_logins)
            )
            if failures is None or failures < threshold:
                return False
            session.execute(
                update(ConsoleUserRow)
                .where(ConsoleUserRow.id == user_id)
                .values(failed_logins=0, locked_until=lock_until)
            )
            return True
