"""The signed-message definition both sides of the provider protocol depend on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers import protocol


def test_signed_message_is_canonical_json_newline_timestamp() -> None:
    body = {"request_id": "r-1", "params": {"b": 1, "a": "不动产"}, "entry_id": "NRD-TITLE"}
    message = protocol.signed_message(body, "2026-11-27T14:35:00Z")
    assert message == (
        b'{"entry_id":"NRD-TITLE","params":{"a":"\xe4\xb8\x8d\xe5\x8a\xa8\xe4\xba\xa7","b":1},'
        b'"request_id":"r-1"}\n2026-11-27T14:35:00Z'
    )


def test_signature_headers_verify_and_name_the_signer() -> None:
    key = Sm2PrivateKey.generate()
    body = {"request_id": "r-2", "data": {"area": 89.5}}
    headers = protocol.signature_headers(key, body, "2026-11-27T14:35:00Z")
    assert headers[protocol.KEY_ID_HEADER] == address_of(key.public_key)
    assert len(headers[protocol.SIGNATURE_HEADER]) == 128
    signature = headers[protocol.SIGNATURE_HEADER]
    assert protocol.verify(key.public_key, body, "2026-11-27T14:35:00Z", signature)
    # the user ID is GB/T 32918's default 1234567812345678
    raw = bytes.fromhex(signature)
    from gateway.crypto.sm2 import Sm2Signature

    message = protocol.signed_message(body, "2026-11-27T14:35:00Z")
    assert key.public_key.verify(message, Sm2Signature.from_raw(raw), b"1234567812345678")


def test_verify_refuses_changes_and_garbage() -> None:
    key = Sm2PrivateKey.generate()
    body = {"request_id": "r-3"}
    signature = protocol.sign(key, body, "2026-11-27T14:35:00Z")
    assert not protocol.verify(
        key.public_key, {"request_id": "r-4"}, "2026-11-27T14:35:00Z", signature
    )
    assert not protocol.verify(key.public_key, body, "2026-11-27T14:35:01Z", signature)
    assert not protocol.verify(
        Sm2PrivateKey.generate().public_key, body, "2026-11-27T14:35:00Z", signature
    )
    assert not protocol.verify(key.public_key, body, "2026-11-27T14:35:00Z", "zz" * 64)
    assert not protocol.verify(key.public_key, body, "2026-11-27T14:35:00Z", "00" * 64)
    assert not protocol.verify(key.public_key, body, "2026-11-27T14:35:00Z", signature[:-2])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T14:35:00Z", datetime(2026, 11, 27, 14, 35, tzinfo=UTC)),
        ("2026-11-27t14:35:00z", datetime(2026, 11, 27, 14, 35, tzinfo=UTC)),
        ("2026-11-27T22:35:00+08:00", datetime(2026, 11, 27, 14, 35, tzinfo=UTC)),
        ("2026-11-27T14:35:00.123456789Z", datetime(2026, 11, 27, 14, 35, 0, 123456, tzinfo=UTC)),
    ],
)
def test_rfc3339_timestamps_parse(text: str, expected: datetime) -> None:
    assert protocol.parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026-11-27T14:35:00", "2026-11-27 14:35:00Z", "27/11/2026", "2026-13-27T14:35:00Z", ""],
)
def test_timestamps_without_offset_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(protocol.TimestampError):
        protocol.parse_timestamp(text)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2099, 1, 1),
        timezones=st.just(timezone(timedelta(hours=8))),
    )
)
def test_format_then_parse_round_trips_to_the_second(moment: datetime) -> None:
    text = protocol.format_timestamp(moment)
    assert text.endswith("Z") and len(text) == 20
    assert protocol.parse_timestamp(text) == moment.replace(microsecond=0)


def test_clock_skew_window_is_300_seconds() -> None:
    now = datetime(2026, 11, 27, 14, 35, tzinfo=UTC)
    assert protocol.within_skew(now - timedelta(seconds=300), now)
    assert protocol.within_skew(now + timedelta(seconds=300), now)
    assert not protocol.within_skew(now - timedelta(seconds=301), now)
    assert not protocol.within_skew(now + timedelta(seconds=301), now)
