"""The supervision loop in a real browser: a rule fires from real brokered queries, the office
orders from 案件详情, the department rectifies and reports from its own sign-in, the office
accepts, and the timeline shows every step's transaction checked against the chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gateway.providers.runner import running_simulators
from gateway.providers.samples import sample_queries
from tests.alliance_support import point_members_at

from .conftest import ConsoleBrowser

Credentials = Callable[[str], dict[str, Any]]
OTHER_RULES = [
    "wrong-purpose",
    "outside-hours",
    "expired-grant",
    "changed-after-certification",
    "anchoring-lag",
]


def _fire_title_repeat(browser: ConsoleBrowser, member_credentials: Credentials) -> None:
    from gateway.supervision.service import rule_evaluator

    live = browser.live
    container = live.app.extensions["alliance"]
    service = container.supervision
    service.settings = service.settings.model_copy(
        update={"title_repeat_max_per_day": 2, "disabled_rules": OTHER_RULES}
    )
    service.rules = rule_evaluator(container.engine, service.settings)
    sample = next(
        q
        for q in sample_queries(live.settings.providers.simulator_seed)
        if q["entry_id"] == "NRD-TITLE" and q["consumer"] == "TAX"
    )
    tax = live.token(member_credentials("TAX"))
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    with running_simulators(None, Path(live.settings.data_dir) / "credentials") as urls:
        point_members_at(container, urls)
        for _ in range(3):
            answer = live.post("/api/v1/query/NRD-TITLE", tax, body)
            assert answer.status_code == 200, answer.text
    container.anchorer.run_once()


@pytest.mark.slow
def test_the_supervision_loop_in_the_browser(
    open_browser: Callable[[], ConsoleBrowser], member_credentials: Credentials
) -> None:
    office = open_browser()
    _fire_title_repeat(office, member_credentials)
    office.login("admin1")
    page = office.page
    page.locator("nav.sidebar a[data-page=supervision]").click()
    with page.expect_navigation():
        page.get_by_test_id("supervision-run").click()
    row = page.locator("[data-testid=cases-table] tbody tr[data-case]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("同一权利人频繁查询")
    expect(row).to_contain_text("已立案")
    office.screenshot("cases")
    row.locator("a").click()
    expect(page.get_by_test_id("case-verification")).to_contain_text("通过")
    case_url = page.url
    due = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    order = page.get_by_test_id("step-order")
    order.locator("input[name=note]").fill("请于七日内核查查询依据")
    order.locator("input[name=due]").fill(due)
    with page.expect_navigation():
        order.locator("button").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已下达")
    office.screenshot("case-ordered")

    department = open_browser()
    department.login("tax1")
    department.page.goto(case_url)
    for action, note, status in [
        ("rectify", "已开展整改", "整改中"),
        ("report", "查询均有依据,已补充材料", "已反馈"),
    ]:
        form = department.page.get_by_test_id(f"step-{action}")
        form.locator("input[name=note]").fill(note)
        with department.page.expect_navigation():
            form.locator("button").click()
        expect(department.page.get_by_test_id("case-status")).to_have_text(status)
    department.screenshot("case-reported")

    page.goto(case_url)
    accept = page.get_by_test_id("step-accept")
    accept.locator("input[name=note]").fill("验收通过")
    with page.expect_navigation():
        accept.locator("button").click()
    expect(page.get_by_test_id("case-status")).to_have_text("已验收")
    steps = page.locator("[data-testid=timeline] tbody tr[data-step]")
    expect(steps).to_have_count(5)
    for index in range(5):
        expect(steps.nth(index)).to_contain_text("通过")
        expect(steps.nth(index).locator("td.hash")).to_contain_text("0x")
    expect(page.get_by_test_id("case-verification")).to_contain_text("通过")
    office.screenshot("case-accepted")

    page.goto(office.url("/console/supervision_rules"))
    expect(page.locator("tr[data-rule=title-repeat]")).to_contain_text("是")
    office.screenshot("rules")
