"""The embedded default runs every scheduled job inside the serving process."""

from __future__ import annotations

import time

from gateway.bootstrap.jobs import start_in_process
from gateway.jobs.history import JobHistory
from gateway.jobs.lease import LeaseManager
from tests.alliance_support import Alliance


def _wait_for(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("the in-process jobs did not get there in time")


def test_serving_process_anchors_and_reconciles_under_the_jobs_leases(alliance: Alliance) -> None:
    container = alliance.container
    settings = alliance.settings
    container.settings = settings.model_copy(
        update={
            "jobs": settings.jobs.model_copy(
                update={"intervals": {"anchoring": 0.3, "reconciliation": 0.7}}
            )
        }
    )
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    tax = alliance.token("TAX")
    for _ in range(3):
        assert alliance.query(tax, "NRD-TITLE", body).status_code == 200

    history = JobHistory(container.engine)
    scheduler = start_in_process(container)
    try:
        assert {job.id for job in scheduler.get_jobs()} >= {
            "anchoring",
            "reconciliation",
            "members-sync",
            "catalog-sync",
            "retention",
            "tx-retry",
        }
        _wait_for(lambda: container.evidence_log.unanchored_count() == 0)
        _wait_for(
            lambda: any(
                run["detail"].get("records_checked") == 3
                for run in history.recent("reconciliation")
                if run["outcome"] == "ok"
            )
        )
        assert container.reconciliation.latest()["outcome"] == "clean"
        # While another process holds the anchoring lease, this one does not anchor.
        held = LeaseManager(container.redis).acquire("anchoring", 30)
        assert held is not None
        assert alliance.query(tax, "NRD-TITLE", body).status_code == 200
        time.sleep(1.0)
        assert container.evidence_log.unanchored_count() == 1
        LeaseManager(container.redis).release(held)
        _wait_for(lambda: container.evidence_log.unanchored_count() == 0)
    finally:
        scheduler.shutdown(wait=True)
    ticks = [(run["job"], run["tick"]) for run in history.recent(limit=1000)]
    assert len(ticks) == len(set(ticks))
