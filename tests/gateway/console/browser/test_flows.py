"""What the office does in the console, in a real browser: approve a grant, find a record
and open its history, export an audit workbook; every page on the way is screenshotted."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gateway.catalog.actors import OFFICE_CLI, Actor
from gateway.onchain.bound import text_to_bytes32

from .conftest import ConsoleBrowser, status_of

Credentials = Callable[[str], dict[str, Any]]


@pytest.mark.slow
def test_admin_approves_a_grant(open_browser: Callable[[], ConsoleBrowser]) -> None:
    browser = open_browser()
    container = browser.live.app.extensions["alliance"]
    grant = container.grants.apply(
        "CIV-MARRIAGE",
        "NRD",
        "320100-FW-0001",
        "不动产转移登记：核验申请人婚姻状况",
        ["person_name", "id_number", "marital_status"],
        datetime.now(UTC) + timedelta(days=90),
        Actor(member="NRD", is_office=False, label="test"),
    )
    browser.login("admin1")
    page = browser.page
    page.locator("nav.sidebar a[data-page=grants]").click()
    row = page.locator(f"tr[data-grant='{grant.id}']")
    expect(row).to_contain_text("待审批")
    browser.screenshot("grants")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("grant-status")).to_have_text("待审批")
    browser.screenshot("grant-applied")
    with page.expect_navigation():
        page.locator("button[data-action=approve]").click()
    expect(page.get_by_test_id("grant-status")).to_have_text("已批准")
    browser.screenshot("grant-approved")

    assert container.grants.get(grant.id, OFFICE_CLI).status.value == "approved"
    on_chain = container.chain.contract("AccessGrants").call("getGrant", text_to_bytes32(grant.id))
    assert on_chain[4] == 2  # approved on AccessGrants


@pytest.mark.slow
def test_auditor_finds_a_record_and_opens_its_history(
    open_browser: Callable[[], ConsoleBrowser],
) -> None:
    browser = open_browser()
    records = browser.live.app.extensions["alliance"].records
    content = {"不动产单元号": "320102003001GB00001F00010001", "权利人": "张三", "面积": 89.5}
    for change in ({}, {"权利人": "李四"}, {"面积": 90.1}):
        records.put(
            "320102-REG-000123",
            content={**content, **change},
            record_type="register",
            data_source="不动产登记系统",
            organisation="NRD",
            uploader="NRD/registrar",
            metadata={"登记类型": "转移登记"},
        )
    records.put(
        "ECERT-CERT-000001",
        content={"证照类型": "不动产权证书"},
        record_type="certificate",
        data_source="电子证照库",
        organisation="ECERT",
        uploader="ECERT/issuer",
        metadata={},
    )
    browser.login("auditor1")
    page = browser.page
    page.locator("nav.sidebar a[data-page=records]").click()
    page.get_by_label("key值前缀").fill("320102-REG")
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    rows = page.locator("[data-testid=records-table] tbody tr[data-record]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("v2")
    browser.screenshot("records-search")

    rows.first.get_by_role("link", name=re.compile("^详情")).click()
    expect(page.get_by_test_id("verified")).to_contain_text("核验通过")
    latest = records.get("320102-REG-000123")
    expect(page.get_by_test_id("content-hash")).to_have_text(latest.content_hash)
    expect(page.get_by_test_id("tx-hash")).to_have_text(str(latest.tx_hash))
    browser.screenshot("record-detail")

    page.get_by_role("link", name="历史变化").click()
    expect(page.locator("[data-testid=versions] > li")).to_have_count(3)
    changed = page.get_by_test_id("changes-v1")
    expect(changed).to_contain_text("content.权利人")
    expect(changed).to_contain_text("张三")
    expect(changed).to_contain_text("李四")
    expect(page.get_by_test_id("changes-v2")).to_contain_text("90.1")
    expect(page.locator("[data-testid=side-by-side] thead th")).to_have_count(4)
    browser.screenshot("record-history")

    department = open_browser()
    department.login("tax1")
    response = department.page.goto(department.url("/console/records/320102-REG-000123/history"))
    assert status_of(response) == 404
    department.page.goto(department.url("/console/records"))
    expect(department.page.locator("tr[data-record]")).to_have_count(0)


@pytest.mark.slow
def test_auditor_exports_an_audit_workbook_from_the_page(
    open_browser: Callable[[], ConsoleBrowser], member_credentials: Credentials, tmp_path: Path
) -> None:
    browser = open_browser()
    live = browser.live
    tax = live.token(member_credentials("TAX"))
    denied = live.post(
        "/api/v1/query/CIV-MARRIAGE",
        tax,
        {"purpose": "320100-FW-0001", "params": {"id_number": "110101199003074514"}},
    )
    assert denied.status_code == 403, denied.text
    request_id = denied.json()["request_id"]

    browser.login("auditor1")
    page = browser.page
    page.locator("nav.sidebar a[data-page=audit]").click()
    expect(page.locator(f"tr[data-request='{request_id}']")).to_contain_text("已拒绝")
    browser.screenshot("audit")
    page.locator(f"tr[data-request='{request_id}'] a").click()
    with page.expect_navigation():
        page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verification")).to_be_visible()
    browser.screenshot("audit-verify")

    page.goto(browser.url("/console/audit"))
    with page.expect_navigation():
        page.get_by_test_id("export-start").click()
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=30_000)
    expect(page.locator("[data-poll-status]")).to_contain_text("已完成")
    browser.screenshot("audit-export")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path, read_only=True)
    try:
        cells = [
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
    finally:
        workbook.close()
    assert request_id in cells


@pytest.mark.slow
def test_operator_views_a_contract_and_downloads_its_artefact(
    open_browser: Callable[[], ConsoleBrowser],
) -> None:
    browser = open_browser()
    browser.login("operator1")
    page = browser.page
    page.locator("nav.sidebar a[data-page=contracts]").click()
    row = page.locator("tr[data-contract=RecordStore]")
    expect(row.get_by_test_id("contract-status")).to_have_text("运行中")
    row.get_by_role("link", name=re.compile("^查看")).click()
    expect(page.get_by_test_id("abi-functions")).to_contain_text("putVersion")
    browser.screenshot("contract-detail")
    with page.expect_download() as started:
        page.get_by_test_id("artefact-download").click()
    assert started.value.suggested_filename == "RecordStore.json"

    page.goto(browser.url("/console/reconciliation"))
    with page.expect_navigation():
        page.get_by_test_id("reconcile-now").click()
    expect(page.get_by_test_id("outcome")).to_be_visible()
    browser.screenshot("reconciliation-report")
