"""Application → approval → revocation over HTTP, checked against AccessGrants on chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.onchain.bound import text_to_bytes32
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]
MATTER = "320100-FW-0001"  # 不动产转移登记


def _expiry(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


def _grant_on_chain(live: LiveGateway, grant_id: str) -> tuple[Any, ...]:
    contract = live.app.extensions["alliance"].chain.contract("AccessGrants")
    return tuple(contract.call("getGrant", text_to_bytes32(grant_id)))


def test_application_approval_revocation(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = live.token(member_credentials("NRD"))
    civ = live.token(member_credentials("CIV"))
    applied = live.post(
        "/api/v1/grants",
        nrd,
        {
            "entry_id": "CIV-MARRIAGE",
            "matter_code": MATTER,
            "purpose": "不动产转移登记：核验申请人婚姻状况",
            "fields": ["person_name", "id_number", "marital_status", "spouse_name"],
            "expires_at": _expiry(90),
        },
    )
    assert applied.status_code == 201, applied.text
    grant = applied.json()
    assert grant["status"] == "applied"
    assert grant["consumer"] == "NRD"
    assert grant["provider"] == "CIV"
    entry, consumer, matter, purpose, status, _, _ = _grant_on_chain(live, grant["id"])
    assert (entry.rstrip(b"\0"), consumer.rstrip(b"\0"), matter.rstrip(b"\0"), status) == (
        b"CIV-MARRIAGE",
        b"NRD",
        MATTER.encode(),
        1,
    )
    assert purpose == "不动产转移登记：核验申请人婚姻状况"

    expires = _expiry(60)
    approved = live.post(
        f"/api/v1/grants/{grant['id']}/approve",
        civ,
        {"fields": ["person_name", "marital_status"], "expires_at": expires},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["allowed_fields"] == ["person_name", "marital_status"]
    *_, status, expires_on_chain, version = _grant_on_chain(live, grant["id"])
    assert status == 2
    assert expires_on_chain == int(datetime.fromisoformat(expires).timestamp() * 1000)
    assert "0x" + version.hex() == approved.json()["entry_version"]
    contract = live.app.extensions["alliance"].chain.contract("AccessGrants")
    allowed = contract.call("allowedFields", text_to_bytes32(grant["id"]))
    assert [f.rstrip(b"\0").decode() for f in allowed] == ["person_name", "marital_status"]
    assert contract.call("isUsable", text_to_bytes32(grant["id"])) is True
    service = live.app.extensions["alliance"].grants
    assert service.usable_grant("NRD", "CIV-MARRIAGE", MATTER).id == grant["id"]
    assert service.usable_grant("NRD", "CIV-MARRIAGE", "OTHER-MATTER") is None

    revoked = live.post(f"/api/v1/grants/{grant['id']}/revoke", civ, {"reason": "事项办结"})
    assert revoked.json()["status"] == "revoked"
    assert _grant_on_chain(live, grant["id"])[4] == 4
    assert contract.call("isUsable", text_to_bytes32(grant["id"])) is False
    history = live.get(f"/api/v1/grants/{grant['id']}/history", nrd).json()
    assert [h["action"] for h in history] == ["apply", "approve", "revoke"]
    assert all(h["tx_hash"] for h in history)


def test_unconditional_entries_are_approved_at_once(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    tax = live.token(member_credentials("TAX"))
    response = live.post(
        "/api/v1/grants",
        tax,
        {
            "entry_id": "SAMR-BUSINESS",
            "matter_code": "320100-SW-0002",
            "purpose": "核验纳税人企业登记信息",
            "fields": ["company_name", "status"],
            "expires_at": _expiry(),
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "approved"
    assert _grant_on_chain(live, response.json()["id"])[4] == 2


def test_grant_refusals(live: LiveGateway, member_credentials: Credentials) -> None:
    nrd = live.token(member_credentials("NRD"))
    tax = live.token(member_credentials("TAX"))
    not_shared = live.post(
        "/api/v1/grants",
        nrd,
        {
            "entry_id": "PSB-RECORD",
            "matter_code": MATTER,
            "purpose": "x",
            "fields": ["has_record"],
            "expires_at": _expiry(),
        },
    )
    assert not_shared.status_code == 409
    assert not_shared.json()["code"] == "entry_not_shared"

    applied = live.post(
        "/api/v1/grants",
        nrd,
        {
            "entry_id": "HRSS-INSURANCE",
            "matter_code": MATTER,
            "purpose": "购房资格审核",
            "fields": ["insured", "months_paid"],
            "expires_at": _expiry(),
        },
    ).json()
    wrong_owner = live.post(f"/api/v1/grants/{applied['id']}/approve", tax, {})
    assert wrong_owner.status_code == 404  # TAX is no party to this grant: it cannot see it
    hrss = live.token(member_credentials("HRSS"))
    civ = live.token(member_credentials("CIV"))
    assert live.post(f"/api/v1/grants/{applied['id']}/approve", civ, {}).status_code == 404
    unknown_field = live.post(
        f"/api/v1/grants/{applied['id']}/approve", hrss, {"fields": ["employer"]}
    )
    assert unknown_field.status_code == 422
    assert unknown_field.json()["code"] == "invalid_grant"
    rejected = live.post(f"/api/v1/grants/{applied['id']}/reject", hrss, {"reason": "事项不符"})
    assert rejected.json()["status"] == "rejected"
    again = live.post(f"/api/v1/grants/{applied['id']}/approve", hrss, {})
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_grant_transition"

    bad_fields = live.post(
        "/api/v1/grants",
        nrd,
        {
            "entry_id": "TAX-DEED",
            "matter_code": MATTER,
            "purpose": "x",
            "fields": ["salary"],
            "expires_at": _expiry(),
        },
    )
    assert bad_fields.json()["code"] == "invalid_grant"
    assert (
        live.post(
            "/api/v1/grants",
            nrd,
            {
                "entry_id": "NOPE",
                "matter_code": MATTER,
                "purpose": "x",
                "fields": ["a"],
                "expires_at": _expiry(),
            },
        ).json()["code"]
        == "catalog_entry_not_found"
    )
    listed = live.get("/api/v1/grants", tax).json()["items"]
    assert all("TAX" in (g["consumer"], g["provider"]) for g in listed)
