"""What one replica does, the other sees: every piece of state lives in PostgreSQL or Redis.

Two apps over one database and one Redis stand for two replicas behind the load balancer;
each request may land on either.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from gateway.audit.verify_workbook import verify_workbook
from gateway.console.roles import ConsoleRole
from gateway.jobs.lease import LeaseManager
from tests.conftest import REDIS_URL
from tests.gateway.console.conftest import csrf_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "correct horse battery"


def _credentials(app: Flask, code: str) -> dict[str, Any]:
    path = Path(app.extensions["alliance"].settings.data_dir) / "credentials" / f"{code}.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def _token(app: Flask, code: str) -> Any:
    creds = _credentials(app, code)
    return app.test_client().post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(creds["client_id"], creds["client_secret"]),
    )


def _account(app: Flask, username: str) -> None:
    accounts = app.extensions["alliance"].console.accounts
    if accounts.store.by_username(username) is None:
        accounts.create(username, username, ConsoleRole.AUDITOR, PASSWORD, None)


def _login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


def _move_cookie(source: FlaskClient, target: FlaskClient) -> None:
    cookie = source.get_cookie("alliance_console", path="/console")
    assert cookie is not None
    target.set_cookie("alliance_console", cookie.value, path="/console")


def test_a_console_sign_in_and_its_csrf_token_are_valid_on_the_other_replica(
    replicas: Any,
) -> None:
    a, b = replicas()
    _account(a, "ha-auditor")
    on_a, on_b = a.test_client(), b.test_client()
    assert _login(on_a, "ha-auditor").status_code == 302
    token = csrf_of(on_a.get("/console/").text)
    _move_cookie(on_a, on_b)

    assert on_b.get("/console/").status_code == 200  # still signed in
    signed_out = on_b.post("/console/logout", data={"csrf_token": token})
    assert signed_out.status_code == 302  # B accepted A's CSRF token
    assert on_a.get("/console/").status_code == 302  # the session ended everywhere


def test_failed_sign_ins_count_across_replicas(replicas: Any) -> None:
    a, b = replicas(console_lockout_threshold=4)
    _account(a, "ha-locked")
    for app in (a, b, a):
        assert _login(app.test_client(), "ha-locked", "wrong password").status_code == 401
    locked = _login(b.test_client(), "ha-locked", "wrong password")
    assert locked.status_code == 401
    assert _login(a.test_client(), "ha-locked").status_code == 401  # locked on A too
    b.extensions["alliance"].console.accounts.reset_password("ha-locked", PASSWORD)


def test_a_token_issued_by_one_replica_works_and_is_revoked_on_the_other(replicas: Any) -> None:
    a, b = replicas()
    issued = _token(a, "TAX")
    assert issued.status_code == 200
    token = issued.json["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert b.test_client().get("/api/v1/audit/records", headers=bearer).status_code != 401
    creds = _credentials(b, "TAX")
    revoked = b.test_client().post(
        "/oauth/revoke", data={"token": token}, auth=(creds["client_id"], creds["client_secret"])
    )
    assert revoked.status_code == 200
    refused = a.test_client().get("/api/v1/audit/records", headers=bearer)
    assert refused.status_code == 401 and refused.json["code"] == "invalid_token"


def test_rate_limits_count_the_requests_of_both_replicas(replicas: Any) -> None:
    a, b = replicas(oauth_token_rate_limit="4/minute")
    statuses = [_token(app, "TAX").status_code for app in (a, b, a, b, a)]
    assert statuses == [200, 200, 200, 200, 429]


def test_an_export_written_by_one_replica_is_downloaded_from_the_other(
    replicas: Any, tmp_path: Path
) -> None:
    a, b = replicas()
    bearer = {"Authorization": f"Bearer {_token(a, 'GAO').json['access_token']}"}
    now = datetime.now(UTC)
    started = a.test_client().post(
        "/api/v1/audit/exports",
        json={"from": (now - timedelta(days=1)).isoformat(), "to": now.isoformat()},
        headers=bearer,
    )
    assert started.status_code == 202, started.text
    export_id = started.json["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = b.test_client().get(f"/api/v1/audit/exports/{export_id}", headers=bearer).json
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status["state"] == "done", status
    exports_dir = Path(a.extensions["alliance"].settings.data_dir) / "exports"
    assert not list(exports_dir.glob("*.xlsx"))  # nothing kept on the writing replica's disk
    download = b.test_client().get(f"/api/v1/audit/exports/{export_id}/download", headers=bearer)
    assert download.status_code == 200
    workbook = tmp_path / "from-b.xlsx"
    workbook.write_bytes(download.data)
    key = a.extensions["alliance"].gateway_key().public_key
    assert verify_workbook(workbook, key).ok


def test_a_dead_holders_job_lease_passes_to_another_replica_once_it_expires() -> None:
    first = LeaseManager(redis.Redis.from_url(REDIS_URL), prefix="ha-test:lease:")
    second = LeaseManager(redis.Redis.from_url(REDIS_URL), prefix="ha-test:lease:")
    held = first.acquire("anchoring", ttl_seconds=0.5)
    assert held is not None
    assert second.acquire("anchoring", ttl_seconds=0.5) is None  # one holder at a time
    # The holder dies: it renews no more. Within the lease's lifetime another takes it over,
    # with a newer fencing token.
    deadline = time.monotonic() + 2.0
    taken = None
    while taken is None and time.monotonic() < deadline:
        taken = second.acquire("anchoring", ttl_seconds=0.5)
        time.sleep(0.05)
    assert taken is not None and taken.token > held.token
    assert not first.renew(held, 0.5)  # the dead holder's lease is gone for good
    second.release(taken)


def test_replicas_with_their_own_data_dirs_sign_cookies_with_the_one_shared_key(
    replicas: Any, make_settings: Any, shared_postgres: str
) -> None:
    from gateway.console.keys import secret_loader

    a, _ = replicas()
    engine = a.extensions["alliance"].engine
    elsewhere = make_settings(database_url=shared_postgres)
    first = secret_loader(a.extensions["alliance"].settings, engine)()
    assert secret_loader(elsewhere, engine)() == first
    assert len(first) == 64
    assert not (elsewhere.keys_dir / "console-secret.key").exists()
