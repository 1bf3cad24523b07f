"""Attacks on the authorization server and on protected routes are refused as RFC 6749/6750 say."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from gateway.settings import Settings
from tests.live_gateway import LiveGateway, serve

from .test_token_flow import _assertion, _token_with_assertion

Credentials = Callable[[str], dict[str, Any]]


def _audience(live: LiveGateway) -> str:
    return live.settings.issuer + "/oauth/token"


def test_wrong_secret_is_invalid_client(live: LiveGateway, member_credentials: Credentials) -> None:
    nrd = member_credentials("NRD")
    response = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(nrd["client_id"], nrd["client_secret"] + "x"),
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_client_and_unsupported_grant(live: LiveGateway) -> None:
    response = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("nobody", "nothing"),
        timeout=5,
    )
    assert response.json()["error"] == "invalid_client"
    response = requests.post(
        live.url + "/oauth/token", data={"grant_type": "password"}, auth=("a", "b"), timeout=5
    )
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 180}, "expired"),
        ({"aud": "https://elsewhere.example/oauth/token"}, "wrong audience"),
        ({"exp": int(time.time()) + 3600}, "lives too long"),
        ({"iss": "someone-else"}, "issuer is not the subject"),
    ],
)
def test_bad_assertions_are_refused(
    live: LiveGateway, member_credentials: Credentials, overrides: dict[str, Any], why: str
) -> None:
    assertion = _assertion(member_credentials("NRD"), _audience(live), **overrides)
    response = _token_with_assertion(live, assertion)
    # RFC 6749 §5.2: 401 only when the client authenticated with the Authorization header
    assert response.status_code == 400, (why, response.text)
    assert response.json()["error"] == "invalid_client", why


def test_replayed_assertion_is_refused(live: LiveGateway, member_credentials: Credentials) -> None:
    assertion = _assertion(member_credentials("NRD"), _audience(live))
    assert _token_with_assertion(live, assertion).status_code == 200
    replay = _token_with_assertion(live, assertion)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_client"
    assert "used before" in replay.json()["error_description"]


def test_assertion_signed_with_another_members_key(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd, tax = member_credentials("NRD"), member_credentials("TAX")
    forged = _assertion({**tax, "client_id": nrd["client_id"]}, _audience(live))
    response = _token_with_assertion(live, forged)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_missing_scope_is_403_insufficient_scope(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("NRD"))
    response = live.post("/api/v1/members/TAX/suspend", token, {"reason": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_scope_the_client_may_not_have_is_invalid_scope(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = member_credentials("NRD")
    response = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "members:admin"},
        auth=(nrd["client_id"], nrd["client_secret"]),
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_member_cannot_introspect_or_revoke_another_members_token(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd, tax = member_credentials("NRD"), member_credentials("TAX")
    tax_token = live.token(tax)
    seen = requests.post(
        live.url + "/oauth/introspect",
        data={"token": tax_token},
        auth=(nrd["client_id"], nrd["client_secret"]),
        timeout=5,
    ).json()
    assert seen == {"active": False}
    requests.post(
        live.url + "/oauth/revoke",
        data={"token": tax_token},
        auth=(nrd["client_id"], nrd["client_secret"]),
        timeout=5,
    )
    assert live.get("/api/v1/members/GAO", tax_token).status_code == 403  # alive, just no scope


def test_missing_and_malformed_bearer_tokens(live: LiveGateway) -> None:
    missing = requests.get(live.url + "/api/v1/members", timeout=5)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="alliance"'
    assert missing.json()["code"] == "missing_token"
    basic = requests.get(live.url + "/api/v1/members", auth=("a", "b"), timeout=5)
    assert basic.status_code == 400
    assert 'error="invalid_request"' in basic.headers["WWW-Authenticate"]
    forged = live.get("/api/v1/members", "not-a-token")
    assert forged.status_code == 401
    assert forged.json()["error"] == "invalid_token"


def test_tokens_are_stored_only_as_digests_and_never_logged(
    live: LiveGateway, member_credentials: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nrd = member_credentials("NRD")
    token = live.token(nrd)
    live.get("/api/v1/members", token)
    redis = live.app.extensions["alliance"].redis
    stored = b"".join(
        key + (redis.dump(key) or b"") for key in redis.scan_iter(match="*", count=1000)
    )
    assert token.encode() not in stored
    assert nrd["client_secret"].encode() not in stored
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert nrd["client_secret"] not in logged
    from sqlalchemy import text

    with live.app.extensions["alliance"].engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM oauth_clients")).all()
    assert nrd["client_secret"] not in repr(rows)


@pytest.fixture
def limited(seeded_settings: Settings, redis_url: str) -> Iterator[LiveGateway]:
    settings = seeded_settings.model_copy(
        update={
            "redis_url": redis_url,
            "oauth": seeded_settings.oauth.model_copy(update={"token_rate_limit": "5/minute"}),
        }
    )
    yield from serve(settings)


@pytest.mark.redis
def test_brute_force_on_the_token_endpoint_is_rate_limited_in_redis(
    limited: LiveGateway, member_credentials: Credentials, redis_url: str
) -> None:
    nrd = member_credentials("NRD")
    statuses = [
        requests.post(
            limited.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(nrd["client_id"], f"guess-{attempt}"),
            timeout=5,
        ).status_code
        for attempt in range(8)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    blocked = requests.post(
        limited.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(nrd["client_id"], nrd["client_secret"]),
        timeout=5,
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    import redis as redis_lib

    counters = list(redis_lib.Redis.from_url(redis_url).scan_iter(match="LIMITS*"))
    assert counters, "the limiter keeps its counters in the real Redis"
