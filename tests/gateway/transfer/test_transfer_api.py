"""Transfers over the API: a case completes only on four standing, genuinely signed attestations."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.crypto.keyfiles import load_private_key
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.transfer.samples import sample_case

CONDITIONS = {
    "tax_paid": "TAX",
    "no_seizure": "COURT",
    "marriage_status": "CIV",
    "contract_filed": "HUD",
}
CERTIFICATE = "0x" + "ab" * 32


class Desk:
    """The departments at their desks: tokens, member keys, and the calls they make."""

    def __init__(self, alliance: Any) -> None:
        self.alliance = alliance
        self._tokens: dict[str, str] = {}

    def token(self, code: str) -> str:
        if code not in self._tokens:
            self._tokens[code] = self.alliance.token(code)
        return self._tokens[code]

    def key(self, code: str) -> Any:
        return load_private_key(self.alliance.settings.data_dir / "credentials" / f"{code}-sm2.pem")

    def post(self, code: str, path: str, body: dict[str, Any]) -> Any:
        return self.alliance.client.post(
            "/api/v1/transfers" + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token(code)}"},
        )

    def get(self, code: str, path: str) -> Any:
        return self.alliance.client.get(
            "/api/v1/transfers" + path, headers={"Authorization": f"Bearer {self.token(code)}"}
        )

    def open(self, case_id: str, *, seconds: float = 3600, seized: bool = False) -> Any:
        deadline = datetime.now(UTC) + timedelta(seconds=seconds)
        opening = sample_case(case_id, 0, seized=seized)
        body = {
            "case_id": case_id,
            "unit_number": opening.unit_number,
            "title_number": opening.title_number,
            "seller_id": opening.seller_id,
            "buyer_id": opening.buyer_id,
            "price": opening.price,
            "contract_number": opening.contract_number,
            "deadline": deadline.isoformat(),
        }
        return self.post("NRD", "", body)

    def gather(self, case_id: str, condition: str) -> dict[str, Any]:
        response = self.post(
            CONDITIONS[condition], f"/{case_id}/evidence", {"condition": condition}
        )
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def attest(self, case_id: str, condition: str, key: Any = None) -> Any:
        member = CONDITIONS[condition]
        draft = self.gather(case_id, condition)
        signer = key or self.key(member)
        signature = signer.sign(bytes.fromhex(draft["digest"][2:])).to_raw().hex()
        return self.post(
            member, f"/{case_id}/attestations", {"condition": condition, "signature": signature}
        )

    def complete(self, case_id: str) -> Any:
        return self.post(
            "NRD",
            f"/{case_id}/complete",
            {"registration_number": "BDC-2026-000001", "certificate_hash": CERTIFICATE},
        )


@pytest.fixture
def desk(alliance: Any) -> Desk:
    return Desk(alliance)


def _states(case: dict[str, Any]) -> dict[str, str]:
    return {item["condition"]: item["state"] for item in case["attestations"]}


def test_a_case_completes_only_after_all_four_attestations(desk: Desk) -> None:
    opened = desk.open("TC-0001")
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["status"] == "pending"
    assert opened.get_json()["pending_reason"] == "tax payment is not attested"
    for condition in ("tax_paid", "no_seizure", "marriage_status"):
        response = desk.attest("TC-0001", condition)
        assert response.status_code == 200, response.get_json()

    three = desk.complete("TC-0001")
    assert three.status_code == 409
    assert three.get_json()["code"] == "transfer_pending"
    assert three.get_json()["reason"] == "housing contract filing is not attested"
    case = desk.get("NRD", "/TC-0001").get_json()
    assert case["status"] == "pending"
    assert _states(case)["contract_filed"] == "missing"

    assert desk.attest("TC-0001", "contract_filed").status_code == 200
    done = desk.complete("TC-0001")
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert case["status"] == "completed" and case["pending_reason"] is None
    assert case["completed"]["registration_number"] == "BDC-2026-000001"
    assert case["completed"]["certificate_hash"] == CERTIFICATE
    assert case["completed"]["new_owner_hash"] == case["buyer_hash"]
    for item in case["attestations"]:
        assert item["state"] == "attested" and item["satisfied"] is True
        assert item["proof"]["verified"] is True, item["proof"]["problems"]
        assert item["proof"]["tx_hash"].startswith("0x") and item["proof"]["block_number"] > 0
        assert item["evidence"]["request_id"] and item["evidence"]["response_digest"]
    # the evidence is the brokered query: its receipt is in the evidence log
    request_id = case["attestations"][0]["evidence"]["request_id"]
    record = desk.alliance.container.evidence_log.by_request_id(request_id)
    assert record is not None and record.case_ref == "TC-0001" and record.consumer == "NRD"
    listed = desk.get("HUD", "").get_json()["items"]
    assert [item["case_id"] for item in listed] == ["TC-0001"]


def test_a_forged_signature_is_refused_and_the_case_stays_pending(desk: Desk) -> None:
    desk.open("TC-0002")
    for condition in ("no_seizure", "marriage_status", "contract_filed"):
        assert desk.attest("TC-0002", condition).status_code == 200
    forged = desk.attest("TC-0002", "tax_paid", key=Sm2PrivateKey.generate())
    assert forged.status_code == 422
    assert forged.get_json()["code"] == "attestation_signature_invalid"
    # another member's genuine key is a forgery too
    borrowed = desk.attest("TC-0002", "tax_paid", key=desk.key("HUD"))
    assert borrowed.get_json()["code"] == "attestation_signature_invalid"
    # and another department cannot attest tax payment at all
    draft = desk.gather("TC-0002", "tax_paid")
    signature = desk.key("PSB").sign(bytes.fromhex(draft["digest"][2:])).to_raw().hex()
    intruder = desk.post(
        "PSB", "/TC-0002/attestations", {"condition": "tax_paid", "signature": signature}
    )
    assert intruder.status_code == 403 and intruder.get_json()["code"] == "not_condition_attester"

    case = desk.get("NRD", "/TC-0002").get_json()
    assert _states(case)["tax_paid"] == "gathered"
    assert case["pending_reason"] == "tax payment is not attested"
    assert desk.complete("TC-0002").get_json()["code"] == "transfer_pending"


def test_a_revoked_attestation_keeps_the_case_pending(desk: Desk) -> None:
    desk.open("TC-0003")
    for condition in CONDITIONS:
        assert desk.attest("TC-0003", condition).status_code == 200
    revoked = desk.post(
        "COURT", "/TC-0003/attestations/no_seizure/revoke", {"reason": "法院新立查封裁定"}
    )
    assert revoked.status_code == 200, revoked.get_json()
    case = revoked.get_json()
    assert case["pending_reason"] == "seizure check attestation was revoked"
    seizure = next(item for item in case["attestations"] if item["condition"] == "no_seizure")
    assert seizure["state"] == "revoked" and seizure["revoke_reason"] == "法院新立查封裁定"
    assert seizure["proof"]["verified"] is True and seizure["proof"]["revoke_tx"]
    refused = desk.complete("TC-0003")
    assert refused.status_code == 409
    assert refused.get_json()["reason"] == "seizure check attestation was revoked"
    # the court attests afresh (a new brokered query), and the case completes
    assert desk.attest("TC-0003", "no_seizure").status_code == 200
    assert desk.complete("TC-0003").get_json()["status"] == "completed"


def test_a_seized_unit_is_attested_as_not_met(desk: Desk) -> None:
    desk.open("TC-0004", seized=True)
    for condition in CONDITIONS:
        assert desk.attest("TC-0004", condition).status_code == 200
    case = desk.get("TAX", "/TC-0004").get_json()
    seizure = next(item for item in case["attestations"] if item["condition"] == "no_seizure")
    assert seizure["satisfied"] is False and "查封" in seizure["finding"]
    assert case["pending_reason"] == "seizure check is attested as not met"
    assert desk.complete("TC-0004").status_code == 409


def test_past_the_deadline_the_case_cannot_complete(desk: Desk) -> None:
    assert desk.open("TC-0005", seconds=4).status_code == 201
    for condition in ("tax_paid", "no_seizure", "marriage_status"):
        assert desk.attest("TC-0005", condition).status_code == 200
    time.sleep(4.2)
    late = desk.attest("TC-0005", "contract_filed")
    assert late.status_code == 409
    assert late.get_json()["code"] == "transfer_refused"
    assert late.get_json()["reason"] == "deadline has passed"
    case = desk.get("NRD", "/TC-0005").get_json()
    assert case["pending_reason"] == "deadline has passed"
    refused = desk.complete("TC-0005")
    assert refused.get_json()["code"] == "transfer_pending"
    assert refused.get_json()["reason"] == "deadline has passed"


def test_bad_input_is_a_problem_with_a_stable_code(desk: Desk) -> None:
    assert desk.open("TC-0006").status_code == 201
    assert desk.open("TC-0006").get_json()["code"] == "transfer_exists"
    past = desk.open("TC-0007", seconds=-60)
    assert past.status_code == 422 and past.get_json()["code"] == "invalid_transfer"
    far = desk.open("TC-0007", seconds=3651 * 86_400)
    assert far.status_code == 422 and far.get_json()["problems"] == [
        "deadline: at most 3650 days ahead"
    ]
    body = {"case_id": "X", "unit_number": "nope", "price": 0}
    invalid = desk.post("NRD", "", body)
    assert invalid.status_code == 422 and invalid.get_json()["code"] == "validation_failed"
    assert invalid.headers["Content-Type"].startswith("application/problem+json")
    by_tax = desk.post("TAX", "", {**body})
    assert by_tax.status_code == 422  # the body is checked first
    assert desk.get("NRD", "/NO-SUCH").get_json()["code"] == "transfer_not_found"
    bad_condition = desk.post("TAX", "/TC-0006/evidence", {"condition": "weather"})
    assert bad_condition.get_json()["code"] == "validation_failed"
    revoke = desk.post("TAX", "/TC-0006/attestations/weather/revoke", {"reason": "x"})
    assert revoke.get_json()["code"] == "invalid_transfer"
    unsigned = desk.post(
        "TAX", "/TC-0006/attestations", {"condition": "tax_paid", "signature": "00" * 64}
    )
    assert (
        unsigned.status_code == 409 and unsigned.get_json()["code"] == "transfer_evidence_missing"
    )
    complete = desk.post(
        "NRD", "/TC-0006/complete", {"registration_number": "R1", "certificate_hash": "0x12"}
    )
    assert complete.get_json()["code"] == "validation_failed"
    by_court = desk.post(
        "COURT", "/TC-0006/complete",
        {"registration_number": "R1", "certificate_hash": CERTIFICATE},
    )  # fmt: skip
    assert by_court.status_code == 403 and by_court.get_json()["code"] == "not_transfer_registrar"
    no_token = desk.alliance.client.get("/api/v1/transfers")
    assert no_token.status_code == 401
