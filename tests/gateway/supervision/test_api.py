"""``/api/v1/supervision`` over the seeded alliance: the loop by the members' own tokens,
refusals as problem+json, a department's view, the overdue job with a moved clock, export."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.crypto.sm2 import Sm2PublicKey

PROBLEM = "application/problem+json"


def call(alliance: Any, token: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if body is None:
        return alliance.client.get(f"/api/v1/supervision{path}", headers=headers)
    return alliance.client.post(f"/api/v1/supervision{path}", json=body, headers=headers)


def test_the_loop_through_the_api_is_verifiable(supervised: Any, fired: str) -> None:
    gao, tax = supervised.token("GAO"), supervised.token("TAX")
    for token, action, note in [
        (gao, "order", "请于期限内核查"),
        (tax, "rectify", "整改中"),
        (tax, "report", "已整改"),
        (gao, "accept", "验收通过"),
    ]:
        answer = call(supervised, token, f"/cases/{fired}/{action}", {"note": note})
        assert answer.status_code == 200, answer.get_json()
    case = call(supervised, gao, f"/cases/{fired}").get_json()
    assert case["status"] == "accepted"
    assert [step["note"] for step in case["transitions"]][1:] == [
        "请于期限内核查",
        "整改中",
        "已整改",
        "验收通过",
    ]
    assert all(
        step["tx_hash"].startswith("0x") and step["block_number"] > 0
        for step in case["transitions"]
    )
    verification = call(supervised, gao, f"/cases/{fired}/verification").get_json()
    assert verification["ok"] is True, verification["problems"]
    assert len(verification["steps"]) == 5 and verification["roots_on_chain"] == 1


@pytest.mark.parametrize(
    ("member", "action", "status", "code"),
    [
        ("TAX", "order", 403, "case_actor_not_allowed"),
        ("HUD", "report", 404, "case_not_found"),
        ("GAO", "report", 403, "case_actor_not_allowed"),
        ("TAX", "report", 409, "case_transition_refused"),
        ("GAO", "accept", 409, "case_transition_refused"),
    ],
)
def test_bad_transitions_are_refused_with_problem_json(
    supervised: Any, fired: str, member: str, action: str, status: int, code: str
) -> None:
    answer = call(supervised, supervised.token(member), f"/cases/{fired}/{action}", {})
    assert answer.status_code == status
    assert answer.mimetype == PROBLEM
    assert answer.get_json()["code"] == code


def test_an_illegal_step_names_the_contracts_reason(supervised: Any, fired: str) -> None:
    answer = call(supervised, supervised.token("TAX"), f"/cases/{fired}/rectify", {})
    assert answer.status_code == 409
    assert answer.get_json()["reason"] == "Supervision: only an ordered case can be rectified"
    assert call(supervised, supervised.token("GAO"), "/cases/0xnope").status_code == 404


def test_a_department_sees_only_its_own_cases(supervised: Any, fired: str) -> None:
    assert [
        c["case_id"]
        for c in call(supervised, supervised.token("TAX"), "/cases").get_json()["items"]
    ] == [fired]
    assert call(supervised, supervised.token("HUD"), "/cases").get_json()["items"] == []
    assert len(call(supervised, supervised.token("GAO"), "/cases").get_json()["items"]) == 1


def test_an_order_past_its_due_date_is_marked_overdue_and_escalated(
    supervised: Any, fired: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = supervised.container.supervision
    due = datetime.now(UTC) + timedelta(days=3)
    service.act(fired, "order", "GAO", note="三日内整改", due_at=due)
    assert service.run().overdue == []

    moved = timedelta(days=4).total_seconds()
    import gateway.devnode.node as devnode_node

    class MovedClock:
        @staticmethod
        def time() -> float:
            return time.time() + moved

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

    monkeypatch.setattr(devnode_node, "time", MovedClock())
    monkeypatch.setattr(service, "clock", lambda: datetime.now(UTC) + timedelta(seconds=moved))
    report = service.run()
    assert report.overdue == [fired]
    case = service.get(fired)
    assert case.status.value == "overdue" and case.transitions[-1].actor == "GATEWAY"
    notices = call(supervised, supervised.token("GAO"), "/notices").get_json()
    assert [(n["case_id"], n["kind"], n["recipient_role"]) for n in notices] == [
        (fired, "overdue", "supervisor")
    ]
    assert service.run().overdue == []  # marked once
    late = call(supervised, supervised.token("TAX"), f"/cases/{fired}/report", {"note": "逾期反馈"})
    assert late.get_json()["status"] == "reported"
    verification = call(supervised, supervised.token("GAO"), f"/cases/{fired}/verification")
    assert verification.get_json()["ok"] is True


def test_cases_export_verifies_and_detects_tampering(supervised: Any, fired: str) -> None:
    import io

    from openpyxl import load_workbook

    from gateway.supervision.export import verify_cases_workbook

    answer = call(supervised, supervised.token("GAO"), "/export")
    assert answer.status_code == 200
    key = Sm2PublicKey.from_bytes(supervised.container.gateway_key().public_key.to_bytes())
    report = verify_cases_workbook(answer.data, key)
    assert report.ok and (report.cases, report.transitions) == (1, 1)

    workbook = load_workbook(io.BytesIO(answer.data))
    workbook["案件"]["C2"] = "HUD"
    tampered = io.BytesIO()
    workbook.save(tampered)
    checked = verify_cases_workbook(tampered.getvalue(), key)
    assert not checked.ok
    assert checked.problems[0] == "the rows do not hash to the manifest digest"
    refused = call(supervised, supervised.token("TAX"), "/export")
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
