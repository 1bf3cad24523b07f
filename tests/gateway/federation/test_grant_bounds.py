"""A child cannot widen the grants set above it: refused when granted, bounded when queried."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.catalog.actors import OFFICE_CLI
from gateway.catalog.ports import GrantQuery
from gateway.catalog.tables import GrantRow
from gateway.evidence.tables import AccessRecordRow
from gateway.federation.errors import GrantWiderThanParent
from gateway.federation.tables import UpstreamGrantRow
from gateway.providers.samples import sample_queries
from tests.federation_support import TITLE_FIELDS, TITLE_MATTER, Level, hierarchy

ENTRY = "R320000:NRD-TITLE"
ABOVE = TITLE_FIELDS[:3]  # certificate_number, location, area


@pytest.fixture
def two_levels(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[list[Level]]:
    with hierarchy(level_templates, tmp_path, depth=2) as levels:
        province, city = levels
        province.grant("R320100", "NRD-TITLE", ABOVE, days=30)
        city.sync()
        yield levels


def _body() -> dict[str, object]:
    sample = next(
        q for q in sample_queries(2026) if q["entry_id"] == "NRD-TITLE" and q["consumer"] == "TAX"
    )
    return {"purpose": TITLE_MATTER, "params": sample["params"]}


def _apply(city: Level, fields: list[str], days: int, matter: str = TITLE_MATTER) -> object:
    return city.container.grants.apply(
        ENTRY, "TAX", matter, "契税", fields, datetime.now(UTC) + timedelta(days=days), OFFICE_CLI
    )


def test_a_grant_beyond_the_parents_fields_expiry_or_matter_is_refused(
    two_levels: list[Level],
) -> None:
    province, city = two_levels
    with pytest.raises(GrantWiderThanParent) as beyond_fields:
        _apply(city, [*ABOVE, "mortgage_status"], days=10)
    assert beyond_fields.value.extra["fields_beyond_parent"] == ["mortgage_status"]
    assert beyond_fields.value.extra["parent_allowed_fields"] == ABOVE
    with pytest.raises(GrantWiderThanParent) as beyond_expiry:
        _apply(city, ABOVE, days=40)
    assert beyond_expiry.value.extra["parent_expires_at"] is not None
    with pytest.raises(GrantWiderThanParent) as other_matter:
        _apply(city, ABOVE, days=10, matter="000199003000")
    assert other_matter.value.extra["matter_code"] == "000199003000"
    granted = _apply(city, ABOVE[:2], days=10)
    assert granted.status.value == "applied"
    # The parent narrows its grant before the application is approved here.
    [above] = province.container.grants.index.find(GrantQuery(consumer="R320100"))
    province.container.grants.revoke(above.id, "收窄授权", OFFICE_CLI)
    province.grant("R320100", "NRD-TITLE", ABOVE[:1], days=30)
    city.sync()
    with pytest.raises(GrantWiderThanParent) as narrowed:
        city.container.grants.approve(granted.id, None, None, OFFICE_CLI)
    assert narrowed.value.extra["fields_beyond_parent"] == ["location"]
    assert city.container.grants.approve(granted.id, ABOVE[:1], None, OFFICE_CLI).allowed_fields


def test_the_api_refuses_a_wider_grant_with_a_problem(two_levels: list[Level]) -> None:
    _province, city = two_levels
    answer = city.app.test_client().post(
        "/api/v1/grants",
        json={
            "entry_id": ENTRY,
            "matter_code": TITLE_MATTER,
            "purpose": "契税",
            "fields": [*ABOVE, "owner_name"],
            "expires_at": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
        },
        headers={"Authorization": f"Bearer {city.token('TAX')}"},
    )
    assert answer.status_code == 403, answer.get_data(as_text=True)
    problem = answer.get_json()
    assert problem["code"] == "grant_wider_than_parent"
    assert problem["fields_beyond_parent"] == ["owner_name"]


def test_a_grant_the_parent_revoked_stops_queries_without_asking_the_parent(
    two_levels: list[Level],
) -> None:
    province, city = two_levels
    city.grant("TAX", ENTRY, ABOVE, days=10)
    assert city.query("TAX", ENTRY, _body()).status_code == 200
    [above] = province.container.grants.index.find(GrantQuery(consumer="R320100"))
    province.container.grants.revoke(above.id, "城市网关权限收回", OFFICE_CLI)
    city.sync()
    logged_above = _records(province)
    refused = city.query("TAX", ENTRY, _body())
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "parent_grant_missing"
    assert "upstream" not in refused.get_json()
    assert _records(province) == logged_above


def _records(level: Level) -> int:
    with Session(level.container.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AccessRecordRow)) or 0)


def test_a_widened_grant_in_the_childs_database_shows_no_more_than_the_parent_allows(
    two_levels: list[Level],
) -> None:
    province, city = two_levels
    grant = city.grant("TAX", ENTRY, ABOVE, days=10)
    widened = [*ABOVE, "mortgage_status"]
    with Session(city.container.engine) as session, session.begin():
        session.execute(
            update(GrantRow).where(GrantRow.id == grant.id).values(allowed_fields=",".join(widened))
        )
    asked = city.query("TAX", ENTRY, {**_body(), "fields": ["mortgage_status"]})
    assert asked.status_code == 403
    assert asked.get_json()["code"] == "field_not_granted"
    # The child's copy of the parent's grant altered too: the parent, brokering under its own
    # grant, refuses, and its receipted refusal comes back with the child's.
    with Session(city.container.engine) as session, session.begin():
        session.execute(update(UpstreamGrantRow).values(allowed_fields=json.dumps(widened)))
    forwarded = city.query("TAX", ENTRY, {**_body(), "fields": ["mortgage_status"]})
    problem = forwarded.get_json()
    assert forwarded.status_code == 403, problem
    assert problem["code"] == "upstream_denied"
    assert problem["upstream_code"] == "field_not_granted"
    [hop] = problem["upstream"]
    assert hop["node"] == "R320000" and hop["receipt"]["decision"] == "denied"
    record = province.container.evidence.record(hop["request_id"])
    assert (record.consumer, record.decision, record.reason) == (
        "R320100",
        "denied",
        "field_not_granted",
    )
