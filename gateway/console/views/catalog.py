"""数据目录: search the shared catalogue; an entry with its fields and hash-linked versions."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from gateway.catalog.model import EntryStatus, SharingClass
from gateway.catalog.ports import EntryQuery
from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.pages import PAGE, Routes, roles_of

routes = Routes()


def _choice(name: str, allowed: set[str]) -> str:
    value = request.args.get(name, "")
    return value if value in allowed else ""


@routes.get("/catalog", "catalog")
@auth.requires(*roles_of("catalog"))
def catalog_list() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()[:100]
    provider = request.args.get("provider", "").strip().upper()[:16]
    sharing = _choice("sharing_class", {s.value for s in SharingClass})
    status = _choice("status", {s.value for s in EntryStatus})
    entries = auth.container().catalog.find(
        EntryQuery(
            text=text or None,
            provider=provider or None,
            sharing_class=SharingClass(sharing) if sharing else None,
            status=EntryStatus(status) if status else None,
            limit=500,
        )
    )
    return render_template(
        "catalog/list.html",
        entries=entries,
        q=text,
        provider=provider,
        sharing_class=sharing,
        status=status,
        sharing_classes=list(SharingClass),
        statuses=[s.value for s in EntryStatus],
        page_title=PAGE["catalog"].title(current_lang()),
    )


@routes.get("/catalog/<entry_id>", "catalog_entry")
@auth.requires(*roles_of("catalog"))
def catalog_entry(entry_id: str) -> ResponseReturnValue:
    entry = auth.container().catalog.index.get(entry_id)
    if entry is None:
        abort(404)
    return render_template("catalog/entry.html", entry=entry)
