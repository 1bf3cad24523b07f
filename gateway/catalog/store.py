"""The catalogue index in SQL: current entries, every version, and the search terms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from gateway.catalog.model import Entry, EntrySpec, EntryStatus, EntryVersion
from gateway.catalog.ports import EntryQuery
from gateway.catalog.search import normalise, terms
from gateway.catalog.seed import entry_from_mapping
from gateway.catalog.tables import EntryRow, EntryVersionRow, TermRow


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _search_text(spec: EntrySpec) -> str:
    parts = [spec.id, spec.provider, spec.name, spec.name_en, spec.description]
    parts += [f"{f.name} {f.description}" for f in spec.fields]
    return normalise(" ".join(parts))


def _to_entry(row: EntryRow, versions: list[EntryVersionRow] | None = None) -> Entry:
    return Entry(
        spec=entry_from_mapping(json.loads(row.document)),
        status=EntryStatus(row.status),
        version=row.version,
        version_hash=row.version_hash,
        previous_hash=row.previous_hash,
        updated_at=_aware(row.updated_at).isoformat(),
        versions=tuple(
            EntryVersion(
                number=v.number,
                version_hash=v.version_hash,
                previous_hash=v.previous_hash,
                tx_hash=v.tx_hash,
                published_at=_aware(v.published_at).isoformat(),
                published_by=v.published_by,
            )
            for v in versions or []
        ),
    )


class SqlCatalogIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, entry_id: str) -> Entry | None:
        with Session(self.engine) as session:
            row = session.get(EntryRow, entry_id)
            if row is None:
                return None
            versions = list(
                session.scalars(
                    select(EntryVersionRow)
                    .where(EntryVersionRow.entry_id == entry_id)
                    .order_by(EntryVersionRow.number)
                )
            )
            return _to_entry(row, versions)

    def find(self, query: EntryQuery) -> list[Entry]:
        statement = select(EntryRow).order_by(EntryRow.id).limit(query.limit)
        if query.text:
            text = normalise(query.text)
            wanted = terms(text)
            if wanted:
                matching = (
                    select(TermRow.entry_id)
                    .where(TermRow.term.in_(wanted))
                    .group_by(TermRow.entry_id)
                    .having(func.count(TermRow.term.distinct()) == len(wanted))
                )
                statement = statement.where(EntryRow.id.in_(matching))
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(EntryRow.search_text.like(f"%{escaped}%", escape="\\"))
        if query.provider:
            statement = statement.where(EntryRow.provider == query.provider)
        if query.sharing_class:
            statement = statement.where(EntryRow.sharing_class == query.sharing_class.value)
        if query.status:
            statement = statement.where(EntryRow.status == query.status.value)
        if query.after:
            statement = statement.where(EntryRow.id > query.after)
        with Session(self.engine) as session:
            return [_to_entry(row) for row in session.scalars(statement)]

    def save_version(
        self,
        spec: EntrySpec,
        number: int,
        version_hash: str,
        previous_hash: str,
        tx_hash: str | None,
        published_by: str,
        at: datetime,
    ) -> None:
        document = json.dumps(spec.document(), ensure_ascii=False, sort_keys=True)
        with Session(self.engine) as session, session.begin():
            row = session.get(EntryRow, spec.id) or EntryRow(id=spec.id)
            row.provider = spec.provider
            row.name = spec.name
            row.sharing_class = spec.sharing_class.value
            row.status = EntryStatus.PUBLISHED.value
            row.version = number
            row.version_hash = version_hash
            row.previous_hash = previous_hash
            row.document = document
            row.search_text = _search_text(spec)
            row.updated_at = at
            session.add(row)
            session.add(
                EntryVersionRow(
                    entry_id=spec.id,
                    number=number,
                    version_hash=version_hash,
                    previous_hash=previous_hash,
                    document=document,
                    tx_hash=tx_hash,
                    published_by=published_by,
                    published_at=at,
                )
            )
            session.execute(delete(TermRow).where(TermRow.entry_id == spec.id))
            session.add_all(TermRow(term=t, entry_id=spec.id) for t in terms(row.search_text))

    def set_status(self, entry_id: str, status: EntryStatus, at: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(EntryRow, entry_id)
            if row is not None:
                row.status = status.value
                row.updated_at = at

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(EntryRow)) or 0)

    def all_entries(self) -> list[Entry]:
        with Session(self.engine) as session:
            return [
                _to_entry(row) for row in session.scalars(select(EntryRow).order_by(EntryRow.id))
            ]
