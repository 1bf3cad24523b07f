"""Every failure reaches the client as RFC 9457 problem+json with a stable code."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

DIGEST = "/api/v1/tools/digest"


def _problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:alliance:problem:{code}"
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_unknown_route(client: FlaskClient) -> None:
    _problem(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method(client: FlaskClient) -> None:
    response = client.delete(DIGEST)
    body = _problem(response, 405, "method_not_allowed")
    assert "POST" in body["allowed_methods"]
    assert "POST" in response.headers["Allow"]


def test_malformed_json(client: FlaskClient) -> None:
    response = client.post(DIGEST, data=b'{"document": [1, 2', content_type="application/json")
    body = _problem(response, 400, "malformed_json")
    assert "not valid JSON" in body["detail"]


def test_body_that_is_not_utf8(client: FlaskClient) -> None:
    response = client.post(DIGEST, data=b'{"document": "\xff"}', content_type="application/json")
    _problem(response, 400, "malformed_json")


def test_ten_megabyte_body(client: FlaskClient) -> None:
    body = b'{"document": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = client.post(DIGEST, data=body, content_type="application/json")
    _problem(response, 413, "payload_too_large")


def test_wrong_content_type(client: FlaskClient) -> None:
    response = client.post(
        DIGEST, data="document=1", content_type="application/x-www-form-urlencoded"
    )
    _problem(response, 415, "unsupported_media_type")


def test_schema_violation_lists_the_field(client: FlaskClient) -> None:
    response = client.post(DIGEST, json={"doc": 1})
    body = _problem(response, 422, "validation_failed")
    assert "document" in json.dumps(body["errors"])


def test_unexpected_error_hides_the_trace(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals at /srv/app.py line 12")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-42"})
    body = _problem(response, 500, "internal_error")
    assert body["request_id"] == "req-42"
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert any("secret internals" in str(record.exc_info) for record in caplog.records)


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(generated.headers["X-Request-ID"]) == 32


def test_digest_is_rfc8785_then_sm3(client: FlaskClient) -> None:
    response = client.post(DIGEST, json={"document": {"b": 1, "a": "不动产", "c": [1.0, True]}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["canonical"] == '{"a":"不动产","b":1,"c":[1,true]}'
    from gateway.crypto.hashing import sm3

    assert body["sm3"] == "0x" + sm3(body["canonical"].encode()).hex()
