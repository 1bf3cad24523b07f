"""A seeded alliance with its provider simulators, for end-to-end broker and audit tests."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from gateway import create_app
from gateway.members.ports import MemberQuery
from gateway.providers.runner import running_simulators
from gateway.providers.samples import sample_queries
from gateway.settings import Settings


@dataclass
class Alliance:
    """A seeded gateway (test client), its provider simulators and the sample queries."""

    app: Flask
    client: FlaskClient
    settings: Settings
    simulators: dict[str, str]

    @property
    def container(self) -> Any:
        return self.app.extensions["alliance"]

    def credentials(self, code: str) -> dict[str, Any]:
        import json

        return json.loads((self.settings.data_dir / "credentials" / f"{code}.json").read_text())

    def token(self, code: str) -> str:
        cred = self.credentials(code)
        basic = base64.b64encode(f"{cred['client_id']}:{cred['client_secret']}".encode()).decode()
        response = self.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return str(response.get_json()["access_token"])

    def query(self, token: str, entry_id: str, body: dict[str, Any], **headers: str) -> Any:
        return self.client.post(
            f"/api/v1/query/{entry_id}",
            json=body,
            headers={"Authorization": f"Bearer {token}", **headers},
        )

    def title_inquiries(self, allowed: int = 3) -> str:
        """TAX asks NRD ``allowed`` title inquiries and one marriage query it has no grant
        for (denied), and the records are anchored; returns TAX's token."""
        sample = self.sample("NRD-TITLE", consumer="TAX")
        tax = self.token("TAX")
        body = {"purpose": sample["purpose"], "params": sample["params"]}
        for _ in range(allowed):
            assert self.query(tax, "NRD-TITLE", body).status_code == 200
        refused = self.query(tax, "CIV-MARRIAGE", {"purpose": "1", "params": {"id_number": "x"}})
        assert refused.status_code == 403
        assert self.container.anchorer.run_once().records == allowed + 1
        return tax

    def sample(self, entry_id: str, consumer: str | None = None) -> dict[str, Any]:
        return next(
            q
            for q in sample_queries(self.settings.providers.simulator_seed)
            if q["entry_id"] == entry_id and consumer in (None, q["consumer"])
        )


def point_members_at(container: Any, urls: dict[str, str]) -> None:
    index = container.members.index
    for member in index.find(MemberQuery(limit=100)):
        if member.code in urls:
            profile = dataclasses.replace(member.profile, endpoint=urls[member.code])
            index.save(dataclasses.replace(member, profile=profile))


def start_alliance(settings: Settings) -> Iterator[Alliance]:
    app = create_app(settings)
    with running_simulators(None, Path(settings.data_dir) / "credentials") as urls:
        point_members_at(app.extensions["alliance"], urls)
        yield Alliance(app, app.test_client(), settings, urls)
    app.extensions["alliance"].close()
