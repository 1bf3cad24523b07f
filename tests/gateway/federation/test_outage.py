"""The parent away, then back: queries fail with evidence, the child catches up in one run.

While the province is down the city keeps serving and logging: a query for the province's
entry is refused ``upstream_unavailable`` (logged, anchored and receipted at the city), sync
runs fail and say why. Meanwhile the province revises the entry and the city logs more. When
the province returns, one run mirrors the revision once and pushes one checkpoint covering
everything logged meanwhile; a second run sends nothing. Nothing is lost, nothing doubled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.catalog.actors import OFFICE_CLI
from gateway.evidence.tables import AccessRecordRow
from gateway.federation.ledger import CONTRACT, ChainFederationLedger, FederationLedgerRefused
from gateway.federation.tables import ChildCheckpointRow
from gateway.onchain.bound import BoundContract
from gateway.providers.samples import sample_queries
from tests.evidence_support import log_closed_record
from tests.federation_support import TITLE_FIELDS, TITLE_MATTER, Level, hierarchy

ENTRY = "R320000:NRD-TITLE"


@pytest.fixture
def linked(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[list[Level]]:
    with hierarchy(level_templates, tmp_path, depth=2) as levels:
        province, city = levels
        province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
        city.sync()
        city.grant("TAX", ENTRY, TITLE_FIELDS[:3], days=10)
        yield levels


def _body() -> dict[str, object]:
    sample = next(
        q for q in sample_queries(2026) if q["entry_id"] == "NRD-TITLE" and q["consumer"] == "TAX"
    )
    return {"purpose": TITLE_MATTER, "params": sample["params"]}


def _anchored(level: Level) -> int:
    with Session(level.container.engine) as session:
        count = session.scalar(
            select(func.count()).select_from(AccessRecordRow).where(AccessRecordRow.sequence > 0)
        )
        return int(count or 0)


def _sizes(level: Level, node: str) -> list[int]:
    with Session(level.container.engine) as session:
        return list(
            session.scalars(
                select(ChildCheckpointRow.tree_size)
                .where(ChildCheckpointRow.node == node)
                .order_by(ChildCheckpointRow.id)
            )
        )


def test_queries_fail_with_evidence_while_the_parent_is_away(linked: list[Level]) -> None:
    province, city = linked
    province.server.stop()
    try:
        answer = city.query("TAX", ENTRY, _body())
        problem = answer.get_json()
        assert answer.status_code == 503, problem
        assert problem["code"] == "upstream_unavailable"
        assert problem["receipt"]["decision"] == "failed"
        assert city.anchor() >= 1
        record = city.container.evidence.record(problem["request_id"])
        assert (record.decision, record.reason) == ("failed", "upstream_unavailable")
        assert city.verify(problem["receipt"]).ok
        report = city.sync()
        assert {e["step"] for e in report.errors} == {"pull", "push"}
        assert {e["code"] for e in report.errors} == {"parent_unreachable"}
        status = city.federation.status.report()
        assert status["parent"]["last_error"]["detail"]["code"] == "parent_unreachable"
        ready = city.app.test_client().get("/readyz").get_json()
        assert ready["status"] == "ready"  # the city serves its own entries all the same
        assert ready["checks"]["federation"]["status"] == "alert"
        assert "parent_unreachable" in ready["checks"]["federation"]["error"]
    finally:
        province.server.start()
    assert city.query("TAX", ENTRY, _body()).status_code == 200


def test_a_child_away_for_a_while_catches_up_in_one_run_without_loss_or_doubles(
    linked: list[Level],
) -> None:
    province, city = linked
    for index in range(3):
        log_closed_record(city.container.evidence_log, f"before-{index}", index + 1)
    city.anchor()
    city.sync()
    assert _sizes(province, "R320100") == [3]
    province.server.stop()
    try:
        for index in range(40):
            log_closed_record(city.container.evidence_log, f"away-{index}", index + 100)
            if index % 10 == 9:
                city.anchor()
                assert city.sync().errors
        entry = province.container.catalog.get("NRD-TITLE")
        revised = {**entry.spec.document(), "description": entry.spec.description + "（含抵押）"}
        province.container.catalog.revise("NRD-TITLE", revised, OFFICE_CLI)
    finally:
        province.server.start()
    caught_up = city.sync()
    assert caught_up.errors == []
    assert caught_up.pull is not None and caught_up.pull["revised"] == [ENTRY]
    assert caught_up.push is not None and caught_up.push["tree_size"] == _anchored(city) == 43
    assert _sizes(province, "R320100") == [3, 43]
    ledger = ChainFederationLedger(
        BoundContract(lambda: province.container.chain, CONTRACT, FederationLedgerRefused)
    )
    assert ledger.count("R320100") == 2
    again = city.sync()
    assert again.pull is not None and again.pull["revised"] == []
    assert again.push == {"sent": False, "tree_size": 43}
    assert _sizes(province, "R320100") == [3, 43]
    mirrored = city.container.catalog.get(ENTRY)
    assert mirrored.spec.description.endswith("（含抵押）")
    assert [v.number for v in mirrored.versions] == [0, 1]
