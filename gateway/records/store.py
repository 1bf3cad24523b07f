"""The records in SQL: every sealed version, and each record's latest state for search."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.records.model import RecordQuery, RecordVersion
from gateway.records.ports import StoredVersion
from gateway.records.tables import RecordRow, RecordVersionRow


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _version(row: RecordVersionRow) -> RecordVersion:
    return RecordVersion(
        key=row.key,
        index=row.number,
        content_hash=row.content_hash,
        uploader=row.uploader,
        organisation=row.organisation,
        data_source=row.data_source,
        record_type=row.record_type,
        metadata=json.loads(row.metadata_json),
        created_at=_aware(row.created_at),
        tx_hash=row.tx_hash,
        block_number=row.block_number,
        tombstone=row.tombstone,
        origin=json.loads(row.origin_json) if row.origin_json else None,
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlRecordIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def versions(self, key: str) -> list[StoredVersion]:
        statement = (
            select(RecordVersionRow)
            .where(RecordVersionRow.key == key)
            .order_by(RecordVersionRow.number)
        )
        with Session(self.engine) as session:
            return [
                StoredVersion(_version(r), r.sealed_content) for r in session.scalars(statement)
            ]

    def latest(self, key: str) -> StoredVersion | None:
        statement = (
            select(RecordVersionRow)
            .where(RecordVersionRow.key == key)
            .order_by(RecordVersionRow.number.desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            row = session.scalar(statement)
            return None if row is None else StoredVersion(_version(row), row.sealed_content)

    def add(self, stored: StoredVersion, key_hash: str) -> None:
        """Store a version and move the record's latest state forward (never back).

        Two first versions of one key written at once race to create the record row; the
        loser retries once and finds it."""
        try:
            self._add(stored, key_hash)
        except IntegrityError:
            if self._has_version(stored.version.key, stored.version.index):
                raise
            self._add(stored, key_hash)

    def _has_version(self, key: str, index: int) -> bool:
        with Session(self.engine) as session:
            return session.get(RecordVersionRow, (key, index)) is not None

    def _add(self, stored: StoredVersion, key_hash: str) -> None:
        version = stored.version
        with Session(self.engine) as session, session.begin():
            session.add(
                RecordVersionRow(
                    key=version.key,
                    number=version.index,
                    content_hash=version.content_hash,
                    sealed_content=stored.sealed_content,
                    metadata_json=json.dumps(version.metadata, ensure_ascii=False, sort_keys=True),
                    uploader=version.uploader,
                    organisation=version.organisation,
                    data_source=version.data_source,
                    record_type=version.record_type,
                    tombstone=version.tombstone,
                    created_at=version.created_at,
                    tx_hash=version.tx_hash,
                    block_number=version.block_number,
                    origin_json=json.dumps(version.origin, ensure_ascii=False, sort_keys=True)
                    if version.origin
                    else None,
                )
            )
            row = session.get(RecordRow, version.key, with_for_update=True)
            if row is None:
                row = RecordRow(key=version.key, key_hash=key_hash, created_at=version.created_at)
                session.add(row)
            elif row.latest > version.index:
                return
            row.latest = version.index
            row.content_hash = version.content_hash
            row.uploader = version.uploader
            row.organisation = version.organisation
            row.data_source = version.data_source
            row.record_type = version.record_type
            row.deleted = version.tombstone
            row.updated_at = version.created_at

    def find(self, query: RecordQuery) -> list[RecordVersion]:
        statement = (
            select(RecordVersionRow)
            .join(
                RecordRow,
                (RecordVersionRow.key == RecordRow.key)
                & (RecordVersionRow.number == RecordRow.latest),
            )
            .order_by(RecordRow.key)
            .limit(query.limit)
        )
        if query.key_prefix:
            statement = statement.where(
                RecordRow.key.like(_escape(query.key_prefix) + "%", escape="\\")
            )
        if query.start:
            statement = statement.where(RecordRow.updated_at >= query.start)
        if query.end:
            statement = statement.where(RecordRow.updated_at < query.end)
        if query.uploader:
            statement = statement.where(
                or_(
                    RecordRow.uploader == query.uploader,
                    RecordRow.uploader.like(_escape(query.uploader) + "/%", escape="\\"),
                )
            )
        for column, value in (
            (RecordRow.organisation, query.organisation),
            (RecordRow.data_source, query.data_source),
            (RecordRow.record_type, query.record_type),
        ):
            if value:
                statement = statement.where(column == value)
        if not query.include_deleted:
            statement = statement.where(RecordRow.deleted.is_(False))
        if query.after:
            statement = statement.where(RecordRow.key > query.after)
        with Session(self.engine) as session:
            return [_version(row) for row in session.scalars(statement)]

    def record_keys(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(RecordRow.key).order_by(RecordRow.key)))
