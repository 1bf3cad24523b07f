"""Every protected operation of the OpenAPI document checks the bearer token (401) and its
scope (403) before it reads, parses or validates the body (400/415/422), as RFC 6750 asks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.seeded_app import open_seeded_app, seeded_settings_copy

PUBLIC = {("POST", "/api/v1/tools/digest")}  # the digest helper needs no token
_METHODS = ("get", "put", "post", "patch", "delete")
_JUNK = "Bearer not-a-token"
_MALFORMED = b'{"purpose": '


@pytest.fixture(scope="module")
def seeded_app(seeded_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from open_seeded_app(
        seeded_settings_copy(seeded_template, tmp_path_factory, "auth-first")
    )


def _operations(client: FlaskClient) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        parameters = {p["name"]: p for p in item.get("parameters", [])}
        for method in _METHODS:
            if method not in item:
                continue
            url = path
            for name, parameter in parameters.items():
                schema = parameter["schema"]
                sample = "1" if schema.get("type") == "integer" else "GAO"
                if schema.get("enum"):
                    sample = str(schema["enum"][0])
                url = url.replace("{" + name + "}", sample)
            found.append((method.upper(), path if (method.upper(), path) in PUBLIC else url))
    return found


@pytest.fixture(scope="module")
def operations(seeded_app: Flask) -> list[tuple[str, str]]:
    operations = _operations(seeded_app.test_client())
    assert len(operations) > 40
    return [op for op in operations if op not in PUBLIC]


@pytest.fixture(scope="module")
def scopeless_token(seeded_app: Flask) -> str:
    """A live token of the active office member that holds no scope the API knows."""
    container = seeded_app.extensions["alliance"]
    client = container.clients.for_member("GAO")[0]
    container.tokens.save("scopeless-token", client.client_id, "GAO", "nothing:here", 600)
    return "scopeless-token"


def _call(client: FlaskClient, method: str, url: str, **kwargs: Any) -> Any:
    return client.open(url, method=method, **kwargs)


def _assert_unauthorised(response: Any, code: str, where: str) -> None:
    assert response.status_code == 401, (where, response.status_code, response.get_data(True))
    assert response.mimetype == "application/problem+json", where
    assert response.get_json()["code"] == code, where
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="alliance"'), where
    if code == "invalid_token":
        assert 'error="invalid_token"' in challenge, where
    assert "errors" not in response.get_json(), f"{where} leaked its validation messages"


def test_no_token_and_an_empty_body_is_401_missing_token_everywhere(
    seeded_app: Flask, operations: list[tuple[str, str]]
) -> None:
    client = seeded_app.test_client()
    for method, url in operations:
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        _assert_unauthorised(_call(client, method, url, **body), "missing_token", f"{method} {url}")


def test_junk_token_and_a_malformed_body_is_401_invalid_token_everywhere(
    seeded_app: Flask, operations: list[tuple[str, str]]
) -> None:
    client = seeded_app.test_client()
    for method, url in operations:
        response = _call(
            client,
            method,
            url,
            data=_MALFORMED,
            headers={"Authorization": _JUNK, "Content-Type": "application/json"},
        )
        _assert_unauthorised(response, "invalid_token", f"{method} {url}")


def test_no_token_and_a_body_of_the_wrong_media_type_is_401(
    seeded_app: Flask, operations: list[tuple[str, str]]
) -> None:
    client = seeded_app.test_client()
    for method, url in operations:
        if method in ("POST", "PUT", "PATCH"):
            response = _call(client, method, url, data=b"<x/>", content_type="text/xml")
            _assert_unauthorised(response, "missing_token", f"{method} {url}")


def test_a_token_without_the_scope_is_403_before_the_body_is_validated(
    seeded_app: Flask, operations: list[tuple[str, str]], scopeless_token: str
) -> None:
    client = seeded_app.test_client()
    headers = {"Authorization": f"Bearer {scopeless_token}"}
    checked = 0
    for method, url in operations:
        if url.startswith(("/api/v1/evidence/", "/api/v1/federation/proof/")):
            continue  # any live token may ask; visibility is decided per record
        for body in ({"json": {}}, {"data": _MALFORMED, "content_type": "application/json"}):
            if method not in ("POST", "PUT", "PATCH"):
                body = {}
            response = _call(client, method, url, headers=headers, **body)
            where = f"{method} {url}"
            assert response.status_code == 403, (where, response.get_data(True))
            assert response.get_json()["code"] == "insufficient_scope", where
            assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"], where
            checked += 1
    assert checked > 40


def test_unauthenticated_post_of_an_empty_body_to_the_query_endpoint_is_401(
    seeded_app: Flask,
) -> None:
    response = seeded_app.test_client().post("/api/v1/query/NRD-HOUSEHOLD", json={})
    _assert_unauthorised(response, "missing_token", "POST /api/v1/query/…")
