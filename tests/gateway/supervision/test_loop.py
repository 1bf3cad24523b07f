"""The supervision loop end to end on the seeded alliance's devnode chain: real brokered
queries fire a rule, the office orders, the department rectifies and reports, the office
accepts, and every step is on chain and verifiable."""

from __future__ import annotations

from typing import Any

from gateway.supervision.rules import TITLE_REPEAT


def test_a_rule_fires_from_brokered_queries_and_the_loop_closes_on_chain(supervised: Any) -> None:
    supervised.title_inquiries(allowed=3)
    service = supervised.container.supervision
    report = service.run()
    assert report.fired == 1 and len(report.opened) == 1
    case = service.get(report.opened[0])
    assert (case.rule_id, case.department, case.status.value) == (TITLE_REPEAT, "TAX", "open")
    assert case.evidence["count"] == 3 and len(case.evidence["receipts"]) == 3
    assert len(case.evidence["roots"]) == 1

    again = service.run()
    assert again.opened == [] and again.already_open == 1

    service.act(case.case_id, "order", "GAO", note="请核查查询依据")
    service.act(case.case_id, "rectify", "TAX", note="已开展整改")
    service.act(case.case_id, "report", "TAX", note="查询均有依据,已补充说明")
    done = service.act(case.case_id, "accept", "GAO", note="验收通过")
    assert [step.to_status.value for step in done.transitions] == [
        "open",
        "ordered",
        "rectifying",
        "reported",
        "accepted",
    ]
    assert [step.actor for step in done.transitions] == ["GATEWAY", "GAO", "TAX", "TAX", "GAO"]
    from gateway.supervision.verify import verify_case

    result = verify_case(done, service.ledger, supervised.container.evidence_root_on_chain)
    assert result.ok, result.problems
    assert result.roots_on_chain == 1 and all(step.ok for step in result.steps)
