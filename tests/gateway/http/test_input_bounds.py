"""Inputs the fuzzer found answered with a 500 or outside the OpenAPI document: numbers past
what the database holds are 422 (or 404 in a path), and every documented response says the
media type the gateway really sends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from gateway.oauth.scopes import SCOPES_SUPPORTED
from tests.seeded_app import open_seeded_app, seeded_settings_copy

TOKEN = "bounds-token-with-every-scope"  # saved in the token store below
HUGE = 10**20


@pytest.fixture(scope="module")
def client(seeded_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    for app in open_seeded_app(seeded_settings_copy(seeded_template, tmp_path_factory, "bounds")):
        container = app.extensions["alliance"]  # type: ignore[attr-defined]
        office = container.clients.for_member("GAO")[0]
        container.tokens.save(TOKEN, office.client_id, "GAO", " ".join(SCOPES_SUPPORTED), 3600)
        yield app.test_client()  # type: ignore[attr-defined]


def _get(client: FlaskClient, url: str) -> Any:
    return client.get(url, headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.mark.parametrize("value", [2**31, HUGE])
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/audit/records?after=", "after"),
        ("/api/v1/reconciliation/reports?before=", "before"),
    ],
)
def test_cursors_past_the_database_integer_are_422(
    client: FlaskClient, url: str, field: str, value: int
) -> None:
    response = _get(client, f"{url}{value}")
    assert response.status_code == 422, response.get_data(True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "validation_failed"
    assert field in response.get_json()["errors"]["query"]


@pytest.mark.parametrize("suffix", ["", "/workbook"])
def test_report_ids_past_the_database_integer_are_404(client: FlaskClient, suffix: str) -> None:
    response = _get(client, f"/api/v1/reconciliation/reports/{HUGE}{suffix}")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_record_expected_version_past_the_database_integer_is_422(client: FlaskClient) -> None:
    response = client.put(
        "/api/v1/records/bounds-1",
        json={"content": {"a": 1}, "expected_version": HUGE},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422, response.get_data(True)
    assert "expected_version" in response.get_json()["errors"]["json"]


def test_errors_are_documented_as_problem_details(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"]["type"] == "string"
    assert problem["properties"]["status"]["type"] == "integer"
    assert set(problem["required"]) == {"type", "title", "status", "code"}
    unprocessable = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(unprocessable) == ["application/problem+json"]


def test_catalogue_export_documents_both_of_its_media_types(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    ok = spec["paths"]["/api/v1/catalog/export"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "application/ld+json"}
    dcat = _get(client, "/api/v1/catalog/export?format=dcat")
    assert dcat.status_code == 200
    assert dcat.mimetype == "application/ld+json"


def _rows(client: FlaskClient, table: str) -> int:
    from sqlalchemy import text

    engine = client.application.extensions["alliance"].engine
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed table names


def test_a_document_without_a_canonical_form_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/tools/digest", json={"document": -1174487154603489280})
    assert response.status_code == 422, response.get_data(True)
    assert response.get_json()["code"] == "not_canonicalisable"
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client: FlaskClient, constant: str) -> None:
    response = client.post(
        "/api/v1/tools/digest",
        data=f'{{"document": {constant}}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_json"


def test_a_query_without_a_canonical_form_is_refused_before_anything_is_recorded(
    client: FlaskClient,
) -> None:
    before = _rows(client, "access_records")
    response = client.post(
        "/api/v1/query/CIV-MARRIAGE",
        json={"purpose": "P1", "params": {"id_number": 2**60}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422, response.get_data(True)
    assert response.get_json()["code"] == "invalid_params"
    assert _rows(client, "access_records") == before


@pytest.mark.parametrize(
    "start",
    ["0007-02-17T20:33:17+00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"],
)
def test_an_export_period_outside_four_digit_years_is_422_and_queues_nothing(
    client: FlaskClient, start: str
) -> None:
    before = _rows(client, "audit_exports")
    response = client.post(
        "/api/v1/audit/exports",
        json={"from": start, "to": "2026-12-01T00:00:00+00:00"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422, response.get_data(True)
    assert response.get_json()["code"] == "invalid_export_request"
    assert _rows(client, "audit_exports") == before
