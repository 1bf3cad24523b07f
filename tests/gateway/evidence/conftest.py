"""Factories for evidence tests: the gateway's SM2 key, access records and receipts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.crypto.canonical import message_digest
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.digests import hex_digest
from gateway.evidence.receipt import Receipt, sign_receipt

GATEWAY_KEY_HEX = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
REQUEST = {"entry": "NRD-HOUSEHOLD", "parameters": {"id_number": "110101199003074211"}}
RESPONSE = {"records": [{"name": "张三", "status": "active"}]}


@pytest.fixture(scope="session")
def gateway_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.from_bytes(bytes.fromhex(GATEWAY_KEY_HEX))


def make_record(**overrides: Any) -> dict[str, Any]:
    """An allowed access record's evidence fields."""
    record: dict[str, Any] = {
        "request_id": "req-0001",
        "sequence": 1,
        "entry_id": "NRD-HOUSEHOLD",
        "entry_version": "0x" + "11" * 32,
        "consumer": "PSB",
        "provider": "NRD",
        "purpose": "M0101",
        "request_digest": hex_digest(message_digest(REQUEST)),
        "response_digest": hex_digest(message_digest(RESPONSE)),
        "decision": "allowed",
        "reason": None,
        "received_at": "2026-11-27T14:00:00.000000Z",
        "responded_at": "2026-11-27T14:00:00.250000Z",
    }
    record.update(overrides)
    return record


def receipt_fields(record: dict[str, Any]) -> dict[str, Any]:
    names = (
        "request_id",
        "entry_id",
        "entry_version",
        "consumer",
        "provider",
        "request_digest",
        "response_digest",
        "decision",
        "reason",
    )
    fields = {name: record[name] for name in names}
    fields["issued_at"] = "2026-11-27T14:00:00.300000Z"
    return fields


RecordFactory = Callable[..., dict[str, Any]]
ReceiptFactory = Callable[..., Receipt]


@pytest.fixture
def make_record_fields() -> RecordFactory:
    """``make_record_fields(**overrides)``: an allowed access record's evidence fields."""
    return make_record


@pytest.fixture
def make_receipt(gateway_key: Sm2PrivateKey) -> ReceiptFactory:
    """``make_receipt(**record_overrides)``: the gateway's receipt for such a record."""

    def factory(**overrides: Any) -> Receipt:
        return sign_receipt(receipt_fields(make_record(**overrides)), gateway_key)

    return factory


@pytest.fixture
def request_document() -> dict[str, Any]:
    return REQUEST


@pytest.fixture
def response_document() -> dict[str, Any]:
    return RESPONSE
