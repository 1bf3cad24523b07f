"""The records API over real HTTP, on the seeded alliance's chain (RecordStore)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests
from sqlalchemy import update
from sqlalchemy.orm import Session

from gateway.records.model import key_hash
from gateway.records.tables import RecordVersionRow
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]
KEY = "DJB-320102-000123-0001"
PROBLEM = "application/problem+json"


def _call(
    live: LiveGateway,
    method: str,
    path: str,
    token: str | None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return requests.request(
        method, live.url + "/api/v1/records" + path, json=body, headers=sent, timeout=30, **kwargs
    )


def _register(area: float, owner: str = "张三") -> dict[str, Any]:
    return {
        "content": {
            "不动产单元号": "320102001001GB00001F00010001",
            "权利人": owner,
            "坐落": "南京市玄武区中山路1号",
            "面积": area,
        },
        "type": "电子登记簿",
        "data_source": "不动产登记系统",
        "metadata": {"登记类型": "首次登记"},
    }


def _store_contract(live: LiveGateway) -> Any:
    return live.app.extensions["alliance"].chain.contract("RecordStore")


def test_a_record_updated_three_times_shows_four_verifiable_versions(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = live.token(member_credentials("NRD"))
    created = _call(live, "PUT", f"/{KEY}", nrd, _register(120.5))
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"v0"'
    assert created.json()["index"] == 0
    assert created.json()["organisation"] == "NRD"
    assert created.json()["uploader"].startswith("NRD/")
    etag = created.headers["ETag"]
    for number in range(1, 4):
        updated = _call(
            live, "PUT", f"/{KEY}", nrd, _register(120.5 + number), headers={"If-Match": etag}
        )
        assert updated.status_code == 200, updated.text
        assert updated.json()["index"] == number
        etag = updated.headers["ETag"]
    stale = _call(live, "PUT", f"/{KEY}", nrd, _register(99), headers={"If-Match": '"v1"'})
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == PROBLEM
    assert stale.json()["code"] == "record_version_mismatch"
    assert stale.json()["current_version"] == 3

    latest = _call(live, "GET", f"/{KEY}", nrd)
    assert latest.status_code == 200, latest.text
    body = latest.json()
    assert (body["index"], body["verified"], body["problem"]) == (3, True, None)
    assert body["content"]["面积"] == 123.5
    assert body["type"] == "register" and body["type_zh"] == "电子登记簿"
    assert body["chain"]["content_hash"] == body["content_hash"]

    history = _call(live, "GET", f"/{KEY}/history", nrd).json()
    assert [v["index"] for v in history] == [0, 1, 2, 3]
    assert [v["content"]["面积"] for v in history] == [120.5, 121.5, 122.5, 123.5]
    assert all(v["verified"] for v in history)
    assert len({v["tx_hash"] for v in history}) == 4
    blocks = [v["block_number"] for v in history]
    assert blocks == sorted(blocks)

    contract = _store_contract(live)
    hashed = bytes.fromhex(key_hash(KEY)[2:])
    assert contract.call("versionCount", hashed) == 4
    for version in history:
        on_chain = contract.call("getVersion", hashed, version["index"])
        assert "0x" + on_chain[0].hex() == version["content_hash"]
        assert on_chain[1:5] == (version["uploader"], "NRD", "不动产登记系统", "register")
        receipt = live.app.extensions["alliance"].chain.client.get_receipt(version["tx_hash"])
        assert receipt.block_number == version["block_number"]


def _tamper(live: LiveGateway, key: str, index: int, **values: Any) -> None:
    engine = live.app.extensions["alliance"].engine
    with Session(engine) as session, session.begin():
        session.execute(
            update(RecordVersionRow)
            .where(RecordVersionRow.key == key, RecordVersionRow.number == index)
            .values(**values)
        )


def test_content_changed_in_the_database_is_detected_on_read(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    ecert = live.token(member_credentials("ECERT"))
    key = "ZZ-3201-2026-000777"
    body = {
        "content": {"证照类型": "结婚证", "持证主体": "李四", "证照编号": "J320102-2026-000777"},
        "type": "certificate",
        "data_source": "省电子证照库",
    }
    assert _call(live, "PUT", f"/{key}", ecert, body).status_code == 201
    stored = live.app.extensions["alliance"].records.index.latest(key)
    sealed = bytearray(stored.sealed_content)
    sealed[-1] ^= 0x01
    _tamper(live, key, 0, sealed_content=bytes(sealed))
    read = _call(live, "GET", f"/{key}", ecert).json()
    assert (read["verified"], read["problem"], read["content"]) == (
        False,
        "content_unreadable",
        None,
    )
    assert "altered" in read["problem_detail"]

    _tamper(live, key, 0, sealed_content=stored.sealed_content, content_hash="0x" + "00" * 32)
    read = _call(live, "GET", f"/{key}", ecert).json()
    assert (read["verified"], read["problem"]) == (False, "stored_hash_mismatch")
    assert read["chain"]["content_hash"] == stored.version.content_hash

    _tamper(live, key, 0, content_hash=stored.version.content_hash)
    assert _call(live, "GET", f"/{key}", ecert).json()["verified"] is True


def test_delete_is_a_tombstone_and_keeps_the_history(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = live.token(member_credentials("NRD"))
    key = "DA-2026-档案-0042"
    path = "/" + quote(key)
    body = {"content": "不动产登记档案第42卷", "type": "电子档案", "data_source": "档案系统"}
    assert _call(live, "PUT", path, nrd, body).status_code == 201
    deleted = _call(live, "DELETE", path, nrd, params={"reason": "重复归档"})
    assert deleted.status_code == 200, deleted.text
    tombstone = deleted.json()
    assert (tombstone["index"], tombstone["deleted"]) == (1, True)

    gone = _call(live, "GET", path, nrd)
    assert gone.status_code == 410
    assert gone.headers["Content-Type"] == PROBLEM
    problem = gone.json()
    assert problem["code"] == "record_deleted"
    assert (problem["tx_hash"], problem["block_number"]) == (
        tombstone["tx_hash"],
        tombstone["block_number"],
    )
    assert (problem["reason"], problem["verified"]) == ("重复归档", True)
    assert _call(live, "DELETE", path, nrd).status_code == 410

    history = _call(live, "GET", path + "/history", nrd).json()
    assert [(v["index"], v["deleted"], v["verified"]) for v in history] == [
        (0, False, True),
        (1, True, True),
    ]
    assert history[0]["content"] == "不动产登记档案第42卷"
    hashed = bytes.fromhex(key_hash(key)[2:])
    assert _store_contract(live).call("latestVersion", hashed)[:1] == (1,)
    assert _store_contract(live).call("latestVersion", hashed)[2] is True

    again = _call(live, "PUT", path, nrd, body)
    assert again.status_code == 200 and again.json()["index"] == 2
    assert _call(live, "GET", path, nrd).json()["verified"] is True


def test_a_department_writes_and_reads_only_its_own_organisation(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    nrd = live.token(member_credentials("NRD"))
    tax = live.token(member_credentials("TAX"))
    office = live.token(member_credentials("GAO"))
    key = "DJB-ORG-1"
    foreign = _call(live, "PUT", f"/{key}", tax, {**_register(80), "organisation": "NRD"})
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "not_record_organisation"
    assert _call(live, "PUT", f"/{key}", nrd, _register(80)).status_code == 201
    takeover = _call(live, "PUT", f"/{key}", tax, _register(81))
    assert takeover.status_code == 403
    assert takeover.json()["code"] == "not_record_organisation"
    assert _call(live, "DELETE", f"/{key}", tax).status_code == 403
    assert _call(live, "GET", f"/{key}", tax).json()["code"] == "record_not_found"
    assert _call(live, "GET", f"/{key}/history", tax).status_code == 404

    by_office = _call(live, "PUT", "/DJB-ORG-2", office, {**_register(90), "organisation": "NRD"})
    assert by_office.status_code == 201, by_office.text
    assert by_office.json()["uploader"].startswith("GAO/")
    assert _call(live, "GET", "/DJB-ORG-2", nrd).json()["verified"] is True
    assert _call(live, "GET", f"/{key}", office).status_code == 200

    tax_own = {
        "content": {"完税凭证号": "320100260000123"},
        "type": "archive",
        "data_source": "金税",
    }
    assert _call(live, "PUT", "/WSZM-1", tax, tax_own).status_code == 201
    seen_by_tax = _call(live, "GET", "", tax).json()["items"]
    assert [i["key"] for i in seen_by_tax] == ["WSZM-1"]
    seen_by_office = _call(live, "GET", "", office, params={"key_prefix": "DJB-ORG"}).json()
    assert [i["key"] for i in seen_by_office["items"]] == ["DJB-ORG-1", "DJB-ORG-2"]


def test_search_pages_with_a_cursor(live: LiveGateway, member_credentials: Credentials) -> None:
    nrd = live.token(member_credentials("NRD"))
    for number in range(5):
        assert _call(live, "PUT", f"/DJB-S-{number}", nrd, _register(number)).status_code == 201
    certificate = {"content": "证照", "type": "电子证照", "data_source": "证照系统"}
    assert _call(live, "PUT", "/ZZ-S-1", nrd, certificate).status_code == 201
    keys: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"key_prefix": "DJB-S-", "limit": 2}
        if cursor:
            params["after"] = cursor
        page = _call(live, "GET", "", nrd, params=params)
        assert page.status_code == 200, page.text
        keys += [i["key"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert keys == [f"DJB-S-{n}" for n in range(5)]
    found = _call(live, "GET", "", nrd, params={"type": "电子证照"}).json()["items"]
    assert [(i["key"], i["type"], i["data_source"]) for i in found] == [
        ("ZZ-S-1", "certificate", "证照系统")
    ]
    window = {"from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"}
    assert _call(live, "GET", "", nrd, params=window).json()["items"] == []
    by_uploader = _call(live, "GET", "", nrd, params={"uploader": "NRD", "limit": 200}).json()
    assert len(by_uploader["items"]) == 6


def test_bad_input_is_problem_json(live: LiveGateway, member_credentials: Credentials) -> None:
    nrd = live.token(member_credentials("NRD"))
    reader = live.token(member_credentials("NRD"), scope="records:read")
    cases = [
        ("PUT", "/K-1", nrd, {"type": "register", "data_source": "s"}, 422, "validation_failed"),
        ("PUT", "/K-1", nrd, {**_register(1), "type": "合同"}, 422, "validation_failed"),
        ("PUT", "/K-1", nrd, {**_register(1), "content": None}, 422, "validation_failed"),
        ("PUT", "/K-1", nrd, {**_register(1), "organisation": "NOPE"}, 422, "invalid_record"),
        (
            "PUT",
            "/K-1",
            nrd,
            {**_register(1), "metadata": {"x": "y" * 5000}},
            422,
            "invalid_record",
        ),
        ("PUT", "/" + "k" * 129, nrd, _register(1), 422, "invalid_record"),
        ("PUT", "/K%201", nrd, _register(1), 422, "invalid_record"),
        ("PUT", "/K-1", nrd, {**_register(1), "content": 2**60}, 422, "invalid_record"),
        ("PUT", "/K-1", None, _register(1), 401, "missing_token"),
        ("PUT", "/K-1", reader, _register(1), 403, "insufficient_scope"),
        ("GET", "/K-404", nrd, None, 404, "record_not_found"),
        ("GET", "/K-404/history", nrd, None, 404, "record_not_found"),
        ("DELETE", "/K-404", nrd, None, 404, "record_not_found"),
        ("GET", "", nrd, None, 200, None),
    ]
    for method, path, token, body, status, code in cases:
        answer = _call(live, method, path, token, body)
        assert answer.status_code == status, (method, path, answer.text)
        if code:
            assert answer.headers["Content-Type"] == PROBLEM
            assert answer.json()["code"] == code, answer.text
    bad_query = _call(live, "GET", "", nrd, params={"limit": 0, "from": "yesterday"})
    assert bad_query.status_code == 422
    assert set(bad_query.json()["errors"]["query"]) == {"limit", "from"}
    malformed = requests.put(
        live.url + "/api/v1/records/K-1",
        data="{not json",
        headers={"Authorization": f"Bearer {nrd}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    created_only = _call(live, "PUT", "/K-2", nrd, _register(1), headers={"If-None-Match": "*"})
    assert created_only.status_code == 201
    again = _call(live, "PUT", "/K-2", nrd, _register(2), headers={"If-None-Match": "*"})
    assert (again.status_code, again.json()["code"]) == (412, "record_version_mismatch")
    body = {**_register(2), "expected_version": 7}
    assert _call(live, "PUT", "/K-2", nrd, body).status_code == 412
