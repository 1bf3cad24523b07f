"""The ``federation`` job: scheduled only for a gateway with a node code, idle until joined."""

from __future__ import annotations

from typing import Any

from gateway.bootstrap import build_container
from gateway.bootstrap.jobs import alliance_jobs
from gateway.settings import Settings


def test_the_job_runs_only_where_a_node_is_set_and_waits_for_a_parent(
    seeded_settings: Settings,
) -> None:
    standalone = build_container(seeded_settings)
    try:
        assert "federation" not in {spec.name for spec in alliance_jobs(standalone)}
        assert "federation" not in standalone.readiness.probes
    finally:
        standalone.close()
    federation = seeded_settings.federation.model_copy(
        update={"node": "R320102", "interval_seconds": 7.0}
    )
    node = build_container(seeded_settings.model_copy(update={"federation": federation}))
    try:
        specs = {spec.name: spec for spec in alliance_jobs(node)}
        assert specs["federation"].interval_seconds == 7.0
        report: dict[str, Any] = specs["federation"].run()
        assert report == {"joined": False, "pull": None, "push": None, "errors": []}
        assert "federation" in node.readiness.probes
    finally:
        node.close()
