"""Refused and failed queries are answered in problem+json with a receipt and are recorded."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.catalog.actors import Actor
from gateway.catalog.tables import GrantRow
from gateway.evidence.tables import AccessRecordRow
from tests.alliance_support import Alliance, point_members_at


def _record(alliance: Alliance, request_id: str) -> AccessRecordRow:
    with Session(alliance.container.engine) as session:
        row = session.scalar(
            select(AccessRecordRow).where(AccessRecordRow.request_id == request_id)
        )
    assert row is not None
    return row


def _refused(
    alliance: Alliance, response: Any, status: int, code: str, decision: str
) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert body["receipt"]["decision"] == decision
    assert body["receipt"]["reason"] == code
    row = _record(alliance, body["request_id"])
    assert (row.decision, row.reason, row.http_status) == (decision, code, status)
    return body


def test_no_grant(alliance: Alliance) -> None:
    sample = alliance.sample("CIV-MARRIAGE")
    response = alliance.query(
        alliance.token("SAMR"),
        "CIV-MARRIAGE",
        {"purpose": sample["purpose"], "params": sample["params"]},
    )
    _refused(alliance, response, 403, "no_grant", "denied")


def test_wrong_purpose(alliance: Alliance) -> None:
    sample = alliance.sample("CIV-MARRIAGE")
    response = alliance.query(
        alliance.token(sample["consumer"]),
        "CIV-MARRIAGE",
        {"purpose": "999999999999", "params": sample["params"]},
    )
    _refused(alliance, response, 403, "wrong_purpose", "denied")


def test_expired_grant(alliance: Alliance) -> None:
    sample = alliance.sample("TAX-DEED")
    with Session(alliance.container.engine) as session, session.begin():
        grant = session.scalar(
            select(GrantRow).where(
                GrantRow.consumer == sample["consumer"], GrantRow.entry_id == "TAX-DEED"
            )
        )
        assert grant is not None
        grant.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    response = alliance.query(
        alliance.token(sample["consumer"]),
        "TAX-DEED",
        {"purpose": sample["purpose"], "params": sample["params"]},
    )
    _refused(alliance, response, 403, "grant_expired", "denied")


def test_field_not_granted(alliance: Alliance) -> None:
    office = Actor(member="GAO", is_office=True, label="test")
    grants = alliance.container.grants
    grant = grants.apply(
        "HPF-DEPOSIT",
        "TAX",
        "000100000001",
        "核税",
        ["balance", "account_status"],
        datetime.now(UTC) + timedelta(days=3),
        office,
    )
    grants.approve(grant.id, ["account_status"], None, office)
    sample = alliance.sample("HPF-DEPOSIT")
    response = alliance.query(
        alliance.token("TAX"),
        "HPF-DEPOSIT",
        {"purpose": "000100000001", "params": sample["params"], "fields": ["balance"]},
    )
    body = _refused(alliance, response, 403, "field_not_granted", "denied")
    assert body["fields"] == ["balance"]


def test_suspended_consumer_is_refused_and_recorded(alliance: Alliance) -> None:
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    token = alliance.token("TAX")
    alliance.container.members.suspend("TAX", "test", "核查中")
    response = alliance.query(
        token, "NRD-TITLE", {"purpose": sample["purpose"], "params": sample["params"]}
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    with Session(alliance.container.engine) as session:
        row = session.scalar(
            select(AccessRecordRow)
            .where(AccessRecordRow.consumer == "TAX")
            .order_by(AccessRecordRow.id.desc())
        )
    assert row is not None
    assert (row.decision, row.reason) == ("denied", "consumer_suspended")


def test_not_shared_and_invalid_parameters(alliance: Alliance) -> None:
    token = alliance.token("NRD")
    _refused(
        alliance,
        alliance.query(token, "PSB-RECORD", {"purpose": "1", "params": {"id_number": "x"}}),
        403,
        "entry_not_shared",
        "denied",
    )
    sample = alliance.sample("CIV-MARRIAGE", consumer="NRD")
    response = alliance.query(
        token, "CIV-MARRIAGE", {"purpose": sample["purpose"], "params": {"id_number": 1}}
    )
    body = _refused(alliance, response, 422, "invalid_params", "denied")
    assert any("id_number" in p for p in body["problems"])
    unknown = alliance.query(token, "NO-SUCH", {"purpose": "1", "params": {}})
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("slow:3000", 504, "provider_timeout"),
        ("bad-signature", 502, "bad_provider_signature"),
        ("malformed", 502, "malformed_provider_response"),
        ("truncated", 502, "malformed_provider_response"),
        ("error", 502, "provider_unavailable"),
    ],
)
def test_provider_faults_are_recorded(
    alliance: Alliance, fault: str, status: int, code: str
) -> None:
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    response = alliance.query(
        alliance.token("TAX"),
        "NRD-TITLE",
        {"purpose": sample["purpose"], "params": sample["params"]},
        **{"X-Sim-Fault": fault},
    )
    _refused(alliance, response, status, code, "failed")


def test_provider_down_is_502_and_recorded(alliance: Alliance) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    point_members_at(alliance.container, {"NRD": closed})
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    response = alliance.query(
        alliance.token("TAX"),
        "NRD-TITLE",
        {"purpose": sample["purpose"], "params": sample["params"]},
    )
    _refused(alliance, response, 502, "provider_unavailable", "failed")


def test_no_record_is_404_with_a_receipt(alliance: Alliance) -> None:
    sample = alliance.sample("COURT-SEIZURE")
    params = dict(sample["params"], unit_number="320102002004GB01345F99999999")
    response = alliance.query(
        alliance.token(sample["consumer"]),
        "COURT-SEIZURE",
        {"purpose": sample["purpose"], "params": params},
    )
    assert response.status_code in (404, 422)
    body = response.get_json()
    assert body["receipt"]["decision"] in ("allowed", "failed")
    assert _record(alliance, body["request_id"]).decision == body["receipt"]["decision"]


def test_anchoring_lag_beyond_the_entrys_limit_refuses_new_queries(alliance: Alliance) -> None:
    sample = alliance.sample("TAX-DEED")
    token = alliance.token(sample["consumer"])
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    assert alliance.query(token, "TAX-DEED", body).status_code == 200
    evidence = alliance.settings.evidence.model_copy(update={"lag_limits": {"TAX-DEED": 0.0001}})
    alliance.container.broker.lag_limit = evidence.lag_limit
    response = alliance.query(token, "TAX-DEED", body)
    refused = _refused(alliance, response, 503, "evidence_lag_exceeded", "denied")
    assert refused["limit_seconds"] == 0.0001
    report = alliance.container.anchorer.run_once()
    assert report.records == 2  # the answered query and the refusal
    assert alliance.container.anchoring_lag() == 0.0
    assert alliance.query(token, "TAX-DEED", body).status_code == 200
