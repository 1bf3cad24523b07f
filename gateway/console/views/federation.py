"""多级联盟: this gateway's place in a multi-level alliance (国家-省-市-区县) and its links' lag.

What ``alliance sync status`` and ``GET /api/v1/federation/status`` report (docs/federation.md):
the parent link when joined, each child and relayed descendant with its latest anchored
checkpoint, the alerts, and the federation's recent events. Read-only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of

routes = Routes()
EVENTS_SHOWN = 50


def _detail(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


def _seconds(lag: float | None) -> str:
    return "" if lag is None else f"{lag:.0f}"


@routes.get("/federation", "federation")
@auth.requires(*roles_of("federation"))
def federation_status() -> ResponseReturnValue:
    container = auth.container()
    federation = container.federation
    report = federation.status.report()
    events = [event.to_dict() for event in federation.events.recent(limit=EVENTS_SHOWN)]
    zone = container.settings.zone
    max_lag = float(report["max_lag_seconds"])

    def when(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    def late(lag: float | None, *, never_is_late: bool = True) -> bool:
        """Beyond ``federation.max_lag_seconds``, as the status's alerts count it."""
        return never_is_late if lag is None else lag > max_lag

    return render(
        "federation/status.html",
        node=federation.node,
        report=report,
        events=events,
        when=when,
        late=late,
        seconds=_seconds,
        detail_text=_detail,
        timezone=container.settings.timezone,
        page_title=PAGE["federation"].title(current_lang()),
    )
