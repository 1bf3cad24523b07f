"""智能合约管理, API管理, 审计日志 and 对账报告 in the console, through the Flask test client."""

from __future__ import annotations

import io
import time

from openpyxl import load_workbook

from gateway.console.audit import AdminActionQuery
from gateway.onchain.artifacts import artifacts_dir

from .conftest import Console, csrf_of

NAMES = (
    "AccessGrants",
    "DataCatalog",
    "EvidenceLedger",
    "FederationLedger",
    "MemberRegistry",
    "RecordStore",
    "Supervision",
    "TransferCase",
)


def _sheets(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def test_contracts_page_lists_every_contract_with_view_and_download(console: Console) -> None:
    operator = console.login("operator1")
    page = operator.get("/console/contracts")
    assert page.status_code == 200
    for name in NAMES:
        assert f'data-contract="{name}"' in page.text
    assert page.text.count("运行中") == len(NAMES)

    detail = operator.get("/console/contracts/RecordStore")
    assert detail.status_code == 200
    record_store = console.app.extensions["alliance"].contracts.contract("RecordStore")
    assert record_store.source_hash in detail.text
    assert "putVersion" in detail.text

    download = operator.get("/console/contracts/RecordStore/artefact")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="RecordStore.json"'
    assert download.data == (artifacts_dir() / "RecordStore.json").read_bytes()
    assert operator.get("/console/contracts/Nope").status_code == 404
    assert console.login("tax1").get("/console/contracts").status_code == 403


def test_apis_page_shows_scopes_and_counts_from_real_calls(console: Console) -> None:
    client = console.client()
    for _ in range(2):
        assert client.post("/api/v1/tools/digest", json={"document": 1}).status_code == 200
    assert client.get("/api/v1/members").status_code == 401
    operator = console.login("operator1")
    page = operator.get("/console/apis?days=1")
    assert page.status_code == 200
    digest_row = page.text.split('data-api="POST /api/v1/tools/digest"')[1].split("</tr>")[0]
    assert '<td class="num" data-testid="calls">2</td>' in digest_row
    members_row = page.text.split('data-api="GET /api/v1/members"')[1].split("</tr>")[0]
    assert "<code>members:read</code>" in members_row
    assert '<td class="num" data-testid="calls">1</td>' in members_row
    assert "100.0%" in members_row
    assert console.login("tax1").get("/console/apis").status_code == 403


def test_audit_page_exports_a_workbook_with_progress(console: Console) -> None:
    container = console.app.extensions["alliance"]
    auditor = console.login("auditor1")
    page = auditor.get("/console/audit")
    assert page.status_code == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    started = auditor.post(
        "/console/audit/exports",
        data={"from": today, "to": today, "csrf_token": csrf_of(page.text)},
    )
    assert started.status_code == 302, started.text
    export_url = started.headers["Location"]
    export_id = export_url.rstrip("/").rsplit("/", 1)[-1]
    deadline = time.monotonic() + 30
    status = auditor.get(f"/console/audit/exports/{export_id}/status").get_json()
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = auditor.get(f"/console/audit/exports/{export_id}/status").get_json()
    assert status["state"] == "done", status
    with auditor.get(status["href"]) as download:
        assert download.status_code == 200
        assert _sheets(download.data)
    assert auditor.get(export_url).status_code == 200
    assert console.login("tax1").get(export_url).status_code == 404
    actions = [entry.action for entry in container.console.audit.find(AdminActionQuery())]
    assert "audit_export" in actions and "audit_export_download" in actions


def test_an_export_without_a_period_is_refused_on_the_page(console: Console) -> None:
    auditor = console.login("auditor1")
    token = csrf_of(auditor.get("/console/audit").text)
    refused = auditor.post("/console/audit/exports", data={"csrf_token": token})
    assert refused.status_code == 422
    assert 'data-testid="export-error"' in refused.text


def test_reconciliation_page_runs_lists_and_downloads(console: Console) -> None:
    operator = console.login("operator1")
    page = operator.get("/console/reconciliation")
    assert page.status_code == 200
    ran = operator.post("/console/reconciliation/run", data={"csrf_token": csrf_of(page.text)})
    assert ran.status_code == 302, ran.text
    report = operator.get(ran.headers["Location"])
    assert report.status_code == 200
    assert 'data-testid="outcome"' in report.text
    report_id = int(ran.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert f'data-report="{report_id}"' in operator.get("/console/reconciliation").text
    download = operator.get(f"/console/reconciliation/{report_id}/workbook")
    assert download.status_code == 200
    assert "概要" in _sheets(download.data)

    auditor = console.login("auditor1")
    assert auditor.get("/console/reconciliation").status_code == 200
    token = csrf_of(auditor.get("/console/").text)
    assert (
        auditor.post("/console/reconciliation/run", data={"csrf_token": token}).status_code == 403
    )
    assert console.login("tax1").get("/console/reconciliation").status_code == 403


def test_a_department_exports_only_its_own_accesses(console: Console) -> None:
    tax = console.login("tax1")
    page = tax.get("/console/audit")
    assert 'id="export-member"' not in page.text
    today = time.strftime("%Y-%m-%d", time.gmtime())
    started = tax.post(
        "/console/audit/exports",
        data={"from": today, "to": today, "member": "NRD", "csrf_token": csrf_of(page.text)},
    )
    assert started.status_code == 302
    export_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    status = console.app.extensions["alliance"].audit_exports.status(export_id)
    assert status["member"] == "TAX"
    assert status["requested_by"] == "console:tax1"
