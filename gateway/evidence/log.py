"""The evidence log: every access is written before anything is forwarded (log first).

:meth:`EvidenceLog.open` commits the access record and its outbox row in one transaction
before the provider is called; :meth:`EvidenceLog.close` commits the decision, the response
digest and the signed receipt before the answer leaves. A request that never reaches
``close`` (the process died) stays ``pending`` until the anchoring job closes it as
``failed``/``interrupted``, so even interrupted requests are anchored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.errors import Conflict
from gateway.evidence.tables import AccessRecordRow, OutboxRow

PENDING = "pending"


class DuplicateRequest(Conflict):
    code = "idempotency_key_in_use"
    title = "A request with this Idempotency-Key is still being processed"


@dataclass(frozen=True)
class AccessOpening:
    """What is known about a request when it is logged, before forwarding."""

    request_id: str
    entry_id: str
    entry_version: str
    consumer: str
    provider: str
    purpose: str | None
    grant_id: str | None
    case_ref: str | None
    client_id: str
    idempotency_key: str | None
    request_digest: str
    received_at: datetime
    subject_key: str | None = None


@dataclass(frozen=True)
class AccessClosing:
    decision: str
    reason: str | None
    http_status: int
    response_digest: str | None
    provider_digest: str | None
    responded_at: datetime
    receipt: str
    reply: bytes | None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class EvidenceLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, opening: AccessOpening) -> int:
        """Log the request (decision ``pending``) and its outbox row; returns the record id."""
        values = {**vars(opening), "decision": PENDING}
        try:
            with self.engine.begin() as connection:
                record_id = connection.execute(
                    insert(AccessRecordRow).values(values).returning(AccessRecordRow.id)
                ).scalar_one()
                connection.execute(
                    insert(OutboxRow).values(record_id=record_id, created_at=opening.received_at)
                )
                return int(record_id)
        except IntegrityError as exc:
            raise DuplicateRequest(
                "the Idempotency-Key was used by a request that has not finished",
                idempotency_key=opening.idempotency_key,
            ) from exc

    def close(self, record_id: int, closing: AccessClosing) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(AccessRecordRow)
                .where(AccessRecordRow.id == record_id)
                .where(AccessRecordRow.decision == PENDING)
                .values(
                    decision=closing.decision,
                    reason=closing.reason,
                    http_status=closing.http_status,
                    response_digest=closing.response_digest,
                    provider_digest=closing.provider_digest,
                    responded_at=closing.responded_at,
                    receipt=closing.receipt,
                    reply=closing.reply,
                )
            )

    def by_request_id(self, request_id: str) -> AccessRecordRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.scalar(
                select(AccessRecordRow).where(AccessRecordRow.request_id == request_id)
            )

    def by_idempotency_key(self, consumer: str, key: str) -> AccessRecordRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.scalar(
                select(AccessRecordRow)
                .where(AccessRecordRow.consumer == consumer)
                .where(AccessRecordRow.idempotency_key == key)
            )

    def close_interrupted(self, older_than: datetime) -> int:
        """Mark requests left ``pending`` by a dead process as failed, so they get anchored."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(AccessRecordRow)
                .where(AccessRecordRow.decision == PENDING)
                .where(AccessRecordRow.received_at < older_than)
                .values(decision="failed", reason="interrupted", responded_at=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def oldest_unanchored(self) -> datetime | None:
        with Session(self.engine) as session:
            return _aware(session.scalar(select(func.min(OutboxRow.created_at))))

    def unanchored_count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(OutboxRow)) or 0)

    def forget_outbox(self, session: Session, record_ids: list[int]) -> None:
        session.execute(delete(OutboxRow).where(OutboxRow.record_id.in_(record_ids)))
