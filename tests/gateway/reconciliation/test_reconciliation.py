"""Reconciliation finds exactly what was changed behind the gateway's back, and says what."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import delete, text, update

from gateway.cli.main import main
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.members.tables import MemberRow
from gateway.reconciliation.workbook import FINDINGS_SHEET, SUMMARY_SHEET
from tests.alliance_support import Alliance


def _queries(alliance: Alliance, count: int = 3) -> str:
    return alliance.title_inquiries(count)


def _findings(alliance: Alliance) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    service = alliance.container.reconciliation
    report = service.report(service.run()["id"])
    return report, report["findings"]


def _record_ids(alliance: Alliance) -> list[int]:
    with alliance.container.engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM access_records ORDER BY id")).scalars())


def test_an_untouched_alliance_reconciles_clean(alliance: Alliance) -> None:
    _queries(alliance)
    report, findings = _findings(alliance)
    assert findings == []
    assert report["outcome"] == "clean"
    assert report["records_checked"] == 4
    assert report["anchors_checked"] == 1
    assert report["summary"]["skipped"] == {}


def test_a_row_changed_after_anchoring_is_reported_alone_with_what_differs(
    alliance: Alliance,
) -> None:
    _queries(alliance)
    victim = _record_ids(alliance)[1]
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow)
            .where(AccessRecordRow.id == victim)
            .values(consumer="HUD", purpose="个人查询")
        )
    report, findings = _findings(alliance)
    assert report["outcome"] == "mismatch"
    assert [(f["kind"], f["subject"]) for f in findings] == [
        ("row_changed_after_anchoring", f"record:{victim}")
    ]
    fields = findings[0]["detail"]["fields"]
    assert set(fields) == {"consumer", "purpose"}
    assert fields["consumer"] == {"anchored": "TAX", "current": "HUD"}
    assert fields["purpose"]["current"] == "个人查询"


def test_an_altered_evidence_entry_is_named_by_its_proof(alliance: Alliance) -> None:
    _queries(alliance)
    victim = _record_ids(alliance)[2]
    with alliance.container.engine.begin() as connection:
        entry = connection.execute(
            text("SELECT evidence FROM access_records WHERE id = :id"), {"id": victim}
        ).scalar_one()
        forged = entry.replace('"decision":"allowed"', '"decision":"denied"')
        assert forged != entry
        connection.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == victim).values(evidence=forged)
        )
    _, findings = _findings(alliance)
    kinds = {(f["kind"], f["subject"]) for f in findings}
    # The forged entry no longer leads to the anchored root, and the row no longer matches it.
    assert ("digest_mismatch", f"record:{victim}") in kinds
    assert {subject for _, subject in kinds} == {f"record:{victim}"}


def test_deleted_records_and_unknown_chain_batches_are_reported(alliance: Alliance) -> None:
    _queries(alliance)
    ids = _record_ids(alliance)
    with alliance.container.engine.begin() as connection:
        connection.execute(delete(AccessRecordRow).where(AccessRecordRow.id == ids[0]))
    _, findings = _findings(alliance)
    missing = [f for f in findings if f["kind"] == "records_missing"]
    assert len(missing) == 1
    assert missing[0]["detail"]["missing_sequences"] == [1]

    with alliance.container.engine.begin() as connection:
        connection.execute(delete(AccessRecordRow))
        connection.execute(delete(AnchorRow))
    _, findings = _findings(alliance)
    assert [f["kind"] for f in findings] == ["anchor_without_records"]
    assert findings[0]["detail"]["count"] == 4


def test_an_anchor_the_chain_does_not_hold_is_reported(alliance: Alliance) -> None:
    _queries(alliance)
    with alliance.container.engine.begin() as connection:
        connection.execute(update(AnchorRow).values(last_sequence=5, count=5))
    _, findings = _findings(alliance)
    kinds = [f["kind"] for f in findings]
    assert "anchor_not_on_chain" in kinds
    on_chain = next(f for f in findings if f["kind"] == "anchor_not_on_chain")
    assert on_chain["detail"]["chain"] == {"count": 4, "first": 1, "last": 4}


def test_records_left_unanchored_are_missing_anchors(alliance: Alliance) -> None:
    _queries(alliance)
    service = alliance.container.reconciliation
    service.anchor_within = service.anchor_within * 0  # everything is late from now on
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    assert alliance.query(alliance.token("TAX"), "NRD-TITLE", body).status_code == 200
    with alliance.container.engine.begin() as connection:
        connection.execute(text("DELETE FROM evidence_outbox"))
    _, findings = _findings(alliance)
    assert [f["kind"] for f in findings] == ["missing_anchor"]
    assert "not queued" in findings[0]["detail"]["problem"]


def test_membership_drift_names_the_member_and_field(alliance: Alliance) -> None:
    _queries(alliance, count=1)
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(MemberRow).where(MemberRow.code == "HUD").values(status="suspended")
        )
    _, findings = _findings(alliance)
    assert [(f["kind"], f["subject"]) for f in findings] == [("membership_drift", "member:HUD")]
    assert findings[0]["detail"]["fields"]["status"] == {"chain": "active", "index": "suspended"}


def test_a_mismatch_raises_an_alert_on_readyz_and_the_api(
    alliance: Alliance, caplog: pytest.LogCaptureFixture
) -> None:
    _queries(alliance)
    client = alliance.client
    assert "alerts" not in client.get("/readyz").get_json()
    victim = _record_ids(alliance)[0]
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == victim).values(decision="denied")
        )
    auditor = {"Authorization": f"Bearer {alliance.token('GAO')}"}
    with caplog.at_level("ERROR", logger="gateway.reconciliation.service"):
        created = client.post("/api/v1/reconciliation/reports", headers=auditor)
    assert created.status_code == 201
    report = created.get_json()
    assert report["findings"][0]["subject"] == f"record:{victim}"
    assert any("1 findings" in message for message in caplog.messages)

    ready = client.get("/readyz")
    assert ready.status_code == 200  # an alert does not take the gateway out of service
    body = ready.get_json()
    assert body["alerts"] == ["reconciliation"]
    assert body["checks"]["reconciliation"]["status"] == "alert"
    assert body["checks"]["reconciliation"]["latest_report"] == report["id"]

    listing = client.get("/api/v1/reconciliation/reports?limit=5", headers=auditor).get_json()
    assert listing["items"][0]["id"] == report["id"]
    assert listing["open_alerts"] == 1
    assert "findings" not in listing["items"][0]

    workbook = client.get(
        f"/api/v1/reconciliation/reports/{report['id']}/workbook", headers=auditor
    )
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.data))
    assert sheets.sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET]
    rows = list(sheets[FINDINGS_SHEET].iter_rows(values_only=True))
    assert rows[1][2] == f"record:{victim}"
    assert rows[1][5] == 'decision: "allowed" → "denied"'

    # Put right, the next run is clean and the alert clears.
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == victim).values(decision="allowed")
        )
    client.post("/api/v1/reconciliation/reports", headers=auditor)
    assert "alerts" not in client.get("/readyz").get_json()


def test_reports_need_the_audit_scope_and_unknown_reports_are_404(alliance: Alliance) -> None:
    client = alliance.client
    tax = {"Authorization": f"Bearer {alliance.token('TAX')}"}
    assert client.get("/api/v1/reconciliation/reports", headers=tax).status_code == 403
    auditor = {"Authorization": f"Bearer {alliance.token('GAO')}"}
    missing = client.get("/api/v1/reconciliation/reports/999", headers=auditor)
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "reconciliation_report_not_found"
    bad = client.get("/api/v1/reconciliation/reports?limit=0", headers=auditor)
    assert bad.status_code == 422


def test_the_cli_runs_shows_and_exports_reports(alliance: Alliance, tmp_path: Any) -> None:
    _queries(alliance, count=1)
    alliance.container.close()
    env = {"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir), "ALLIANCE_LOG_FORMAT": "text"}
    runner = CliRunner()
    ran = runner.invoke(main, ["reconciliation", "run", "--fail-on-mismatch"], env=env)
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.output)
    assert report["outcome"] == "clean" and report["records_checked"] == 2
    listed = json.loads(runner.invoke(main, ["reconciliation", "reports"], env=env).output)
    assert [item["id"] for item in listed] == [report["id"]]
    out = tmp_path / "report.xlsx"
    exported = runner.invoke(
        main, ["reconciliation", "export", str(report["id"]), "--out", str(out)], env=env
    )
    assert exported.exit_code == 0, exported.output
    assert load_workbook(out).sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET]
    unknown = runner.invoke(main, ["reconciliation", "show", "42"], env=env)
    assert unknown.exit_code == 1
    assert "reconciliation_report_not_found" in unknown.output


def test_records_anchored_before_evidence_entries_are_checked_by_their_leaves(
    alliance: Alliance,
) -> None:
    _queries(alliance)
    victim = _record_ids(alliance)[1]
    with alliance.container.engine.begin() as connection:
        connection.execute(update(AccessRecordRow).values(evidence=None))
    _, findings = _findings(alliance)
    assert findings == []
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == victim).values(provider="PSB")
        )
    _, findings = _findings(alliance)
    # Without the entry the change cannot be spelled out, but its proof names the record.
    assert [(f["kind"], f["subject"]) for f in findings] == [
        ("digest_mismatch", f"record:{victim}")
    ]


def test_worker_processes_check_ranges_of_batches_and_find_the_same(
    alliance: Alliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.reconciliation import evidence_checks

    for _ in range(3):
        _queries(alliance, count=1)
    victim = _record_ids(alliance)[-1]
    with alliance.container.engine.begin() as connection:
        connection.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == victim).values(reason="edited")
        )
    monkeypatch.setattr(evidence_checks, "PARALLEL_FROM", 1)
    service = alliance.container.reconciliation
    monkeypatch.setattr(service, "workers", 2)
    checker = evidence_checks.EvidenceChecker(service.engine, 2)
    assert len(checker._ranges(checker.anchors())) == 2
    report = service.report(service.run()["id"])
    assert report["records_checked"] == 6
    assert report["anchors_checked"] == 3
    assert [(f["kind"], f["subject"]) for f in report["findings"]] == [
        ("row_changed_after_anchoring", f"record:{victim}")
    ]
    assert report["findings"][0]["detail"]["fields"]["reason"]["current"] == "edited"
