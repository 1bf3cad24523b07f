"""案件列表, 案件详情 and 监督规则: the office orders and accepts, the department rectifies and
reports, each from its own page, and the timeline checks every step against the chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .conftest import Console, csrf_of


def _case(console: Console, department: str = "TAX") -> str:
    service = console.app.extensions["alliance"].supervision
    return str(service.open_by_hand(department, "抽查登记查询", "人工抽查", {}).case_id)


def _step(console: Console, client: object, case_id: str, action: str, **form: str) -> str:
    path = f"/console/supervision/cases/{case_id}"
    token = csrf_of(client.get(path).text)  # type: ignore[attr-defined]
    answer = client.post(  # type: ignore[attr-defined]
        f"{path}/step", data={"csrf_token": token, "action": action, **form}
    )
    assert answer.status_code == 302
    return str(client.get(path).text)  # type: ignore[attr-defined]


def test_the_loop_from_the_console(console: Console) -> None:
    case_id = _case(console)
    admin, tax = console.login("admin1"), console.login("tax1")
    listing = admin.get("/console/supervision").text
    assert "案件列表" in listing and case_id in listing and "已立案" in listing
    due = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    page = _step(console, admin, case_id, "order", note="十日内整改", due=due)
    assert "已下达" in page and "十日内整改" in page
    assert 'data-testid="step-rectify"' in tax.get(f"/console/supervision/cases/{case_id}").text
    _step(console, tax, case_id, "rectify", note="整改中")
    _step(console, tax, case_id, "report", note="已整改")
    page = _step(console, admin, case_id, "accept", note="通过")
    assert "已验收" in page
    assert page.count("通过</span>") >= 6  # the case and its five steps verified on chain


def test_a_refused_step_is_explained_and_changes_nothing(console: Console) -> None:
    case_id = _case(console)
    page = _step(console, console.login("tax1"), case_id, "report")
    assert "case_transition_refused" in page and "已立案" in page


def test_a_department_sees_only_its_own_cases(console: Console) -> None:
    case_id = _case(console, "HUD")
    tax = console.login("tax1")
    assert case_id not in tax.get("/console/supervision").text
    assert tax.get(f"/console/supervision/cases/{case_id}").status_code == 404
    assert tax.get("/console/supervision/export").status_code == 403


def test_rules_page_and_export(console: Console) -> None:
    _case(console)
    auditor = console.login("auditor1")
    rules = auditor.get("/console/supervision_rules").text
    assert "同一权利人频繁查询" in rules and "title-repeat" in rules
    answer = auditor.get("/console/supervision/export")
    assert answer.status_code == 200 and answer.data[:2] == b"PK"
