"""任务运行: the scheduled jobs, their latest run, and the run history with counts."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from gateway.console import auth
from gateway.console.i18n import current_lang
from gateway.console.page_text import render
from gateway.console.pages import PAGE, Routes, roles_of
from gateway.jobs.history import JobHistory

routes = Routes()
OUTCOMES = ("ok", "failed", "running", "abandoned")


def _counts(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


@routes.get("/jobs", "jobs")
@auth.requires(*roles_of("jobs"))
def job_runs() -> ResponseReturnValue:
    container = auth.container()
    history = JobHistory(container.engine)
    job = request.args.get("job") or None
    outcome = request.args.get("outcome") or None
    runs = history.recent(job, limit=500)
    if outcome in OUTCOMES:
        runs = [run for run in runs if run["outcome"] == outcome]
    latest: dict[str, dict[str, Any]] = {}
    for run in history.recent(None, limit=500):
        latest.setdefault(run["job"], run)
    return render(
        "jobs/list.html",
        runs=runs[:200],
        latest=sorted(latest.values(), key=lambda run: run["job"]),
        job=job,
        outcome=outcome,
        outcomes=OUTCOMES,
        in_process=container.settings.jobs.in_process,
        counts=_counts,
        page_title=PAGE["jobs"].title(current_lang()),
    )
