"""The record service over the SQL store (SQLite and PostgreSQL) and an in-memory chain."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from gateway.bootstrap import build_container
from gateway.records.errors import (
    InvalidRecord,
    NotRecordOrganisation,
    RecordDeleted,
    RecordNotFound,
    RecordVersionMismatch,
)
from gateway.records.model import RecordActor, RecordQuery, key_hash, record_digest
from gateway.records.service import Preconditions, RecordService
from gateway.records.store import SqlRecordIndex
from gateway.records.tables import RecordVersionRow
from gateway.records.vault import ContentVault
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade

from .fakes import ActiveMembers, FakeRecordLedger

KEY = "DJB-320102-000123"
NRD = RecordActor(member="NRD", sees_all=False, label="NRD/nrd-client")
TAX = RecordActor(member="TAX", sees_all=False, label="TAX/tax-client")
OFFICE = RecordActor(member="GAO", sees_all=True, label="GAO/gao-client")
STORAGE_KEY = os.urandom(16)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("chain", marks=pytest.mark.slow),
    ]
)
def service(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings]
) -> Iterator[RecordService]:
    """The SQL store with the in-memory ledger (SQLite, PostgreSQL), and the gateway's own
    service on the seeded alliance's devnode chain (``RecordStore``)."""
    if request.param == "chain":
        container = build_container(request.getfixturevalue("seeded_settings"))
        yield container.records
        container.close()
        return
    if request.param == "postgres":
        settings = make_settings(database_url=request.getfixturevalue("postgres_url"))
    else:
        settings = make_settings()
        settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    yield RecordService(
        index=SqlRecordIndex(engine),
        ledger=FakeRecordLedger(),
        vault=ContentVault(lambda: STORAGE_KEY),
        organisations=ActiveMembers("GAO", "NRD", "TAX", "ECERT"),
    )
    engine.dispose()


def _put(service: RecordService, content: object, key: str = KEY, **changes: object) -> object:
    fields: dict[str, object] = {
        "content": content,
        "record_type": "电子登记簿",
        "data_source": "不动产登记系统",
        "organisation": "NRD",
        "uploader": NRD.label,
        "metadata": {"区县": "玄武区"},
        "actor": NRD,
    }
    fields.update(changes)
    return service.put(key, **fields)  # type: ignore[arg-type]


def test_versions_verify_and_keep_their_content(service: RecordService) -> None:
    contents = [{"坐落": "玄武区中山路1号", "面积": 120 + n} for n in range(4)]
    for content in contents:
        _put(service, content)
    latest = service.get(KEY, actor=NRD)
    assert (latest.index, latest.content, latest.verified, latest.problem) == (
        3,
        contents[3],
        True,
        None,
    )
    assert latest.record_type == "register" and latest.record_type_zh == "电子登记簿"
    assert latest.content_hash == record_digest(contents[3], {"区县": "玄武区"})
    history = service.history(KEY)
    assert [v.content for v in history] == contents
    assert all(v.verified for v in history)
    assert len({v.tx_hash for v in history}) == 4


def test_text_content_and_preconditions(service: RecordService) -> None:
    first = _put(service, "电子档案正文", record_type="archive")
    assert service.get(KEY).content == "电子档案正文"
    with pytest.raises(RecordVersionMismatch):
        _put(service, "again", preconditions=Preconditions(must_not_exist=True))
    with pytest.raises(RecordVersionMismatch):
        _put(service, "stale", preconditions=Preconditions(indices=(5,)))
    second = _put(service, "next", preconditions=Preconditions(indices=(0,)))
    assert (first.index, second.index) == (0, 1)  # type: ignore[attr-defined]


def test_a_tombstone_keeps_the_history(service: RecordService) -> None:
    _put(service, {"n": 1})
    tombstone = service.delete(KEY, NRD.label, "登记错误，注销", actor=NRD)
    assert tombstone.tombstone and tombstone.index == 1
    record = service.get(KEY)
    assert record.deleted and record.verified
    assert record.metadata == {"reason": "登记错误，注销"}
    with pytest.raises(RecordDeleted) as deleted:
        service.delete(KEY, NRD.label)
    assert deleted.value.extra["tx_hash"] == tombstone.tx_hash
    assert [v.deleted for v in service.history(KEY)] == [False, True]
    assert _put(service, {"n": 2}).index == 2  # type: ignore[attr-defined]
    with pytest.raises(RecordNotFound):
        service.delete("DJB-unknown", NRD.label)


def test_organisations_are_enforced(service: RecordService) -> None:
    with pytest.raises(NotRecordOrganisation):
        _put(service, {"n": 1}, actor=TAX)
    _put(service, {"n": 1})
    with pytest.raises(NotRecordOrganisation):
        _put(service, {"n": 2}, organisation="TAX", uploader=TAX.label, actor=TAX)
    with pytest.raises(NotRecordOrganisation):
        service.delete(KEY, TAX.label, actor=TAX)
    with pytest.raises(RecordNotFound):
        service.get(KEY, actor=TAX)
    with pytest.raises(RecordNotFound):
        service.history(KEY, actor=TAX)
    assert service.get(KEY, actor=OFFICE).verified
    assert _put(service, {"n": 2}, actor=OFFICE, uploader=OFFICE.label).index == 1  # type: ignore[attr-defined]
    with pytest.raises(InvalidRecord):
        _put(service, {"n": 3}, organisation="NOSUCH", actor=OFFICE)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": None}, "content"),
        ({"record_type": "合同"}, "type"),
        ({"data_source": " "}, "data_source"),
        ({"organisation": "nrd"}, "organisation"),
        ({"metadata": {f"k{n}": n for n in range(17)}}, "metadata"),
        ({"metadata": {"big": "x" * 5000}}, "metadata"),
        ({"content": {"n": 2**60}}, None),
        ({"key": "has space"}, "key"),
        ({"key": "a/b"}, "key"),
        ({"key": "k" * 129}, "key"),
    ],
)
def test_invalid_versions_are_refused(
    service: RecordService, change: dict[str, object], field: str | None
) -> None:
    change = dict(change)
    key = str(change.pop("key", KEY))
    with pytest.raises(InvalidRecord) as refused:
        _put(service, change.pop("content", {"n": 1}), key=key, **change)
    assert refused.value.extra.get("field") == field


def _tamper(service: RecordService, index: int, **values: object) -> None:
    engine = service.index.engine  # type: ignore[attr-defined]
    with Session(engine) as session, session.begin():
        session.execute(
            update(RecordVersionRow)
            .where(RecordVersionRow.key == KEY, RecordVersionRow.number == index)
            .values(**values)
        )


def test_changes_in_the_database_are_detected(service: RecordService) -> None:
    _put(service, {"权利人": "张三"})
    _put(service, {"权利人": "李四"})
    original = service.index.latest(KEY)
    assert original is not None
    sealed = bytearray(original.sealed_content)
    sealed[20] ^= 1
    _tamper(service, 1, sealed_content=bytes(sealed))
    record = service.get(KEY)
    assert (record.verified, record.problem, record.content) == (False, "content_unreadable", None)

    forged = service.vault.seal(key_hash(KEY), 1, {"权利人": "王五"})
    _tamper(service, 1, sealed_content=forged)
    record = service.get(KEY)
    assert (record.verified, record.problem, record.content) == (
        False,
        "content_mismatch",
        {"权利人": "王五"},
    )

    moved = service.index.versions(KEY)[0].sealed_content
    _tamper(service, 1, sealed_content=moved)
    assert service.get(KEY).problem == "content_unreadable"

    _tamper(service, 1, sealed_content=original.sealed_content, content_hash="0x" + "11" * 32)
    record = service.get(KEY)
    assert (record.verified, record.problem) == (False, "stored_hash_mismatch")
    assert record.content == {"权利人": "李四"}

    _tamper(service, 1, content_hash=original.version.content_hash, uploader="NRD/someone")
    record = service.get(KEY)
    assert (record.problem, record.problem_detail) == (
        "chain_fields_mismatch",
        "differs from the chain: uploader",
    )

    _tamper(service, 1, uploader=original.version.uploader, metadata_json='{"区县": "鼓楼区"}')
    assert service.get(KEY).problem == "content_mismatch"
    _tamper(service, 1, metadata_json='{"区县": "玄武区"}')
    assert service.get(KEY).verified
    assert [v.verified for v in service.history(KEY)] == [True, True]


def test_the_store_behind_the_chain_is_reported(service: RecordService) -> None:
    _put(service, {"n": 1})
    ledger = service.ledger
    ledger.put_version(key_hash(KEY), "0x" + "22" * 32, "x", "NRD", "s", "register", False)
    record = service.get(KEY)
    assert (record.verified, record.problem) == (False, "chain_ahead")
    history = service.history(KEY)
    assert [(v.index, v.problem) for v in history] == [(0, None), (1, "missing_from_store")]


def test_search_filters_and_pages(service: RecordService) -> None:
    for number in range(5):
        _put(service, {"n": number}, key=f"DJB-{number}")
    _put(service, {"n": 9}, key="ZZ-1", record_type="certificate", data_source="电子证照库")
    _put(
        service,
        "tax",
        key="WSZM-1",
        organisation="TAX",
        uploader=TAX.label,
        actor=TAX,
        record_type="archive",
    )
    service.delete("DJB-4", NRD.label)

    def keys(**criteria: object) -> list[str]:
        query = RecordQuery(**criteria)  # type: ignore[arg-type]
        return [v.key for v in service.search(query)]

    assert keys(key_prefix="DJB-") == [f"DJB-{n}" for n in range(5)]
    assert keys(key_prefix="DJB-", include_deleted=False) == [f"DJB-{n}" for n in range(4)]
    assert keys(key_prefix="DJB-", after="DJB-1", limit=2) == ["DJB-2", "DJB-3"]
    assert keys(record_type="certificate") == ["ZZ-1"]
    assert keys(data_source="电子证照库") == ["ZZ-1"]
    assert keys(organisation="TAX") == ["WSZM-1"]
    assert keys(uploader="TAX") == ["WSZM-1"]
    assert keys(uploader="TAX/tax-client") == ["WSZM-1"]
    assert keys(key_prefix="%") == []
    now = datetime.now(UTC)
    assert len(keys(start=now - timedelta(minutes=5), end=now + timedelta(minutes=5))) == 7
    assert keys(end=now - timedelta(minutes=5)) == []
    assert [v.key for v in service.search(RecordQuery(), actor=TAX)] == ["WSZM-1"]
    assert service.search(RecordQuery(organisation="NRD"), actor=TAX) == []
    deleted = service.search(RecordQuery(key_prefix="DJB-4"))[0]
    assert deleted.tombstone and deleted.index == 1


def test_concurrent_writers_each_get_their_own_version(service: RecordService) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        written = list(pool.map(lambda n: _put(service, {"n": n}).index, range(6)))  # type: ignore[attr-defined]
    assert sorted(written) == list(range(6))
    history = service.history(KEY)
    assert [v.index for v in history] == list(range(6))
    assert all(v.verified for v in history)
    latest = service.get(KEY)
    assert (latest.index, latest.verified) == (5, True)
    assert service.search(RecordQuery(key_prefix=KEY))[0].index == 5
