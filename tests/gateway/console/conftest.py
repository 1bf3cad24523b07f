"""Console fixtures: the seeded alliance's app with one account of every role."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.console.roles import ConsoleRole
from gateway.evidence.log import AccessOpening
from gateway.settings import Settings

PASSWORD = "correct horse battery"
USERS = {
    "admin1": (ConsoleRole.ADMIN, None),
    "auditor1": (ConsoleRole.AUDITOR, None),
    "operator1": (ConsoleRole.OPERATOR, None),
    "tax1": (ConsoleRole.DEPARTMENT, "TAX"),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@dataclass
class Console:
    app: Flask

    @property
    def services(self) -> Any:
        return self.app.extensions["alliance"].console

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def login(self, username: str, password: str = PASSWORD) -> FlaskClient:
        client = self.client()
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 302, answer.text
        return client

    def token(self, client: FlaskClient, path: str = "/console/") -> str:
        return csrf_of(client.get(path).text)


def log_query(console: Console, consumer: str, provider: str, at: datetime) -> int:
    """Log an access (still pending) as the broker does; returns the record id."""
    return int(
        console.app.extensions["alliance"].evidence_log.open(
            AccessOpening(
                request_id=uuid.uuid4().hex,
                entry_id="NRD-TITLE",
                entry_version="0x" + "00" * 32,
                consumer=consumer,
                provider=provider,
                purpose="M-1",
                grant_id=None,
                case_ref=None,
                client_id="client",
                idempotency_key=None,
                request_digest="0x" + "11" * 32,
                received_at=at,
            )
        )
    )


@contextmanager
def open_console(settings: Settings) -> Iterator[Console]:
    """The gateway's app on ``settings`` with one console account of every role."""
    app = create_app(settings)
    accounts = app.extensions["alliance"].console.accounts
    for username, (role, member) in USERS.items():
        accounts.create(username, f"{username} 测试", role, PASSWORD, member)
    try:
        yield Console(app)
    finally:
        app.extensions["alliance"].close()


@pytest.fixture
def console(seeded_settings: Settings) -> Iterator[Console]:
    with open_console(seeded_settings) as opened:
        yield opened
