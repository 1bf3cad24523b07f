"""任务运行: operators and auditors see every job's latest run and its history."""

from __future__ import annotations

from gateway.jobs.history import JobHistory
from gateway.jobs.lease import LeaseManager
from gateway.jobs.runner import JobRunner, JobSpec

from .conftest import Console


def test_jobs_page_shows_latest_runs_history_and_filters(console: Console) -> None:
    container = console.app.extensions["alliance"]
    runner = JobRunner(LeaseManager(container.redis), JobHistory(container.engine))
    assert (
        runner.run_tick(JobSpec("reconciliation", 300.0, lambda: {"records_checked": 7})) == "ran"
    )

    def broken() -> dict[str, object]:
        from gateway.errors import ServiceUnavailable

        raise ServiceUnavailable("chain <down>")

    assert runner.run_tick(JobSpec("anchoring", 2.0, broken)) == "failed"

    operator = console.login("operator1")
    page = operator.get("/console/jobs")
    assert page.status_code == 200
    latest = page.text.split('data-testid="jobs-latest"')[1].split("</table>")[0]
    assert 'data-job="reconciliation"' in latest and 'data-job="anchoring"' in latest
    assert "records_checked" in latest and "失败" in latest
    assert "chain &lt;down&gt;" in page.text  # job details are escaped

    failed = operator.get("/console/jobs?outcome=failed").text
    runs = failed.split('data-testid="jobs-runs"')[1]
    assert "anchoring" in runs and "reconciliation" not in runs
    only = operator.get("/console/jobs?job=reconciliation").text.split('data-testid="jobs-runs"')[1]
    assert "reconciliation" in only and "anchoring" not in only

    assert console.login("auditor1").get("/console/jobs").status_code == 200
    assert console.login("tax1").get("/console/jobs").status_code == 403
