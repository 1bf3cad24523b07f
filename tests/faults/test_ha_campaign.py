"""The HA fault campaign in its short form: 3 replicas behind HAProxy, replicas killed with
SIGKILL under load for 20 s; nothing anchored twice, nothing lost, every receipt verifies."""

from __future__ import annotations

import pytest

from tests.faults.ha_campaign import run_campaign

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
]  # needs Debian's haproxy: tests/run-all.sh installs it when missing


def test_killing_replicas_under_load_loses_and_duplicates_no_evidence() -> None:
    summary = run_campaign(duration=20, baseline=3, kill_every=3, concurrency=6)
    assert summary["kills"] >= 2
    assert summary["answered"] > 0.9 * summary["requests_sent"]
    assert summary["duplicates"] == 0
    assert summary["missing"] == 0
    assert summary["answered_without_evidence"] == 0
    assert summary["receipts_failed"] == 0
    assert summary["receipts_verified"] == summary["answered_with_receipt"] > 0
    assert summary["evidence_records"] >= summary["answered_with_receipt"]
    assert summary["anchored"] == summary["evidence_records"] == summary["anchored_on_chain"]
    assert summary["reconciliation_clean"], summary["reconciliation_findings"]
    assert summary["ok"]
