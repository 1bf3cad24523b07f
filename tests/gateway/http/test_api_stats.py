"""Call counting per endpoint: per day in Redis, joined with the OpenAPI document, and never
in the way of a request when Redis is down."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import fakeredis
import pytest
import redis

from gateway import create_app
from gateway.http.api_catalogue import call_stats
from gateway.http.stats import KEY_PREFIX, ApiCallStats, openapi_path
from gateway.settings import Settings
from tests.live_gateway import LiveGateway, serve

Credentials = Callable[[str], dict[str, Any]]


def test_flask_rules_become_openapi_paths() -> None:
    assert openapi_path("/api/v1/members/<code>") == "/api/v1/members/{code}"
    assert openapi_path("/a/<int:id>/b/<path:rest>") == "/a/{id}/b/{rest}"
    assert openapi_path("/api/v1/grants") == "/api/v1/grants"


def test_counts_are_kept_per_utc_day_and_summed_over_a_window() -> None:
    now = [datetime(2026, 11, 26, 23, 59, tzinfo=UTC).timestamp()]
    client = fakeredis.FakeRedis()
    stats = ApiCallStats(client, clock=lambda: now[0])
    for status in (200, 200, 404, 503):
        assert stats.record("GET", "/api/v1/members", status)
    now[0] += 120  # the next UTC day
    stats.record("GET", "/api/v1/members", 200)
    stats.record("POST", "/api/v1/members", 422)

    assert sorted(k.decode() for k in client.keys(KEY_PREFIX + "*")) == [
        KEY_PREFIX + "2026-11-26",
        KEY_PREFIX + "2026-11-27",
    ]
    assert 0 < client.ttl(KEY_PREFIX + "2026-11-27") <= 90 * 86400
    today = stats.totals(1)[("GET", "/api/v1/members")]
    assert (today.calls, today.errors) == (1, 0)
    both = stats.totals(2)
    listing = both[("GET", "/api/v1/members")]
    assert (listing.calls, listing.client_errors, listing.server_errors) == (5, 1, 1)
    assert listing.error_rate == pytest.approx(0.4)
    assert both[("POST", "/api/v1/members")].error_rate == 1.0


def test_a_redis_failure_pauses_counting_instead_of_raising() -> None:
    now = [1000.0]
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    stats = ApiCallStats(dead, clock=lambda: now[0], retry_after=30)
    assert stats.record("GET", "/api/v1/members", 200) is False
    started = time.monotonic()
    for _ in range(100):
        assert stats.record("GET", "/api/v1/members", 200) is False
    assert time.monotonic() - started < 0.1  # paused: no connection attempts
    now[0] += 31
    alive = ApiCallStats(fakeredis.FakeRedis(), clock=lambda: now[0])
    assert alive.record("GET", "/api/v1/members", 200) is True


@pytest.fixture
def live_redis(seeded_settings: Settings, redis_url: str) -> Iterator[LiveGateway]:
    yield from serve(seeded_settings.model_copy(update={"redis_url": redis_url}))


@pytest.mark.redis
def test_api_listing_joins_the_openapi_document_with_real_counts(
    live_redis: LiveGateway, member_credentials: Credentials
) -> None:
    live = live_redis
    office = live.token(member_credentials("GAO"))
    nrd = live.token(member_credentials("NRD"))
    for _ in range(3):
        assert live.get("/api/v1/members", office).status_code == 200
    assert live.get("/api/v1/members/NOPE", office).status_code == 404
    assert live.get("/api/v1/audit/records", nrd).status_code == 403

    response = live.get("/api/v1/apis", office, params={"days": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts_available"] is True
    rows = {(i["method"], i["path"]): i for i in body["items"]}
    spec = live.app.extensions["alliance_api"].spec.to_dict()
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert documented <= set(rows)
    members = rows[("GET", "/api/v1/members")]
    assert members["summary"].startswith("List members")
    assert members["scopes"] == ["members:read"] and members["protected"] is True
    assert members["calls"] == 3 and members["error_rate"] == 0.0
    detail = rows[("GET", "/api/v1/members/{code}")]
    assert (detail["calls"], detail["client_errors"], detail["error_rate"]) == (1, 1, 1.0)
    audit = rows[("GET", "/api/v1/audit/records")]
    assert audit["scopes"] == ["audit:read"] and audit["client_errors"] == 1
    assert rows[("POST", "/api/v1/tools/digest")]["protected"] is False
    token_endpoint = rows[("POST", "/oauth/token")]
    assert token_endpoint["documented"] is False and token_endpoint["calls"] == 2
    assert rows[("GET", "/api/v1/contracts")]["scopes"] == ["contracts:read"]
    query = rows[("POST", "/api/v1/query/{entry_id}")]
    assert query["protected"] is True and query["scopes"] == ["query:{entry_id}"]

    refused = live.get("/api/v1/apis", nrd)
    assert refused.status_code == 403
    bad = live.get("/api/v1/apis", office, params={"days": 0})
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"


def test_requests_succeed_while_the_counters_redis_is_down(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    try:
        client = app.test_client()
        started = time.monotonic()
        for _ in range(20):
            response = client.post("/api/v1/tools/digest", json={"document": {"a": 1}})
            assert response.status_code == 200
        assert time.monotonic() - started < 10
        assert call_stats(app).record("GET", "/api/v1/members", 200) is False
    finally:
        app.extensions["alliance"].close()
