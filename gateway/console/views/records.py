"""上链记录查询: search records, open one (详情, verified against the chain) or its history
(历史变化: every version side by side and what changed)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.console.record_diff import FACT_FIELDS, diff, side_by_side, version_fields
from gateway.console.roles import DEPARTMENT
from gateway.records.model import RecordActor, RecordQuery, RecordType

routes = Routes()
PAGE_SIZE = 50
TEXT_FILTERS = ("uploader", "organisation", "data_source")


def _actor() -> RecordActor:
    current = auth.user()
    label = f"console:{current.username}"
    if current.role is DEPARTMENT:
        return RecordActor(member=current.member_code or "", sees_all=False, label=label)
    return RecordActor(member=current.member_code or "", sees_all=True, label=label)


def _day(value: str | None, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    start = datetime.combine(day, time(), UTC)
    return start + timedelta(days=1) if end else start


def _query(args: dict[str, str]) -> RecordQuery:
    record_type = args.get("type", "")
    return RecordQuery(
        key_prefix=args.get("key") or None,
        start=_day(args.get("from")),
        end=_day(args.get("to"), end=True),
        uploader=args.get("uploader") or None,
        organisation=args.get("organisation") or None,
        data_source=args.get("data_source") or None,
        record_type=record_type if record_type in {t.value for t in RecordType} else None,
        after=args.get("after") or None,
        limit=PAGE_SIZE + 1,
    )


@routes.get("/records", "records")
@auth.requires(*roles_of("records"))
def record_list() -> ResponseReturnValue:
    args = {
        name: request.args.get(name, "").strip()[:128]
        for name in ("key", "from", "to", "type", "after", *TEXT_FILTERS)
    }
    found = auth.container().records.search(_query(args), actor=_actor())
    page, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    next_args = {k: v for k, v in args.items() if v and k != "after"}
    if more:
        next_args["after"] = page[-1].key
    return render(
        "records/list.html",
        records=page,
        args=args,
        next_args=next_args if more else None,
        record_types=list(RecordType),
        department=auth.user().role is DEPARTMENT,
        page_title=PAGE["records"].title(current_lang()),
    )


def pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@routes.get("/records/<key>/history", "record_history")
@auth.requires(*roles_of("records"))
def record_history(key: str) -> ResponseReturnValue:
    versions = auth.container().records.history(key, actor=_actor())
    changes = []
    previous: dict[str, str] | None = None
    for version in versions:
        fields = version_fields(version)
        changes.append(diff(previous, fields))
        previous = fields
    paths, rows = side_by_side(versions)
    return render(
        "records/history.html",
        key=key,
        versions=versions,
        changes=changes,
        rows=list(zip(paths, rows, strict=True)),
        fact_fields=FACT_FIELDS,
        page_title=key,
    )


@routes.get("/records/<key>", "record_detail")
@auth.requires(*roles_of("records"))
def record_detail(key: str) -> ResponseReturnValue:
    record = auth.container().records.get(key, actor=_actor())
    return render(
        "records/detail.html",
        record=record,
        content=None if record.deleted else pretty(record.content),
        page_title=key,
    )
