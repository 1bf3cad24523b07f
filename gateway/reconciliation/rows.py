"""Anchored access records as reconciliation reads them: streamed in batch and leaf order,
with the evidence fields spelled as the evidence log spells them."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, String, func, select, type_coerce

from gateway.evidence.digests import EVIDENCE_FIELDS
from gateway.evidence.tables import AccessRecordRow

ANCHORED_COLUMNS = (
    AccessRecordRow.id,
    AccessRecordRow.anchor_id,
    AccessRecordRow.leaf_index,
    AccessRecordRow.evidence,
    # the evidence fields, in EVIDENCE_FIELDS order, from index 4
    AccessRecordRow.request_id,
    AccessRecordRow.sequence,
    AccessRecordRow.entry_id,
    AccessRecordRow.entry_version,
    AccessRecordRow.consumer,
    AccessRecordRow.provider,
    AccessRecordRow.purpose,
    AccessRecordRow.request_digest,
    AccessRecordRow.response_digest,
    AccessRecordRow.decision,
    AccessRecordRow.reason,
    AccessRecordRow.received_at,
    AccessRecordRow.responded_at,
)
_FIELDS_AT = 4
_EVIDENCE_VALUES = operator.itemgetter(*EVIDENCE_FIELDS)
_SQLITE_TIME_LENGTH = len("2026-01-01 00:00:00.000000")
_PG_EVIDENCE_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
STREAM_CHUNK = 5_000


def stamp(value: datetime | None) -> str | None:
    """``format_timestamp`` of a stored time (naive values are UTC), by the C ``isoformat``."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def _stored_time(value: datetime | str | None) -> str | None:
    """A stored time in the evidence spelling. SQLite's are read as stored text, which is
    always ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (only the separators differ); PostgreSQL
    spells them itself with ``to_char``."""
    if isinstance(value, str):
        if value.endswith("Z"):  # spelled by PostgreSQL's to_char already
            return value
        if len(value) == _SQLITE_TIME_LENGTH:
            return value.replace(" ", "T", 1) + "Z"
        return stamp(datetime.fromisoformat(value))
    return stamp(value)


def current_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """The evidence fields as the row holds them now, in EVIDENCE_FIELDS order."""
    values = tuple(row[_FIELDS_AT:])
    return (*values[:-2], _stored_time(values[-2]), _stored_time(values[-1]))


def anchored_values(document: Any) -> tuple[Any, ...] | None:
    """The evidence fields of a parsed evidence entry, or None if it is not one."""
    try:
        return tuple(_EVIDENCE_VALUES(document))
    except (KeyError, TypeError, IndexError):
        return None


def anchored_rows(engine: Engine, low: int | None, high: int | None) -> Iterator[Sequence[Any]]:
    columns: Sequence[Any] = ANCHORED_COLUMNS
    if engine.dialect.name == "sqlite":  # times as stored: no parsing and formatting again
        columns = [
            *ANCHORED_COLUMNS[:-2],
            *(type_coerce(column, String) for column in ANCHORED_COLUMNS[-2:]),
        ]
    elif engine.dialect.name == "postgresql":  # times spelled as in evidence by the server
        columns = [
            *ANCHORED_COLUMNS[:-2],
            *(
                func.to_char(func.timezone("UTC", column), _PG_EVIDENCE_TIME)
                for column in ANCHORED_COLUMNS[-2:]
            ),
        ]
    statement = select(*columns).where(AccessRecordRow.anchor_id.is_not(None))
    if low is not None:
        statement = statement.where(AccessRecordRow.anchor_id >= low)
    if high is not None:
        statement = statement.where(AccessRecordRow.anchor_id <= high)
    statement = statement.order_by(AccessRecordRow.anchor_id, AccessRecordRow.leaf_index)
    with engine.connect() as connection:
        yield from connection.execution_options(yield_per=STREAM_CHUNK).execute(statement)


def batches(rows: Iterator[Sequence[Any]]) -> Iterator[tuple[int, list[Sequence[Any]]]]:
    current: int | None = None
    group: list[Sequence[Any]] = []
    for row in rows:
        if row[1] != current:
            if current is not None:
                yield current, group
            current, group = row[1], []
        group.append(row)
    if current is not None:
        yield current, group
