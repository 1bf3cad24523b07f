"""The in-process anchoring loop shares the ``alliance jobs`` anchoring lease."""

from __future__ import annotations

from gateway.evidence.anchoring import AnchorReport
from gateway.evidence.loop import LEASE_NAME, AnchoringLoop
from gateway.infra.redis import make_redis
from gateway.jobs.lease import LeaseManager


class _Anchorer:
    def __init__(self) -> None:
        self.runs = 0

    def run_once(self) -> AnchorReport:
        self.runs += 1
        return AnchorReport()


def test_the_loop_skips_while_another_process_holds_the_lease() -> None:
    redis = make_redis("")
    anchorer = _Anchorer()
    loop = AnchoringLoop(lambda: anchorer, redis, interval=1.0)  # type: ignore[arg-type, return-value]
    held = LeaseManager(redis).acquire(LEASE_NAME, 30)
    assert held is not None
    loop.run_once()
    assert anchorer.runs == 0
    LeaseManager(redis).release(held)
    loop.run_once()
    assert anchorer.runs == 1
    assert LeaseManager(redis).holder(LEASE_NAME) is None  # released after the run
