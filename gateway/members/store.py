"""The member index in SQL (SQLite or PostgreSQL through SQLAlchemy)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from gateway.members.model import Member, MemberProfile, MemberStatus, Role
from gateway.members.ports import MemberEvent, MemberQuery
from gateway.members.tables import MemberEventRow, MemberRow


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _to_member(row: MemberRow) -> Member:
    profile = MemberProfile(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        credit_code=row.credit_code,
        roles=Role(row.roles),
        contact=row.contact,
        endpoint=row.endpoint,
    )
    return Member(
        profile=profile,
        status=MemberStatus(row.status),
        public_key=row.public_key,
        account=row.account,
        updated_at=_aware(row.updated_at),
        last_tx_hash=row.last_tx_hash,
        key_history=tuple(key for key in row.key_history.split(",") if key),
    )


class SqlMemberIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, code: str) -> Member | None:
        with Session(self.engine) as session:
            row = session.get(MemberRow, code)
            return _to_member(row) if row else None

    def find(self, query: MemberQuery) -> list[Member]:
        statement = select(MemberRow).order_by(MemberRow.code).limit(query.limit)
        if query.status is not None:
            statement = statement.where(MemberRow.status == query.status.value)
        if query.role is not None:
            statement = statement.where(MemberRow.roles.op("&")(int(query.role)) == int(query.role))
        if query.text:
            pattern = f"%{query.text}%"
            statement = statement.where(
                or_(
                    MemberRow.code.ilike(pattern),
                    MemberRow.name_zh.like(pattern),
                    MemberRow.name_en.ilike(pattern),
                )
            )
        if query.after:
            statement = statement.where(MemberRow.code > query.after)
        with Session(self.engine) as session:
            return [_to_member(row) for row in session.scalars(statement)]

    def save(self, member: Member) -> None:
        profile = member.profile
        with Session(self.engine) as session, session.begin():
            row = session.get(MemberRow, member.code) or MemberRow(code=member.code)
            row.name_zh = profile.name_zh
            row.name_en = profile.name_en
            row.credit_code = profile.credit_code
            row.roles = int(profile.roles)
            row.contact = profile.contact
            row.endpoint = profile.endpoint
            row.status = member.status.value
            row.public_key = member.public_key
            row.account = member.account
            row.key_history = ",".join(member.key_history)
            row.last_tx_hash = member.last_tx_hash
            row.updated_at = member.updated_at
            session.add(row)

    def add_event(self, event: MemberEvent) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                MemberEventRow(
                    code=event.code,
                    action=event.action,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    actor=event.actor,
                    reason=event.reason,
                    tx_hash=event.tx_hash,
                    at=event.at,
                )
            )

    def events(self, code: str) -> list[MemberEvent]:
        statement = (
            select(MemberEventRow).where(MemberEventRow.code == code).order_by(MemberEventRow.id)
        )
        with Session(self.engine) as session:
            return [
                MemberEvent(
                    code=row.code,
                    action=row.action,
                    from_status=row.from_status,
                    to_status=row.to_status,
                    actor=row.actor,
                    reason=row.reason,
                    tx_hash=row.tx_hash,
                    at=_aware(row.at),
                )
                for row in session.scalars(statement)
            ]

    def profiles(self) -> list[MemberProfile]:
        with Session(self.engine) as session:
            return [_to_member(row).profile for row in session.scalars(select(MemberRow))]
