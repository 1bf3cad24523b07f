"""Record digests, keyed identifiers and the Merkle leaf of an access record: exact bytes,
checked against an independent SM3 (PyPI gmssl) and HMAC built from RFC 2104's definition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from gmssl import func as gmssl_func
from gmssl import sm3 as gmssl_sm3
from hypothesis import given
from hypothesis import strategies as st

from gateway.evidence.digests import (
    EVIDENCE_FIELDS,
    EvidenceFormatError,
    EvidenceRecordError,
    IdentifierKeyError,
    evidence_leaf,
    evidence_record,
    format_timestamp,
    keyed_identifier,
    record_digest,
)
from gateway.evidence.merkle import leaf_hash

RecordFactory = Any


def independent_sm3(data: bytes) -> bytes:
    return bytes.fromhex(gmssl_sm3.sm3_hash(gmssl_func.bytes_to_list(data)))


def hmac_by_definition(key: bytes, data: bytes) -> bytes:
    """RFC 2104 with SM3's 64-byte block, spelled out."""
    block = key.ljust(64, b"\x00") if len(key) <= 64 else independent_sm3(key).ljust(64, b"\x00")
    inner = independent_sm3(bytes(b ^ 0x36 for b in block) + data)
    return independent_sm3(bytes(b ^ 0x5C for b in block) + inner)


EXPECTED_LEAF = (
    b'{"consumer":"PSB","decision":"allowed","entry_id":"NRD-HOUSEHOLD",'
    b'"entry_version":"0x1111111111111111111111111111111111111111111111111111111111111111",'
    b'"evidence_version":1,"provider":"NRD","purpose":"M0101","reason":null,'
    b'"received_at":"2026-11-27T14:00:00.000000Z",'
    b'"request_digest":"0x38936947c12add4bce5981e101cd48f9e1c8fcf79a4532d9ae60a4588926d577",'
    b'"request_id":"req-0001","responded_at":"2026-11-27T14:00:00.250000Z",'
    b'"response_digest":"0xacf994d2ae19919eca0a3fd11eba52c320728110076532b13e1efb028fac224c",'
    b'"sequence":1}'
)
EXPECTED_LEAF_HASH = "a1eab950ff18f14d238478d5403fa6ee3c0de1579e60041ddb7ef31fb1a9a6b7"


def test_record_digest_is_sm3_of_canonical_json() -> None:
    digest = record_digest({"b": 1, "a": "x", "c": [True, None]})
    assert digest == independent_sm3(b'{"a":"x","b":1,"c":[true,null]}')
    assert (
        record_digest({"b": 1, "a": "x"}).hex()
        == "f2c989de356cb4f6b16360f7186e250ae9b3748e0b5df87a7e8211796b5d3b25"
    )


def test_record_digest_of_a_value_without_canonical_form_is_a_typed_error() -> None:
    with pytest.raises(EvidenceRecordError) as raised:
        record_digest({"amount": float("nan")})
    assert raised.value.code == "malformed_evidence_record"


def test_keyed_identifier_is_hex_hmac_sm3() -> None:
    key = b"k" * 16
    value = "110101199003074211"
    assert keyed_identifier(key, value) == hmac_by_definition(key, value.encode()).hex()
    assert (
        keyed_identifier(key, value)
        == "c518bcf67fe3b6ba02e965091cdbb9688739296ef1bf4f2755b4763a4bec4bd8"
    )
    assert keyed_identifier(b"j" * 16, value) != keyed_identifier(key, value)
    assert keyed_identifier(key, "张三") == hmac_by_definition(key, "张三".encode()).hex()


@pytest.mark.parametrize("key", [b"", b"short key", "a text key of enough length"])
def test_keyed_identifier_refuses_weak_keys(key: Any) -> None:
    with pytest.raises(IdentifierKeyError) as raised:
        keyed_identifier(key, "110101199003074211")
    assert raised.value.code == "invalid_identifier_key"


def test_evidence_leaf_exact_bytes(make_record_fields: RecordFactory) -> None:
    leaf = evidence_leaf(make_record_fields())
    assert leaf == EXPECTED_LEAF
    assert leaf_hash(leaf).hex() == EXPECTED_LEAF_HASH
    assert independent_sm3(b"\x00" + EXPECTED_LEAF).hex() == EXPECTED_LEAF_HASH


def test_evidence_leaf_leaves_out_fields_that_are_not_evidence(
    make_record_fields: RecordFactory,
) -> None:
    with_extras = make_record_fields(id=42, caller_ip="10.0.0.1", grant_id="G-7")
    assert evidence_leaf(with_extras) == EXPECTED_LEAF
    assert set(evidence_record(with_extras)) == set(EVIDENCE_FIELDS)


def test_denied_record_without_response(make_record_fields: RecordFactory) -> None:
    denied = make_record_fields(
        decision="denied", reason="no_grant", response_digest=None, responded_at=None
    )
    assert b'"response_digest":null' in evidence_leaf(denied)
    assert b'"reason":"no_grant"' in evidence_leaf(denied)


@pytest.mark.parametrize("name", EVIDENCE_FIELDS)
def test_every_missing_field_is_named(make_record_fields: RecordFactory, name: str) -> None:
    record = make_record_fields()
    del record[name]
    with pytest.raises(EvidenceRecordError) as raised:
        evidence_leaf(record)
    assert raised.value.field == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("request_id", ""),
        ("sequence", 0),
        ("sequence", True),
        ("sequence", 2**53),
        ("sequence", "1"),
        ("entry_id", None),
        ("consumer", 7),
        ("purpose", 5),
        ("request_digest", "0x" + "AB" * 32),
        ("request_digest", "ab" * 32),
        ("request_digest", "0x" + "ab" * 31),
        ("response_digest", b"\x00" * 32),
        ("decision", "ALLOWED"),
        ("reason", 3),
        ("received_at", "2026-11-27T14:00:00+08:00"),
        ("received_at", "2026-02-30T14:00:00Z"),
        ("received_at", "2026-11-27 14:00:00Z"),
        ("responded_at", 1764252000),
    ],
)
def test_malformed_fields_are_refused(
    make_record_fields: RecordFactory, name: str, value: object
) -> None:
    with pytest.raises(EvidenceRecordError) as raised:
        evidence_leaf(make_record_fields(**{name: value}))
    assert raised.value.field == name


def test_an_allowed_record_must_carry_its_response_digest(
    make_record_fields: RecordFactory,
) -> None:
    with pytest.raises(EvidenceRecordError) as raised:
        evidence_leaf(make_record_fields(response_digest=None))
    assert raised.value.field == "response_digest"


RECORD = {
    "request_id": "req-0001",
    "sequence": 1,
    "entry_id": "NRD-HOUSEHOLD",
    "entry_version": "0x" + "11" * 32,
    "consumer": "PSB",
    "provider": "NRD",
    "purpose": "M0101",
    "request_digest": "0x38936947c12add4bce5981e101cd48f9e1c8fcf79a4532d9ae60a4588926d577",
    "response_digest": "0xacf994d2ae19919eca0a3fd11eba52c320728110076532b13e1efb028fac224c",
    "decision": "allowed",
    "reason": None,
    "received_at": "2026-11-27T14:00:00.000000Z",
    "responded_at": "2026-11-27T14:00:00.250000Z",
}


@given(order=st.permutations(EVIDENCE_FIELDS))
def test_field_order_does_not_change_the_leaf(order: list[str]) -> None:
    assert evidence_leaf({name: RECORD[name] for name in order}) == EXPECTED_LEAF


@given(
    name=st.sampled_from(["request_id", "entry_id", "entry_version", "consumer", "provider"]),
    suffix=st.text(min_size=1, max_size=8),
)
def test_any_change_to_a_field_changes_the_leaf_hash(name: str, suffix: str) -> None:
    changed = {**RECORD, name: str(RECORD[name]) + suffix}
    assert leaf_hash(evidence_leaf(changed)).hex() != EXPECTED_LEAF_HASH


def test_the_fixture_record_is_the_pinned_one(make_record_fields: RecordFactory) -> None:
    assert make_record_fields() == RECORD


def test_format_timestamp_is_utc_with_microseconds() -> None:
    moment = datetime(2026, 11, 27, 22, 0, 0, 250000, tzinfo=timezone(timedelta(hours=8)))
    assert format_timestamp(moment) == "2026-11-27T14:00:00.250000Z"
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.000000Z"
    )
    with pytest.raises(EvidenceFormatError):
        format_timestamp(datetime(2026, 1, 2, 3, 4, 5))
