"""Grants and their history in SQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.catalog.model import Grant, GrantStatus
from gateway.catalog.ports import GrantQuery
from gateway.catalog.tables import GrantEventRow, GrantRow


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _fields(value: str) -> tuple[str, ...]:
    return tuple(name for name in value.split(",") if name)


def _to_grant(row: GrantRow) -> Grant:
    return Grant(
        id=row.id,
        entry_id=row.entry_id,
        consumer=row.consumer,
        provider=row.provider,
        matter_code=row.matter_code,
        purpose=row.purpose,
        requested_fields=_fields(row.requested_fields),
        allowed_fields=_fields(row.allowed_fields),
        requested_expiry=_aware(row.requested_expiry),  # type: ignore[arg-type]
        expires_at=_aware(row.expires_at),
        status=GrantStatus(row.status),
        entry_version=row.entry_version,
        reason=row.reason,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        updated_at=_aware(row.updated_at),  # type: ignore[arg-type]
        last_tx_hash=row.last_tx_hash,
    )


class SqlGrantIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, grant_id: str) -> Grant | None:
        with Session(self.engine) as session:
            row = session.get(GrantRow, grant_id)
            return _to_grant(row) if row else None

    def find(self, query: GrantQuery) -> list[Grant]:
        statement = select(GrantRow).order_by(GrantRow.id).limit(query.limit)
        for column, value in (
            (GrantRow.consumer, query.consumer),
            (GrantRow.provider, query.provider),
            (GrantRow.entry_id, query.entry_id),
        ):
            if value:
                statement = statement.where(column == value)
        if query.status:
            statement = statement.where(GrantRow.status == query.status.value)
        if query.after:
            statement = statement.where(GrantRow.id > query.after)
        with Session(self.engine) as session:
            return [_to_grant(row) for row in session.scalars(statement)]

    def save(self, grant: Grant) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(GrantRow, grant.id) or GrantRow(id=grant.id)
            row.entry_id = grant.entry_id
            row.consumer = grant.consumer
            row.provider = grant.provider
            row.matter_code = grant.matter_code
            row.purpose = grant.purpose
            row.requested_fields = ",".join(grant.requested_fields)
            row.allowed_fields = ",".join(grant.allowed_fields)
            row.requested_expiry = grant.requested_expiry
            row.expires_at = grant.expires_at
            row.status = grant.status.value
            row.entry_version = grant.entry_version
            row.reason = grant.reason
            row.last_tx_hash = grant.last_tx_hash
            row.created_at = grant.created_at
            row.updated_at = grant.updated_at
            session.add(row)

    def add_event(
        self, grant_id: str, action: str, actor: str, reason: str, tx_hash: str | None, at: datetime
    ) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(
                GrantEventRow(
                    grant_id=grant_id,
                    action=action,
                    actor=actor,
                    reason=reason,
                    tx_hash=tx_hash,
                    at=at,
                )
            )

    def events(self, grant_id: str) -> list[dict[str, object]]:
        statement = (
            select(GrantEventRow)
            .where(GrantEventRow.grant_id == grant_id)
            .order_by(GrantEventRow.id)
        )
        with Session(self.engine) as session:
            return [
                {
                    "action": row.action,
                    "actor": row.actor,
                    "reason": row.reason,
                    "tx_hash": row.tx_hash,
                    "at": _aware(row.at),
                }
                for row in session.scalars(statement)
            ]
