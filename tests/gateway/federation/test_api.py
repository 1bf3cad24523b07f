"""``/api/v1/federation``: who may call what, and clear problems for everything else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.members.model import Role
from gateway.oauth.scopes import scopes_for_roles
from gateway.providers.samples import sample_queries
from tests.federation_support import TITLE_FIELDS, TITLE_MATTER, Level, hierarchy

ENTRY = "R320000:NRD-TITLE"


@pytest.fixture
def linked(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[list[Level]]:
    with hierarchy(level_templates, tmp_path, depth=2) as levels:
        yield levels


def _get(level: Level, path: str, token: str) -> Any:
    return level.app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def _token_with(level: Level, member: str, scopes: tuple[str, ...]) -> str:
    token = f"test-{member}-{'-'.join(s.replace(':', '') for s in scopes)}"
    client = level.container.clients.for_member(member)[0]
    level.container.tokens.save(token, client.client_id, member, " ".join(scopes), 600)
    return token


def test_only_the_childs_own_client_reaches_the_child_routes(linked: list[Level]) -> None:
    province, city = linked
    office = province.token("GAO")
    refused = _get(province, "/api/v1/federation/catalog", office)
    assert refused.status_code == 403 and refused.get_json()["code"] == "insufficient_scope"
    not_a_child = _token_with(province, "TAX", ("federation:sync",))
    for path in ("/api/v1/federation/catalog", "/api/v1/federation/checkpoints/latest"):
        answer = _get(province, path, not_a_child)
        assert answer.status_code == 403, path
        assert answer.get_json()["code"] == "not_a_child"
    snapshot = city.federation.sync.client.catalog()
    assert snapshot["child"] == "R320100" and snapshot["signature"]["suite"] == "sm"
    assert city.federation.sync.client.latest_checkpoint() is None


def test_a_malformed_push_is_a_clear_problem(linked: list[Level]) -> None:
    _province, city = linked
    client = city.federation.sync.client
    for body, code in (
        ({"checkpoint": {}, "proof": []}, "malformed_federation_document"),
        ({"checkpoint": {"checkpoint_version": 1}, "proof": ["0x" + "0" * 64]}, None),
        ({"checkpoint": [], "proof": []}, "validation_failed"),
        ({"proof": []}, "validation_failed"),
    ):
        answer = client.call("POST", "/api/v1/federation/checkpoints", json=body)
        assert 400 <= answer.status_code < 500, (body, answer.text)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        if code is not None:
            assert answer.json()["code"] == code, answer.text


def test_suspending_the_child_at_the_parent_cuts_the_link_at_once(linked: list[Level]) -> None:
    province, city = linked
    province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
    city.sync()
    city.grant("TAX", ENTRY, TITLE_FIELDS[:2], days=10)
    sample = next(q for q in sample_queries(2026) if q["consumer"] == "TAX")
    body = {"purpose": TITLE_MATTER, "params": sample["params"]}
    assert city.query("TAX", ENTRY, body).status_code == 200
    province.container.members.suspend("R320100", "test", "下级网关暂停")
    report = city.sync()
    assert {e["code"] for e in report.errors} == {"parent_refused"}
    refused = city.query("TAX", ENTRY, body)
    assert refused.status_code == 503
    assert refused.get_json()["code"] == "upstream_unavailable"


def test_the_office_and_auditors_see_the_status_and_anchored_checkpoints(
    linked: list[Level],
) -> None:
    province, city = linked
    city.anchor()
    office = province.token("GAO")
    status = _get(province, "/api/v1/federation/status", office)
    assert status.status_code == 200
    assert [c["node"] for c in status.get_json()["children"]] == ["R320100"]
    listed = _get(province, "/api/v1/federation/checkpoints?node=R320100", office)
    assert listed.status_code == 200 and listed.get_json()["items"] == []
    bad = _get(province, "/api/v1/federation/checkpoints?node=bad%20code", office)
    assert bad.status_code == 422
    department = _get(province, "/api/v1/federation/status", province.token("TAX"))
    assert department.status_code == 403


def test_a_records_proof_is_shown_to_its_parties_once_a_checkpoint_covers_it(
    linked: list[Level],
) -> None:
    province, city = linked
    province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
    city.sync()
    city.grant("TAX", ENTRY, TITLE_FIELDS[:2], days=10)
    sample = next(q for q in sample_queries(2026) if q["consumer"] == "TAX")
    answer = city.query("TAX", ENTRY, {"purpose": TITLE_MATTER, "params": sample["params"]})
    request_id = answer.get_json()["request_id"]
    path = f"/api/v1/federation/proof/{request_id}"
    early = _get(city, path, city.token("TAX"))
    assert early.status_code == 404 and early.get_json()["code"] == "checkpoint_not_found"
    city.anchor()
    city.sync()
    proof = _get(city, path, city.token("TAX"))
    assert proof.status_code == 200, proof.get_data(as_text=True)
    assert proof.get_json()["inclusion"]["record"]["request_id"] == request_id
    assert _get(city, path, city.token("COURT")).status_code == 404
    assert _get(city, path + "?tree_size=0", city.token("TAX")).status_code == 422


def test_a_gateway_outside_any_hierarchy_says_so(seeded_settings: Any) -> None:
    from gateway import create_app

    app = create_app(seeded_settings)
    try:
        container = app.extensions["alliance"]
        client = container.clients.for_member("GAO")[0]
        scopes = (*scopes_for_roles(Role.OFFICE), "federation:sync")
        container.tokens.save("all-scopes", client.client_id, "GAO", " ".join(scopes), 600)
        answer = app.test_client().get(
            "/api/v1/federation/catalog", headers={"Authorization": "Bearer all-scopes"}
        )
        assert answer.status_code == 409
        assert answer.get_json()["code"] == "federation_not_configured"
        assert "federation" not in container.readiness.probes
    finally:
        app.extensions["alliance"].close()
