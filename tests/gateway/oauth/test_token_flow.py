"""The token flow end to end over real HTTP: secrets, SM2 assertions, suspension."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import requests
from joserfc import jwt

from gateway.crypto.keyfiles import load_private_key
from gateway.oauth.jws_sm2 import Sm2Jwk, register_sm2_jws
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]


def _assertion(credentials: dict[str, Any], audience: str, **overrides: Any) -> str:
    register_sm2_jws()
    key = load_private_key(credentials["key_file"])
    now = int(time.time())
    claims = {
        "iss": credentials["client_id"],
        "sub": credentials["client_id"],
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return jwt.encode({"alg": "SM2SM3"}, claims, Sm2Jwk(key))


def _token_with_assertion(live: LiveGateway, assertion: str) -> requests.Response:
    return requests.post(
        live.url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=10,
    )


def test_metadata_describes_the_server(live: LiveGateway) -> None:
    metadata = requests.get(live.url + "/.well-known/oauth-authorization-server", timeout=5).json()
    assert metadata["token_endpoint"] == metadata["issuer"] + "/oauth/token"
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "private_key_jwt",
    }
    assert metadata["token_endpoint_auth_signing_alg_values_supported"] == ["SM2SM3"]
    assert "query:*" in metadata["scopes_supported"]


def test_office_lists_the_twelve_members_matching_the_chain(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("GAO"))
    response = live.get("/api/v1/members", token, params={"limit": 50})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 12
    assert {item["status"] for item in items} == {"active"}
    ledger = live.app.extensions["alliance"].members.ledger
    for item in items:
        on_chain = ledger.read(item["code"])
        assert on_chain is not None
        assert on_chain.status.value == "active"
        assert on_chain.account == item["account"]
        assert on_chain.public_key.hex() == item["public_key"]
        assert on_chain.name == item["name_zh"]


def test_secret_and_sm2_assertion_both_get_tokens(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = member_credentials("NRD")
    by_secret = live.token(nrd)
    audience = live.settings.issuer + "/oauth/token"
    response = _token_with_assertion(live, _assertion(nrd, audience))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == live.settings.oauth.access_token_ttl
    assert "query:*" in body["scope"].split()
    assert body["access_token"] != by_secret
    for token in (by_secret, body["access_token"]):
        assert live.get("/api/v1/members/NRD", token).status_code == 403  # no members:read


def test_suspension_kills_existing_tokens_and_reinstatement_allows_new_ones(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    office = live.token(member_credentials("GAO"))
    tax = member_credentials("TAX")
    tax_token = live.token(tax, scope="catalog:read")
    introspect = requests.post(
        live.url + "/oauth/introspect",
        data={"token": tax_token},
        auth=(tax["client_id"], tax["client_secret"]),
        timeout=5,
    ).json()
    assert introspect["active"] is True
    assert introspect["sub"] == "TAX"

    suspended = live.post("/api/v1/members/TAX/suspend", office, {"reason": "审计发现异常调用"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"

    refused = live.get("/api/v1/members", tax_token)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Bearer realm="alliance"')
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.json()["error"] == "invalid_token"

    again = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(tax["client_id"], tax["client_secret"]),
        timeout=5,
    )
    assert again.status_code == 400
    assert again.json()["error"] == "unauthorized_client"

    reinstated = live.post("/api/v1/members/TAX/reinstate", office, {"reason": "整改完成"})
    assert reinstated.json()["status"] == "active"
    fresh = live.token(tax, scope="catalog:read")
    introspect = requests.post(
        live.url + "/oauth/introspect",
        data={"token": fresh},
        auth=(tax["client_id"], tax["client_secret"]),
        timeout=5,
    ).json()
    assert introspect["active"] is True
    history = live.get("/api/v1/members/TAX/history", office).json()
    assert [e["action"] for e in history][-2:] == ["suspend", "reinstate"]
    assert history[-2]["reason"] == "审计发现异常调用"
    assert all(e["tx_hash"].startswith("0x") for e in history)


def test_revocation_endpoint_kills_the_token(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    civ = member_credentials("CIV")
    token = live.token(civ)
    response = requests.post(
        live.url + "/oauth/revoke",
        data={"token": token},
        auth=(civ["client_id"], civ["client_secret"]),
        timeout=5,
    )
    assert response.status_code == 200
    assert live.get("/api/v1/members", token).status_code == 401
