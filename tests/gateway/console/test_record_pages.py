"""上链记录查询 in the console: search, 详情 verified against the chain, 历史变化 with a
field-level diff, a department limited to its own organisation, hostile text escaped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from gateway.records.tables import RecordVersionRow

from .conftest import Console


def _put(console: Console, key: str, organisation: str = "NRD", **changes: Any) -> Any:
    content = {
        "不动产单元号": "320102003001GB00001F00010001",
        "权利人": "张三",
        "面积": 89.5,
        "用途": "住宅",
    }
    content.update(changes.pop("content", {}))
    return console.app.extensions["alliance"].records.put(
        key,
        content=content,
        record_type=changes.pop("record_type", "register"),
        data_source=changes.pop("data_source", "不动产登记系统"),
        organisation=organisation,
        uploader=changes.pop("uploader", f"{organisation}/registrar"),
        metadata=changes.pop("metadata", {"批次": "2026-11"}),
    )


def test_search_detail_and_history_show_every_version_and_what_changed(console: Console) -> None:
    _put(console, "REG-0001")
    _put(console, "REG-0001", content={"权利人": "李四"})
    _put(console, "REG-0001", content={"面积": 90.1, "抵押": "有"}, metadata={})
    _put(console, "CERT-0001", organisation="ECERT", record_type="certificate")
    admin = console.login("admin1")

    page = admin.get("/console/records?key=REG")
    assert page.status_code == 200
    assert 'data-record="REG-0001"' in page.text
    assert 'data-record="CERT-0001"' not in page.text
    assert "v2" in page.text
    by_type = admin.get("/console/records?type=certificate").text
    assert 'data-record="CERT-0001"' in by_type and 'data-record="REG-0001"' not in by_type
    by_org = admin.get("/console/records?organisation=ECERT").text
    assert 'data-record="CERT-0001"' in by_org and 'data-record="REG-0001"' not in by_org

    detail = admin.get("/console/records/REG-0001")
    assert detail.status_code == 200
    latest = console.app.extensions["alliance"].records.get("REG-0001")
    assert latest.verified
    assert latest.content_hash in detail.text and str(latest.tx_hash) in detail.text
    assert "核验通过" in detail.text

    history = admin.get("/console/records/REG-0001/history")
    assert history.status_code == 200
    assert history.text.count('class="version"') == 3
    second = history.text.split('data-testid="changes-v1"')[1].split("</table>")[0]
    assert "content.权利人" in second and "张三" in second and "李四" in second
    assert "content.面积" not in second
    third = history.text.split('data-testid="changes-v2"')[1].split("</table>")[0]
    assert "content.抵押" in third and "新增" in third
    assert "metadata.批次" in third and "删除" in third
    assert "content.面积" in third and "89.5" in third and "90.1" in third


def test_a_record_altered_in_the_database_shows_as_not_verified(console: Console) -> None:
    _put(console, "REG-0002")
    engine = console.app.extensions["alliance"].engine
    with engine.begin() as connection:
        connection.execute(
            update(RecordVersionRow)
            .where(RecordVersionRow.key == "REG-0002")
            .values(content_hash="0x" + "ab" * 32)
        )
    admin = console.login("admin1")
    detail = admin.get("/console/records/REG-0002")
    assert detail.status_code == 200
    assert "核验失败" in detail.text
    assert 'data-testid="problem"' in detail.text


def test_a_department_sees_only_its_organisations_records(console: Console) -> None:
    _put(console, "TAX-0001", organisation="TAX", record_type="archive")
    _put(console, "REG-0003")
    tax = console.login("tax1")
    listing = tax.get("/console/records").text
    assert 'data-record="TAX-0001"' in listing
    assert 'data-record="REG-0003"' not in listing
    assert 'data-record="REG-0003"' not in tax.get("/console/records?organisation=NRD").text
    assert tax.get("/console/records/REG-0003").status_code == 404
    assert tax.get("/console/records/REG-0003/history").status_code == 404
    assert tax.get("/console/records/TAX-0001/history").status_code == 200


def test_operators_may_not_search_records(console: Console) -> None:
    operator = console.login("operator1")
    assert operator.get("/console/records").status_code == 403


def test_hostile_record_text_is_escaped(console: Console) -> None:
    payload = '<script>alert("x")</script>'
    _put(
        console,
        "REG-XSS",
        content={"权利人": payload},
        metadata={"note": payload, "<img src=x onerror=alert(1)>": "k"},
        data_source=payload[:40],
    )
    admin = console.login("admin1")
    for path in (
        "/console/records",
        "/console/records/REG-XSS",
        "/console/records/REG-XSS/history",
    ):
        page = admin.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;" in admin.get("/console/records/REG-XSS").text


def test_a_deleted_record_shows_its_tombstone_and_keeps_its_history(console: Console) -> None:
    _put(console, "REG-0004")
    console.app.extensions["alliance"].records.delete("REG-0004", "GAO/office", "登记错误")
    admin = console.login("admin1")
    listing = admin.get("/console/records?key=REG-0004").text
    assert "已删除" in listing.split('data-record="REG-0004"')[1].split("</tr>")[0]
    detail = admin.get("/console/records/REG-0004").text
    assert "删除标记" in detail and "登记错误" in detail
    history = admin.get("/console/records/REG-0004/history").text
    assert history.count('class="version"') == 2
    removed = history.split('data-testid="changes-v1"')[1].split("</table>")[0]
    assert "content.权利人" in removed and "删除" in removed
