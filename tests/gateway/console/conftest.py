"""Console fixtures: the seeded alliance's app with one account of every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.console.roles import ConsoleRole
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


@pytest.fixture
def console(seeded_settings: Settings) -> Iterator[Console]:
    app = create_app(seeded_settings)
    accounts = app.extensions["alliance"].console.accounts
    for username, (role, member) in USERS.items():
        accounts.create(username, f"{username} 测试", role, PASSWORD, member)
    try:
        yield Console(app)
    finally:
        app.extensions["alliance"].close()
