"""RecordStore: the console's on-chain records (上链记录) and their history of changes."""

from __future__ import annotations

import pytest

from .contract_helpers import ZERO32, b32, digest, only_event

KEY = b32("DJB-320102-000123")  # an electronic register (电子登记簿) page


@pytest.fixture
def writer(chain, records, office):
    account = chain.new_account()
    chain.transact(records, "authoriseWriter", account.hex, sender=office)
    return account


def put(chain, records, writer, content, tombstone=False, key=KEY):
    content_hash = digest(content) if content else ZERO32
    return chain.transact(
        records,
        "putVersion",
        key,
        content_hash,
        "登记员A017",
        "省自然资源厅",
        "不动产登记系统",
        "电子登记簿",
        tombstone,
        sender=writer,
    )


def test_versions_accumulate_as_history(chain, records, writer):
    for number in range(3):
        events = put(chain, records, writer, f"content-{number}")
        assert only_event(events, "RecordVersionPut") == {
            "key": KEY,
            "version": number,
            "contentHash": digest(f"content-{number}"),
            "recordType": "电子登记簿",
            "tombstone": False,
            "writer": writer.hex,
        }
    assert chain.call(records, "versionCount", KEY) == 3
    content_hash, uploader, organisation, source, kind, tombstone, _at, by = chain.call(
        records, "getVersion", KEY, 1
    )
    assert (content_hash, uploader, organisation, source, kind, tombstone, by) == (
        digest("content-1"),
        "登记员A017",
        "省自然资源厅",
        "不动产登记系统",
        "电子登记簿",
        False,
        writer.hex,
    )
    index, latest, deleted, _at = chain.call(records, "latestVersion", KEY)
    assert (index, latest, deleted) == (2, digest("content-2"), False)
    assert chain.call(records, "keyCount") == 1
    assert chain.call(records, "keyAt", 0) == KEY


def test_a_tombstone_deletes_without_erasing_history(chain, reject, records, writer):
    put(chain, records, writer, "content-0")
    events = put(chain, records, writer, None, tombstone=True)
    assert only_event(events, "RecordVersionPut")["tombstone"] is True
    index, _hash, deleted, _at = chain.call(records, "latestVersion", KEY)
    assert (index, deleted) == (1, True)
    assert chain.call(records, "getVersion", KEY, 0)[0] == digest("content-0")
    with reject("RecordStore: record is already deleted"):
        put(chain, records, writer, None, tombstone=True)
    put(chain, records, writer, "content-2")  # re-created after deletion
    assert chain.call(records, "versionCount", KEY) == 3
    assert chain.call(records, "keyCount") == 1


def test_invalid_versions_are_refused(chain, reject, records, writer):
    with reject("RecordStore: record does not exist"):
        put(chain, records, writer, None, tombstone=True)
    with reject("RecordStore: content hash is empty"):
        put(chain, records, writer, None)
    with reject("RecordStore: key is empty"):
        put(chain, records, writer, "content", key=ZERO32)


def test_unknown_keys(chain, reject, records, writer):
    assert chain.call(records, "versionCount", KEY) == 0
    with reject("RecordStore: unknown key"):
        chain.call(records, "getVersion", KEY, 0)
    with reject("RecordStore: unknown key"):
        chain.call(records, "latestVersion", KEY)
    with reject("RecordStore: index out of range"):
        chain.call(records, "keyAt", 0)
    put(chain, records, writer, "content-0")
    with reject("RecordStore: version out of range"):
        chain.call(records, "getVersion", KEY, 1)


def test_only_authorised_writers_put_versions(chain, reject, records, writer, office):
    for caller in (chain.new_account(), office):
        with reject("RecordStore: caller is not an authorised writer"):
            put(chain, records, caller, "content")
    events = chain.transact(records, "deauthoriseWriter", writer.hex, sender=office)
    assert only_event(events, "WriterDeauthorised") == {"account": writer.hex, "by": office.hex}
    assert chain.call(records, "isWriter", writer.hex) is False
    with reject("RecordStore: caller is not an authorised writer"):
        put(chain, records, writer, "content")


def test_only_governors_manage_writers(chain, reject, records, writer, office):
    other = chain.new_account()
    with reject("RecordStore: caller is not a governor"):
        chain.transact(records, "authoriseWriter", other.hex, sender=writer)
    with reject("RecordStore: caller is not a governor"):
        chain.transact(records, "deauthoriseWriter", writer.hex, sender=writer)
    with reject("RecordStore: writer is already authorised"):
        chain.transact(records, "authoriseWriter", writer.hex, sender=office)
    with reject("RecordStore: writer is not authorised"):
        chain.transact(records, "deauthoriseWriter", other.hex, sender=office)
    with reject("RecordStore: account is the zero address"):
        chain.transact(records, "authoriseWriter", "0x" + "00" * 20, sender=office)
    events = chain.transact(records, "authoriseWriter", other.hex, sender=office)
    assert only_event(events, "WriterAuthorised") == {"account": other.hex, "by": office.hex}
