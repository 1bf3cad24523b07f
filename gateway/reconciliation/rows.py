"""Anchored access records as reconciliation reads them: streamed in batch and leaf order,
with the evidence fields spelled as the evidence log spells them."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, String, case, func, select, type_coerce

from gateway.evidence import leaves
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
_SQLITE_TIME_LENGTH = len("2026-01-01 00:00:00.000000")
_EVIDENCE_VALUES = operator.itemgetter(*EVIDENCE_FIELDS)
STREAM_CHUNK = 5_000
stamp = leaves.stamp
_stored_time = leaves.stored_time


def _spelled(value: object) -> bool:
    return value is None or (type(value) is str and value.endswith("Z"))


def current_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """The evidence fields as the row holds them now, in EVIDENCE_FIELDS order."""
    values = tuple(row[_FIELDS_AT:])
    if _spelled(values[-1]) and _spelled(values[-2]):  # spelled by the query already
        return values
    return (*values[:-2], _stored_time(values[-2]), _stored_time(values[-1]))


def _sqlite_spelled(column: Any) -> Any:
    """SQLite's stored ``YYYY-MM-DD HH:MM:SS.ffffff`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, in
    the query; other stored forms are left for :func:`current_values` to spell."""
    text = type_coerce(column, String)
    return case(
        (
            (func.length(text) == _SQLITE_TIME_LENGTH) & (func.instr(text, " ") == 11),
            func.substr(text, 1, 10) + "T" + func.substr(text, 12) + "Z",
        ),
        else_=text,
    )


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
            *(_sqlite_spelled(column) for column in ANCHORED_COLUMNS[-2:]),
        ]
    elif engine.dialect.name == "postgresql":  # times spelled as in evidence by the server
        columns = [
            *ANCHORED_COLUMNS[:-2],
            *(
                func.to_char(func.timezone("UTC", column), leaves.PG_EVIDENCE_TIME)
                for column in ANCHORED_COLUMNS[-2:]
            ),
        ]
    statement = select(*columns).where(AccessRecordRow.anchor_id.is_not(None))
    if low is not None:
        statement = statement.where(AccessRecordRow.anchor_id >= low)
    if high is not None:
        statement = statement.where(AccessRecordRow.anchor_id <= high)
    statement = statement.order_by(AccessRecordRow.anchor_id, AccessRecordRow.leaf_index)
    yield from stream(engine, statement)


def stream(engine: Engine, statement: Any) -> Iterator[Sequence[Any]]:
    """The rows of ``statement`` as the driver's tuples, :data:`STREAM_CHUNK` at a time: no
    SQLAlchemy row objects, and on PostgreSQL a server-side (named) cursor, so memory stays
    flat however many rows there are. Other databases go through SQLAlchemy's own streaming."""
    name = engine.dialect.name
    with engine.connect() as connection:
        if name not in ("sqlite", "postgresql"):
            yield from connection.execution_options(yield_per=STREAM_CHUNK).execute(statement)
            return
        compiled = statement.compile(dialect=engine.dialect)
        raw = connection.connection.dbapi_connection
        assert raw is not None  # noqa: S101 - a checked-out connection
        if name == "sqlite":
            positions = compiled.positiontup or []
            cursor = raw.cursor()
            cursor.execute(str(compiled), [compiled.params[key] for key in positions])
        else:
            cursor = raw.cursor(name=f"reconcile_{id(statement):x}")
            cursor.itersize = STREAM_CHUNK  # type: ignore[attr-defined]
            cursor.execute(str(compiled), compiled.params)
        try:
            while chunk := cursor.fetchmany(STREAM_CHUNK):
                yield from chunk
        finally:
            cursor.close()


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
