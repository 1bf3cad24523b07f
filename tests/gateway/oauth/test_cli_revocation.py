"""Suspending or revoking a member with the CLI, a separate process, kills the member's
tokens held by a running gateway at once (docs/oauth.md), and a later reinstatement does not
bring them back, whether the gateway and the CLI share Redis or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from gateway.settings import Settings
from tests.live_gateway import LiveGateway, serve

Credentials = Callable[[str], dict[str, Any]]
ALLIANCE = [sys.executable, "-m", "gateway.cli"]


def _cli(settings: Settings, *args: str) -> Any:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")},
        "ALLIANCE_DATA_DIR": str(settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_REDIS_URL": settings.redis_url,
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
    }
    result = subprocess.run(
        [*ALLIANCE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(params=["redis", "embedded"])
def served(request: pytest.FixtureRequest, seeded_settings: Settings) -> Iterator[LiveGateway]:
    """The gateway on the real Redis the CLI shares, or on its own in-process Redis (the
    embedded default), where the CLI cannot delete the tokens and the member's change must
    refuse them by itself."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    yield from serve(seeded_settings.model_copy(update={"redis_url": url}))


def _introspect(live: LiveGateway, credentials: dict[str, Any], token: str) -> Any:
    return requests.post(
        live.url + "/oauth/introspect",
        data={"token": token},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=5,
    ).json()


@pytest.mark.redis
@pytest.mark.slow
def test_cli_suspension_kills_the_running_servers_tokens_for_good(
    served: LiveGateway, member_credentials: Credentials
) -> None:
    tax, gao = member_credentials("TAX"), member_credentials("GAO")
    held = served.token(tax, scope="catalog:read")
    assert served.get("/api/v1/catalog/entries", held).status_code == 200

    assert _cli(served.settings, "members", "suspend", "TAX", "--reason", "异常")["status"] == (
        "suspended"
    )
    refused = served.get("/api/v1/catalog/entries", held)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"
    assert _introspect(served, gao, held) == {"active": False}
    assert _introspect(served, tax, held) == {"active": False}

    assert _cli(served.settings, "members", "reinstate", "TAX")["status"] == "active"
    assert served.get("/api/v1/catalog/entries", held).status_code == 401  # stays dead
    assert _introspect(served, gao, held) == {"active": False}
    fresh = served.token(tax, scope="catalog:read")
    assert served.get("/api/v1/catalog/entries", fresh).status_code == 200


@pytest.mark.redis
@pytest.mark.slow
def test_cli_revocation_kills_the_running_servers_tokens_and_clients(
    served: LiveGateway, member_credentials: Credentials
) -> None:
    civ = member_credentials("CIV")
    held = served.token(civ)
    assert _cli(served.settings, "members", "revoke", "CIV", "--reason", "退出联盟")["status"] == (
        "revoked"
    )
    refused = served.get("/api/v1/catalog/entries", held)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    again = requests.post(
        served.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(civ["client_id"], civ["client_secret"]),
        timeout=5,
    )
    assert again.json()["error"] == "invalid_client"
