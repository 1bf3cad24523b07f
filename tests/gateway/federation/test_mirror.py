"""The catalogue down: what a child mirrors, refuses and keeps, and that it never forks."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.catalog.actors import OFFICE_CLI
from gateway.catalog.errors import EntryMirrored
from gateway.catalog.model import EntryStatus
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.federation.documents import sign_document
from gateway.federation.errors import FederationSignatureInvalid, MalformedFederationDocument
from tests.federation_support import Level, hierarchy


@pytest.fixture
def linked(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[list[Level]]:
    with hierarchy(level_templates, tmp_path, depth=2) as levels:
        yield levels


def _snapshot(province: Level) -> dict[str, Any]:
    return dict(province.federation.snapshots.snapshot("R320100"))


def _apply(city: Level, document: dict[str, Any]) -> Any:
    return city.federation.sync.mirror.apply(document, city.federation.link_file.read())


def test_the_parents_shared_entries_are_mirrored_under_its_code(linked: list[Level]) -> None:
    province, city = linked
    report = city.sync()
    assert report.errors == []
    shared = [
        e.id
        for e in province.container.catalog.index.all_entries()
        if e.spec.sharing_class.value != "not_shared"
    ]
    assert sorted(report.pull["published"]) == sorted(f"R320000:{i}" for i in shared)
    mirrored = city.container.catalog.get("R320000:NRD-TITLE")
    local = city.container.catalog.get("NRD-TITLE")
    assert mirrored.spec.provider == "R320000" and local.spec.provider == "NRD"
    assert mirrored.spec.service.connector == "upstream"
    assert mirrored.spec.service.path == "/api/v1/query/NRD-TITLE"
    assert mirrored.spec.fields == province.container.catalog.get("NRD-TITLE").spec.fields
    on_chain = city.container.catalog.ledger.read("R320000:NRD-TITLE")
    assert on_chain is not None and on_chain.latest_hash == mirrored.version_hash
    assert city.sync().pull["published"] == []


def test_retired_and_withdrawn_entries_are_retired_below(linked: list[Level]) -> None:
    province, city = linked
    city.sync()
    province.container.catalog.retire("TAX-DEED", "停止共享", OFFICE_CLI)
    entry = province.container.catalog.get("CIV-MARRIAGE")
    document = {**entry.spec.document(), "sharing_class": "not_shared"}
    province.container.catalog.revise("CIV-MARRIAGE", document, OFFICE_CLI)
    pulled = city.sync().pull
    assert sorted(pulled["retired"]) == ["R320000:CIV-MARRIAGE", "R320000:TAX-DEED"]
    for entry_id in pulled["retired"]:
        assert city.container.catalog.get(entry_id).status is EntryStatus.RETIRED
    assert city.sync().pull["retired"] == []


def test_an_entry_whose_version_does_not_match_its_definition_is_not_mirrored(
    linked: list[Level],
) -> None:
    province, city = linked
    body = {k: v for k, v in _snapshot(province).items() if k != "signature"}
    body = copy.deepcopy(body)
    item = next(e for e in body["entries"] if e["entry_id"] == "HUD-CONTRACT")
    item["document"]["name"] = "篡改的名称"
    report = _apply(city, sign_document(body, province.container.gateway_key()))
    assert {"entry_id": "R320000:HUD-CONTRACT", "reason": "version_hash_mismatch"} in (
        report.skipped
    )
    assert city.container.catalog.index.get("R320000:HUD-CONTRACT") is None


def test_a_snapshot_not_signed_by_the_parent_or_not_for_this_child_is_refused(
    linked: list[Level],
) -> None:
    province, city = linked
    body = {k: v for k, v in _snapshot(province).items() if k != "signature"}
    with pytest.raises(FederationSignatureInvalid):
        _apply(city, sign_document(body, Sm2PrivateKey.generate()))
    for_another = sign_document({**body, "child": "R320200"}, province.container.gateway_key())
    with pytest.raises(MalformedFederationDocument):
        _apply(city, for_another)
    assert city.container.catalog.index.get("R320000:NRD-TITLE") is None


def test_only_the_sync_writes_the_parents_entries(linked: list[Level]) -> None:
    _province, city = linked
    city.sync()
    catalog = city.container.catalog
    mirrored = catalog.get("R320000:NRD-TITLE")
    with pytest.raises(EntryMirrored):
        catalog.revise("R320000:NRD-TITLE", mirrored.spec.document(), OFFICE_CLI)
    with pytest.raises(EntryMirrored):
        catalog.retire("R320000:NRD-TITLE", "本级不得退役", OFFICE_CLI)
    own = {**catalog.get("NRD-TITLE").spec.document(), "id": "R320000:FAKE"}
    with pytest.raises(EntryMirrored):
        catalog.publish(own, OFFICE_CLI)
    upstream = {**catalog.get("NRD-TITLE").spec.document(), "id": "NRD-FAKE"}
    upstream["service"] = {"connector": "upstream", "path": "/api/v1/query/NRD-TITLE"}
    with pytest.raises(EntryMirrored):
        catalog.publish(upstream, OFFICE_CLI)
