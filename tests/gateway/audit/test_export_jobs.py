"""Auditors start an export job over the API, follow its progress and download the workbook."""

from __future__ import annotations

import base64
import io
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from gateway.audit.manifest import MANIFEST_SHEET, RECORDS_SHEET, SUMMARY_SHEET
from gateway.audit.verify_workbook import verify_workbook
from gateway.audit.workbook import export_workbook
from gateway.members.model import MemberProfile, Role
from tests.alliance_support import Alliance

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run_queries(alliance: Alliance) -> None:
    alliance.title_inquiries()


def _today() -> dict[str, str]:
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _start(alliance: Alliance, token: str, body: dict[str, Any]) -> Any:
    return alliance.client.post("/api/v1/audit/exports", json=body, headers=_auth(token))


def _wait_done(alliance: Alliance, token: str, location: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = alliance.client.get(location, headers=_auth(token))
        assert response.status_code == 200, response.get_data(as_text=True)
        seen.append(response.get_json())
        if seen[-1]["state"] in ("done", "failed"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"export still {seen[-1]['state']} after 60 s")


def test_auditor_exports_a_day_follows_progress_and_downloads_a_verifiable_workbook(
    alliance: Alliance,
) -> None:
    _run_queries(alliance)
    auditor = alliance.token("GAO")
    started = _start(alliance, auditor, _today())
    assert started.status_code == 202, started.get_data(as_text=True)
    body = started.get_json()
    location = started.headers["Location"]
    assert location.endswith(f"/api/v1/audit/exports/{body['id']}")
    assert body["state"] in ("queued", "running", "done")
    assert body["requested_by"] == "GAO"

    seen = _wait_done(alliance, auditor, location)
    done = seen[-1]
    assert done["state"] == "done", done
    assert (done["rows_done"], done["rows_total"], done["percent"]) == (4, 4, 100.0)
    assert done["manifest_digest"].startswith("0x") and len(done["manifest_digest"]) == 66
    assert done["started_at"] and done["finished_at"] and done["error"] is None
    states = [s["state"] for s in seen]
    assert states == sorted(states, key=["queued", "running", "done"].index)

    download = alliance.client.get(done["download"], headers=_auth(auditor))
    assert download.status_code == 200
    assert download.mimetype == XLSX
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".xlsx" in disposition
    content = download.get_data()
    download.close()
    workbook = load_workbook(io.BytesIO(content))
    assert SUMMARY_SHEET in workbook.sheetnames and MANIFEST_SHEET in workbook.sheetnames
    assert workbook[RECORDS_SHEET].max_row == 5  # header + 4 accesses
    path = alliance.settings.data_dir / "downloaded.xlsx"
    path.write_bytes(content)
    report = verify_workbook(path, alliance.container.gateway_key().public_key)
    assert report.ok, report.to_dict()
    assert report.to_dict()["rows"] == 4

    listed = alliance.client.get("/api/v1/audit/exports", headers=_auth(auditor)).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem: dict[str, Any] = response.get_json()
    assert problem["code"] == code
    return problem


def test_bad_export_requests_are_problems(alliance: Alliance) -> None:
    auditor = alliance.token("GAO")
    day = _today()
    _problem(_start(alliance, auditor, {"from": day["to"], "to": day["from"]}), 422,
             "invalid_export_period")  # fmt: skip
    _problem(
        _start(alliance, auditor, {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}),
        422,
        "export_period_too_long",
    )
    unknown = _problem(_start(alliance, auditor, {**day, "member": "NOPE"}), 422, "unknown_member")
    assert "NOPE" in unknown["detail"]
    missing = _problem(_start(alliance, auditor, {"from": day["from"]}), 422, "validation_failed")
    assert "to" in missing["errors"]["json"]
    _problem(_start(alliance, auditor, {**day, "from": "yesterday"}), 422, "validation_failed")
    _problem(
        alliance.client.get("/api/v1/audit/exports/0123456789abcdef", headers=_auth(auditor)),
        404,
        "export_not_found",
    )
    _problem(_start(alliance, alliance.token("TAX"), day), 403, "insufficient_scope")


def test_download_waits_for_the_export_to_finish(alliance: Alliance) -> None:
    _run_queries(alliance)
    release = threading.Event()
    exports = alliance.container.audit_exports

    def slow_writer(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30)
        return export_workbook(*args, **kwargs)

    exports.writer = slow_writer
    auditor = alliance.token("GAO")
    started = _start(alliance, auditor, _today()).get_json()
    try:
        status = alliance.client.get(
            f"/api/v1/audit/exports/{started['id']}", headers=_auth(auditor)
        ).get_json()
        assert status["state"] in ("queued", "running") and status["download"] is None
        early = alliance.client.get(
            f"/api/v1/audit/exports/{started['id']}/download", headers=_auth(auditor)
        )
        assert _problem(early, 409, "export_not_ready")["state"] in ("queued", "running")
    finally:
        release.set()
    done = _wait_done(alliance, auditor, f"/api/v1/audit/exports/{started['id']}")[-1]
    assert done["state"] == "done"
    ready = alliance.client.get(done["download"], headers=_auth(auditor))
    ready.close()
    assert ready.status_code == 200 and ready.mimetype == XLSX


def _second_auditor(alliance: Alliance) -> str:
    """A department approved with the auditor role only: its own OAuth client and token."""
    members = alliance.container.members
    profile = MemberProfile("AUDX", "省审计厅", "Provincial Audit Office", "", Role.AUDITOR)
    members.apply(profile, None, actor="GAO")
    _, credentials = members.approve("AUDX", actor="GAO")
    assert "audit:read" in credentials.scopes
    basic = base64.b64encode(
        f"{credentials.client_id}:{credentials.client_secret}".encode()
    ).decode()
    response = alliance.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["access_token"])


def test_another_auditor_cannot_see_or_download_an_export(alliance: Alliance) -> None:
    _run_queries(alliance)
    other = _second_auditor(alliance)
    mine = _start(alliance, other, _today())
    assert mine.status_code == 202
    office = alliance.token("GAO")
    theirs = _start(alliance, office, _today()).get_json()
    _wait_done(alliance, office, f"/api/v1/audit/exports/{theirs['id']}")

    for path in (
        f"/api/v1/audit/exports/{theirs['id']}",
        f"/api/v1/audit/exports/{theirs['id']}/download",
    ):
        _problem(alliance.client.get(path, headers=_auth(other)), 404, "export_not_found")
    listed = alliance.client.get("/api/v1/audit/exports", headers=_auth(other)).get_json()
    assert [item["id"] for item in listed["items"]] == [mine.get_json()["id"]]

    # The office reads every export, its own and the other auditor's.
    own = _wait_done(alliance, other, f"/api/v1/audit/exports/{mine.get_json()['id']}")[-1]
    assert own["state"] == "done" and own["requested_by"] == "AUDX"
    seen_by_office = alliance.client.get(
        f"/api/v1/audit/exports/{own['id']}", headers=_auth(office)
    )
    assert seen_by_office.status_code == 200
    everything = alliance.client.get("/api/v1/audit/exports", headers=_auth(office)).get_json()
    assert {item["id"] for item in everything["items"]} == {own["id"], theirs["id"]}
