"""The four mission services end to end: real tokens, signed receipts, anchored proofs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.catalog.actors import Actor
from gateway.cli.main import main
from gateway.crypto.canonical import message_digest
from gateway.evidence.receipt import Receipt, verify_receipt
from gateway.evidence.tables import AccessRecordRow
from tests.alliance_support import Alliance

MISSION = ["NRD-TITLE", "ECERT-VERIFY", "TAX-DEED", "CIV-MARRIAGE"]


@pytest.mark.parametrize("entry_id", MISSION)
def test_mission_query_answers_with_data_and_a_receipt_that_verifies_on_chain(
    alliance: Alliance, entry_id: str, tmp_path: Path
) -> None:
    sample = alliance.sample(entry_id)
    token = alliance.token(sample["consumer"])
    body = {"purpose": sample["purpose"], "params": sample["params"], "case_ref": "案-2026-001"}
    response = alliance.query(token, entry_id, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["entry_id"] == entry_id
    entry = alliance.container.catalog.get(entry_id)
    assert set(answer["data"]) <= {f.name for f in entry.spec.fields}
    assert answer["data"]
    receipt = Receipt.from_dict(answer["receipt"])
    assert receipt.decision == "allowed"
    assert receipt.consumer == sample["consumer"]
    assert receipt.entry_version == entry.version_hash
    assert verify_receipt(receipt, alliance.container.gateway_key().public_key)
    shown = {k: answer[k] for k in ("request_id", "entry_id", "data")}
    assert receipt.response_digest == "0x" + message_digest(shown).hex()

    report = alliance.container.anchorer.run_once()
    assert report.records >= 1
    evidence = alliance.client.get(
        f"/api/v1/evidence/{answer['request_id']}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert evidence["status"] == "anchored"
    assert evidence["tx_hash"].startswith("0x")

    answer_file = tmp_path / "answer.json"
    answer_file.write_text(json.dumps(answer, ensure_ascii=False))
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(body, ensure_ascii=False))
    rpc = alliance.container.chain.server.url
    result = CliRunner().invoke(
        main,
        ["evidence", "verify", str(answer_file), "--request", str(request_file), "--rpc", rpc],
        env={"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir), "ALLIANCE_LOG_FORMAT": "text"},
    )
    assert result.exit_code == 0, result.output
    report_json = json.loads(result.output)
    assert report_json["ok"] is True
    assert [c["name"] for c in report_json["checks"]] == [
        "receipt_signature",
        "request_digest",
        "response_digest",
        "record_matches_receipt",
        "inclusion_proof",
        "anchored_root",
        "anchored_position",
    ]

    tampered = dict(answer, data={**answer["data"], next(iter(answer["data"])): "篡改"})
    answer_file.write_text(json.dumps(tampered, ensure_ascii=False))
    failed = CliRunner().invoke(
        main,
        ["evidence", "verify", str(answer_file), "--rpc", rpc],
        env={"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir)},
    )
    assert failed.exit_code == 1
    assert json.loads(failed.output.split("\nError")[0])["first_failure"] == "response_digest"


def test_personal_fields_are_masked_unless_granted(alliance: Alliance) -> None:
    sample = alliance.sample("CIV-MARRIAGE")
    grants = alliance.container.grants
    office = Actor(member="GAO", is_office=True, label="test")
    every_field = [f.name for f in alliance.container.catalog.get("CIV-MARRIAGE").spec.fields]
    for matter, allowed in (("000173003000", ["marital_status"]), ("000173003001", None)):
        grant = grants.apply(
            "CIV-MARRIAGE",
            "HUD",
            matter,
            "购房资格审核",
            every_field,
            datetime.now(UTC) + timedelta(days=10),
            office,
        )
        grants.approve(grant.id, allowed, None, office)
    token = alliance.token("HUD")
    response = alliance.query(
        token, "CIV-MARRIAGE", {"purpose": "000173003000", "params": sample["params"]}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["data"]
    clear = alliance.query(
        token, "CIV-MARRIAGE", {"purpose": "000173003001", "params": sample["params"]}
    ).get_json()["data"]
    assert clear["person_name"] != data["person_name"]
    assert data["marital_status"] == clear["marital_status"]
    assert data["person_name"] == clear["person_name"][0] + "*" * (len(clear["person_name"]) - 1)
    assert data["id_number"] == clear["id_number"][:6] + "********" + clear["id_number"][-4:]
    assert "registry_office" not in data  # not granted and not personal: left out


def test_idempotent_retry_returns_the_same_answer_and_logs_once(alliance: Alliance) -> None:
    sample = alliance.sample("TAX-DEED")
    token = alliance.token(sample["consumer"])
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    first = alliance.query(token, "TAX-DEED", body, **{"Idempotency-Key": "retry-42"})
    second = alliance.query(token, "TAX-DEED", body, **{"Idempotency-Key": "retry-42"})
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with Session(alliance.container.engine) as session:
        rows = session.scalars(
            select(AccessRecordRow).where(AccessRecordRow.idempotency_key == "retry-42")
        ).all()
    assert len(rows) == 1
