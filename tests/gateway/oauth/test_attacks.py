"""Forged, tampered, replayed and stale credentials, each refused with its RFC 6749 (token
endpoint) or RFC 6750 (protected routes) error code."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from gateway.oauth.tokens import TokenStore
from tests.live_gateway import LiveGateway

from .test_token_flow import _assertion, _token_with_assertion

Credentials = Callable[[str], dict[str, Any]]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _audience(live: LiveGateway) -> str:
    return live.settings.issuer + "/oauth/token"


def _refused_at_token_endpoint(response: requests.Response, error: str = "invalid_client") -> None:
    assert response.status_code in (400, 401), response.text
    assert response.json()["error"] == error, response.text
    assert "access_token" not in response.json()
    assert response.headers["Cache-Control"] == "no-store"


def _refused_as_invalid_token(response: requests.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_token"
    assert response.json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_unsigned_assertion_alg_none_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    signed = _assertion(member_credentials("NRD"), _audience(live))
    _, payload, _ = signed.split(".")
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    for unsigned in (f"{header}.{payload}.", f"{header}.{payload}"):
        _refused_at_token_endpoint(_token_with_assertion(live, unsigned))


def test_hmac_assertion_keyed_with_the_public_key_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    import hashlib
    import hmac

    nrd = member_credentials("NRD")
    signed = _assertion(nrd, _audience(live))
    _, payload, _ = signed.split(".")
    header = _b64(json.dumps({"alg": "HS256"}).encode())
    public = live.app.extensions["alliance"].members.get("NRD").public_key
    mac = hmac.new(public.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    _refused_at_token_endpoint(_token_with_assertion(live, f"{header}.{payload}.{_b64(mac)}"))


def test_assertion_with_one_flipped_signature_byte_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    header, payload, signature = _assertion(member_credentials("NRD"), _audience(live)).split(".")
    raw = bytearray(_unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    _refused_at_token_endpoint(_token_with_assertion(live, f"{header}.{payload}.{_b64(raw)}"))


def test_assertion_with_an_edited_payload_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd, tax = member_credentials("NRD"), member_credentials("TAX")
    header, payload, signature = _assertion(nrd, _audience(live)).split(".")
    claims = json.loads(_unb64(payload))
    for edit in ({"exp": claims["exp"] + 5}, {"sub": tax["client_id"], "iss": tax["client_id"]}):
        edited = _b64(json.dumps({**claims, **edit}).encode())
        _refused_at_token_endpoint(_token_with_assertion(live, f"{header}.{edited}.{signature}"))


def test_assertion_with_a_client_id_naming_another_member_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd, tax = member_credentials("NRD"), member_credentials("TAX")
    response = requests.post(
        live.url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": tax["client_id"],
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": _assertion(nrd, _audience(live)),
        },
        timeout=10,
    )
    _refused_at_token_endpoint(response)
    assert "client_id" in response.json()["error_description"]


def test_assertion_with_its_own_client_id_gets_a_token(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = member_credentials("NRD")
    response = requests.post(
        live.url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": nrd["client_id"],
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": _assertion(nrd, _audience(live)),
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_secret_with_a_client_id_naming_another_member_is_invalid_client(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd, tax = member_credentials("NRD"), member_credentials("TAX")
    response = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": tax["client_id"]},
        auth=(nrd["client_id"], nrd["client_secret"]),
        timeout=5,
    )
    _refused_at_token_endpoint(response)


def test_an_expired_access_token_is_invalid_token(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    gao = member_credentials("GAO")
    issued_long_ago = TokenStore(
        live.app.extensions["alliance"].redis, clock=lambda: time.time() - 900
    )
    # Redis still holds it (its expiry lags); the gateway must still refuse it.
    issued_long_ago.save("an-expired-token", gao["client_id"], "GAO", "members:read", 600)
    _refused_as_invalid_token(live.get("/api/v1/members", "an-expired-token"))


def test_a_token_with_an_edited_character_is_invalid_token(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("GAO"))
    edited = token[:-1] + ("A" if token[-1] != "A" else "B")
    _refused_as_invalid_token(live.get("/api/v1/members", edited))
    assert live.get("/api/v1/members", token).status_code == 200


def test_a_scope_not_granted_is_insufficient_scope_before_the_body_is_read(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("GAO"), scope="members:read")
    response = live.post("/api/v1/members/TAX/suspend", token, {})
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_tokens_of_a_suspended_or_revoked_member_are_refused(
    live: LiveGateway, member_credentials: Credentials, action: str
) -> None:
    office = live.token(member_credentials("GAO"))
    tax = member_credentials("TAX")
    held = live.token(tax, scope="catalog:read")
    assert live.get("/api/v1/catalog/entries", held).status_code == 200
    changed = live.post(f"/api/v1/members/TAX/{action}", office, {"reason": "违规调用"})
    assert changed.status_code == 200, changed.text
    _refused_as_invalid_token(live.get("/api/v1/catalog/entries", held))
    again = requests.post(
        live.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(tax["client_id"], tax["client_secret"]),
        timeout=5,
    )
    # suspended: the client is known but may not get tokens; revoked: the client is withdrawn
    expected = "unauthorized_client" if action == "suspend" else "invalid_client"
    _refused_at_token_endpoint(again, expected)
    by_assertion = _token_with_assertion(live, _assertion(tax, _audience(live)))
    _refused_at_token_endpoint(by_assertion, expected)
