"""The seeded catalogue through the HTTP API, checked against DataCatalog on chain."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import requests

from gateway.catalog.seed import entry_from_mapping
from gateway.catalog.service import ZERO_HASH, version_hash
from gateway.onchain.bound import text_to_bytes32
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]


def _entry_body(entry: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "provider",
        "name",
        "name_en",
        "description",
        "sharing_class",
        "update_frequency",
        "service",
        "parameters",
        "fields",
    )
    return {key: copy.deepcopy(entry[key]) for key in keep}


def test_seeded_catalogue_is_browsable_and_matches_the_chain(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("TAX"))
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"after": cursor} if cursor else {})}
        page = live.get("/api/v1/catalog/entries", token, params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(items) == 13
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    catalog = live.app.extensions["alliance"].chain.contract("DataCatalog")
    for item in items:
        provider, sharing, status, count, latest, _ = catalog.call(
            "getEntry", text_to_bytes32(item["id"])
        )
        assert provider.rstrip(b"\0").decode() == item["provider"]
        assert ["unconditional", "conditional", "not_shared"][sharing] == item["sharing_class"]
        assert status == 1
        assert count == 1
        assert "0x" + latest.hex() == item["version_hash"]
        spec = entry_from_mapping(_entry_body(item))
        assert version_hash(spec, 0, ZERO_HASH) == item["version_hash"]


def test_search_finds_chinese_and_english(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("CIV"))
    found = live.get("/api/v1/catalog/entries", token, params={"q": "不动产"}).json()["items"]
    ids = [item["id"] for item in found]
    assert "NRD-TITLE" in ids
    assert all(
        "不动产" in item["name"] + item["description"] + str(item["fields"]) for item in found
    )
    assert [
        i["id"]
        for i in live.get("/api/v1/catalog/entries", token, params={"q": "marriage"}).json()[
            "items"
        ]
    ] == ["CIV-MARRIAGE"]
    assert (
        live.get("/api/v1/catalog/entries", token, params={"q": "不存在的数据"}).json()["items"]
        == []
    )
    unconditional = live.get(
        "/api/v1/catalog/entries", token, params={"sharing_class": "unconditional"}
    ).json()["items"]
    assert {i["id"] for i in unconditional} == {"SAMR-BUSINESS", "GAO-MATTERS"}
    by_provider = live.get("/api/v1/catalog/entries", token, params={"provider": "PSB"}).json()[
        "items"
    ]
    assert {i["id"] for i in by_provider} == {"PSB-IDENTITY", "PSB-RECORD"}


def test_etags_give_304_and_guard_revisions(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = live.token(member_credentials("NRD"))
    first = live.get("/api/v1/catalog/entries/NRD-TITLE", nrd)
    etag = first.headers["ETag"]
    assert etag == f'"{first.json()["version_hash"]}"'
    cached = requests.get(
        live.url + "/api/v1/catalog/entries/NRD-TITLE",
        headers={"Authorization": f"Bearer {nrd}", "If-None-Match": etag},
        timeout=10,
    )
    assert cached.status_code == 304

    body = _entry_body(first.json())
    body["description"] += "（新增抵押权人信息）"
    revised = requests.put(
        live.url + "/api/v1/catalog/entries/NRD-TITLE",
        json=body,
        headers={"Authorization": f"Bearer {nrd}", "If-Match": etag},
        timeout=30,
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 1
    assert revised.json()["previous_hash"] == first.json()["version_hash"]

    stale = requests.put(
        live.url + "/api/v1/catalog/entries/NRD-TITLE",
        json=body,
        headers={"Authorization": f"Bearer {nrd}", "If-Match": etag},
        timeout=30,
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_entry_version"
    versions = live.get("/api/v1/catalog/entries/NRD-TITLE/versions", nrd).json()
    assert [v["number"] for v in versions] == [0, 1]
    assert versions[1]["previous_hash"] == versions[0]["version_hash"]
    catalog = live.app.extensions["alliance"].chain.contract("DataCatalog")
    on_chain = catalog.call("getVersion", text_to_bytes32("NRD-TITLE"), 1)
    assert "0x" + on_chain[0].hex() == versions[1]["version_hash"]
    assert "0x" + on_chain[1].hex() == versions[0]["version_hash"]
    listing = live.get("/api/v1/catalog/entries", nrd)
    again = requests.get(
        live.url + "/api/v1/catalog/entries",
        headers={"Authorization": f"Bearer {nrd}", "If-None-Match": listing.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304


def test_refusals(live: LiveGateway, member_credentials: Credentials) -> None:
    tax = live.token(member_credentials("TAX"))
    nrd_entry = live.get("/api/v1/catalog/entries/NRD-TITLE", tax).json()
    body = _entry_body(nrd_entry)
    other = requests.put(
        live.url + "/api/v1/catalog/entries/NRD-TITLE",
        json=body,
        headers={"Authorization": f"Bearer {tax}"},
        timeout=30,
    )
    assert other.status_code == 403
    assert other.json()["code"] == "not_entry_owner"

    bad = dict(body, id="TAX-NEW", provider="TAX")
    bad["fields"] = [{"name": "Amount", "type": "money"}]
    invalid = live.post("/api/v1/catalog/entries", tax, bad)
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid_catalog_entry"
    assert any("fields/0/type" in p for p in invalid.json()["problems"])

    missing = live.get("/api/v1/catalog/entries/NO-SUCH", tax)
    assert missing.status_code == 404
    assert missing.json()["code"] == "catalog_entry_not_found"

    foreign = dict(body, id="NRD-FAKE")
    assert live.post("/api/v1/catalog/entries", tax, foreign).json()["code"] == "not_entry_owner"


def test_exports(live: LiveGateway, member_credentials: Credentials) -> None:
    token = live.token(member_credentials("HUD"))
    plain = live.get("/api/v1/catalog/export", token).json()
    assert len(plain["entries"]) == 13
    dcat = live.get("/api/v1/catalog/export", token, params={"format": "dcat"})
    assert dcat.headers["Content-Type"].startswith("application/ld+json")
    document = dcat.json()
    assert document["@type"] == "dcat:Catalog"
    titles = {d["dct:identifier"]: d["dct:title"][0]["@value"] for d in document["dcat:dataset"]}
    assert titles["NRD-TITLE"] == "不动产登记信息查询"
