"""The simulators over real loopback HTTP, as the gateway's connector will talk to them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from gateway.catalog.model import EntrySpec
from gateway.crypto.canonical import canonical_json
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers import protocol
from gateway.providers.fieldtypes import answer_problems
from gateway.providers.samples import sample_queries

TITLE_PATH = "/api/title-inquiry"


def body_for(query: dict[str, Any], request_id: str = "req-1") -> dict[str, Any]:
    return {
        "request_id": request_id,
        "entry_id": query["entry_id"],
        "consumer": query["consumer"],
        "purpose": query["purpose"],
        "params": query["params"],
    }


def title_query(**params: Any) -> dict[str, Any]:
    sample = next(q for q in sample_queries() if q["entry_id"] == "NRD-TITLE")
    return body_for({**sample, "params": params or sample["params"]})


def assert_signed_by(response: requests.Response, key: Sm2PrivateKey) -> dict[str, Any]:
    """The answer's headers name ``key`` and its signature verifies; returns the body."""
    body = json.loads(response.content)
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == canonical_json(body)  # the exact bytes that were signed
    assert response.headers[protocol.KEY_ID_HEADER] == address_of(key.public_key)
    timestamp = response.headers[protocol.TIMESTAMP_HEADER]
    assert abs((datetime.now(UTC) - protocol.parse_timestamp(timestamp)).total_seconds()) < 60
    assert protocol.verify(
        key.public_key, body, timestamp, response.headers[protocol.SIGNATURE_HEADER]
    )
    return body  # type: ignore[no-any-return]


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(url, data=canonical_json(body), headers=headers or {}, timeout=10)


def test_every_sample_query_is_answered_and_signed(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey], entries: dict[str, EntrySpec]
) -> None:
    for index, query in enumerate(sample_queries()):
        entry = entries[query["entry_id"]]
        response = post(
            simulators[entry.provider] + entry.service.path, body_for(query, f"req-{index}")
        )
        assert response.status_code == 200, (query, response.text)
        answer = assert_signed_by(response, member_keys[entry.provider])
        assert set(answer) == {"request_id", "entry_id", "provider", "answered_at", "data"}
        assert answer["request_id"] == f"req-{index}"
        assert answer["entry_id"] == entry.id and answer["provider"] == entry.provider
        protocol.parse_timestamp(answer["answered_at"])
        assert answer_problems(entry, answer["data"]) == [], query


def test_no_record_and_invalid_params_are_signed_errors(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey]
) -> None:
    url = simulators["NRD"] + TITLE_PATH
    missing = post(url, title_query(owner_id_number="11010519491231002X"))
    assert missing.status_code == 404
    body = assert_signed_by(missing, member_keys["NRD"])
    assert body["error"] == "no_record" and body["request_id"] == "req-1" and body["message"]
    invalid = post(url, title_query(owner_id_number="110105194912310021"))
    assert invalid.status_code == 400
    body = assert_signed_by(invalid, member_keys["NRD"])
    assert set(body) == {"request_id", "error", "message"} and body["error"] == "invalid_params"
    bad_unit = post(url, title_query(unit_number="32010200300"))
    assert bad_unit.status_code == 400 and bad_unit.json()["error"] == "invalid_params"


def test_not_shared_entry_is_refused(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey]
) -> None:
    body = {
        "request_id": "r",
        "entry_id": "PSB-RECORD",
        "consumer": "NRD",
        "purpose": "000173003000",
        "params": {"id_number": "11010519491231002X"},
    }
    response = post(simulators["PSB"] + "/api/criminal-record", body)
    assert response.status_code == 403
    assert assert_signed_by(response, member_keys["PSB"])["error"] == "not_shared"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "UTF-8 JSON"),
        (b"[1, 2]", "JSON object"),
        (
            json.dumps(
                {"request_id": "r", "entry_id": "NRD-TITLE", "consumer": "TAX", "purpose": "p"}
            ).encode(),
            "params",
        ),
        (
            json.dumps(
                {
                    "request_id": "r",
                    "entry_id": "TAX-DEED",
                    "consumer": "TAX",
                    "purpose": "p",
                    "params": {},
                }
            ).encode(),
            "answers NRD-TITLE",
        ),
        (b'{"request_id": "r", "n": NaN}', "RFC 8785"),
    ],
)
def test_malformed_requests(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey], raw: bytes, reason: str
) -> None:
    response = requests.post(simulators["NRD"] + TITLE_PATH, data=raw, timeout=10)
    assert response.status_code == 400
    body = assert_signed_by(response, member_keys["NRD"])
    assert body["error"] == "invalid_request" and reason in body["message"]


def test_health_unknown_path_and_method(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey]
) -> None:
    health = requests.get(simulators["TAX"] + "/healthz", timeout=10)
    assert health.status_code == 200
    assert assert_signed_by(health, member_keys["TAX"])["entries"] == ["TAX-DEED"]
    unknown = requests.post(simulators["TAX"] + TITLE_PATH, data=b"{}", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_service"
    wrong_method = requests.get(simulators["NRD"] + TITLE_PATH, timeout=10)
    assert wrong_method.status_code == 405


# --- fault injection ----------------------------------------------------------------------


def test_fault_slow_delays_the_answer(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey]
) -> None:
    started = time.perf_counter()
    response = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "slow:300"}
    )
    assert time.perf_counter() - started >= 0.3
    assert response.status_code == 200
    assert_signed_by(response, member_keys["NRD"])


def test_fault_slow_trips_a_client_timeout(simulators: dict[str, str]) -> None:
    with pytest.raises(requests.Timeout):
        requests.post(
            simulators["NRD"] + TITLE_PATH,
            data=canonical_json(title_query()),
            headers={protocol.FAULT_HEADER: "slow:1500"},
            timeout=0.3,
        )


def test_fault_error_is_an_unsigned_500(simulators: dict[str, str]) -> None:
    response = post(simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "error"})
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")
    assert protocol.SIGNATURE_HEADER not in response.headers


def test_fault_bad_signature(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey], entries: dict[str, EntrySpec]
) -> None:
    response = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "bad-signature"}
    )
    assert response.status_code == 200
    body = response.json()
    assert answer_problems(entries["NRD-TITLE"], body["data"]) == []
    timestamp = response.headers[protocol.TIMESTAMP_HEADER]
    signature = response.headers[protocol.SIGNATURE_HEADER]
    assert len(signature) == 128
    assert not protocol.verify(member_keys["NRD"].public_key, body, timestamp, signature)


def test_fault_malformed_is_signed_but_mistyped(
    simulators: dict[str, str], member_keys: dict[str, Sm2PrivateKey], entries: dict[str, EntrySpec]
) -> None:
    response = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "malformed"}
    )
    assert response.status_code == 200
    body = assert_signed_by(response, member_keys["NRD"])
    problems = answer_problems(entries["NRD-TITLE"], body["data"])
    assert len(problems) == len(entries["NRD-TITLE"].fields)


def test_fault_truncated_is_not_json(simulators: dict[str, str]) -> None:
    response = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "truncated"}
    )
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_faults_combine_and_unknown_faults_are_refused(simulators: dict[str, str]) -> None:
    started = time.perf_counter()
    combined = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "slow:200, error"}
    )
    assert combined.status_code == 500 and time.perf_counter() - started >= 0.2
    unknown = post(
        simulators["NRD"] + TITLE_PATH, title_query(), {protocol.FAULT_HEADER: "explode"}
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_fault"


# --- gateway signatures -------------------------------------------------------------------


def test_signed_request_is_accepted(
    guarded_nrd: str, gateway_key: Sm2PrivateKey, member_keys: dict[str, Sm2PrivateKey]
) -> None:
    body = title_query()
    response = post(guarded_nrd + TITLE_PATH, body, protocol.signature_headers(gateway_key, body))
    assert response.status_code == 200
    assert assert_signed_by(response, member_keys["NRD"])["request_id"] == "req-1"


def test_unsigned_or_wrongly_signed_request_is_refused(
    guarded_nrd: str, gateway_key: Sm2PrivateKey, member_keys: dict[str, Sm2PrivateKey]
) -> None:
    body = title_query()
    headers = protocol.signature_headers(gateway_key, body)
    attempts = [
        {},
        {
            **headers,
            protocol.SIGNATURE_HEADER: protocol.sign(
                gateway_key, {"other": 1}, headers[protocol.TIMESTAMP_HEADER]
            ),
        },
        protocol.signature_headers(Sm2PrivateKey.generate(), body),  # someone else's key
        {**headers, protocol.KEY_ID_HEADER: "0x" + "00" * 20},
        {**headers, protocol.TIMESTAMP_HEADER: "yesterday"},
    ]
    for attempt in attempts:
        response = post(guarded_nrd + TITLE_PATH, body, attempt)
        assert response.status_code == 401, attempt
        answer = assert_signed_by(response, member_keys["NRD"])
        assert answer["error"] == "bad_signature" and answer["request_id"] == "req-1"


def test_tampered_body_is_refused(guarded_nrd: str, gateway_key: Sm2PrivateKey) -> None:
    body = title_query()
    headers = protocol.signature_headers(gateway_key, body)
    response = post(guarded_nrd + TITLE_PATH, {**body, "consumer": "COURT"}, headers)
    assert response.status_code == 401 and response.json()["error"] == "bad_signature"


def test_reformatted_body_still_verifies(guarded_nrd: str, gateway_key: Sm2PrivateKey) -> None:
    """The signature covers the canonical form, not the bytes in transit."""
    body = title_query()
    raw = json.dumps(body, indent=4, ensure_ascii=True).encode()
    response = requests.post(
        guarded_nrd + TITLE_PATH,
        data=raw,
        headers=protocol.signature_headers(gateway_key, body),
        timeout=10,
    )
    assert response.status_code == 200


@pytest.mark.parametrize("offset", [timedelta(seconds=-400), timedelta(seconds=400)])
def test_stale_request_is_refused(
    guarded_nrd: str, gateway_key: Sm2PrivateKey, offset: timedelta
) -> None:
    body = title_query()
    timestamp = protocol.format_timestamp(datetime.now(UTC) + offset)
    response = post(
        guarded_nrd + TITLE_PATH, body, protocol.signature_headers(gateway_key, body, timestamp)
    )
    assert response.status_code == 401 and response.json()["error"] == "stale_request"


def test_request_within_the_window_is_accepted(
    guarded_nrd: str, gateway_key: Sm2PrivateKey
) -> None:
    body = title_query()
    timestamp = protocol.format_timestamp(datetime.now(UTC) - timedelta(seconds=240))
    response = post(
        guarded_nrd + TITLE_PATH, body, protocol.signature_headers(gateway_key, body, timestamp)
    )
    assert response.status_code == 200
