"""Signed receipts: the pinned receipt verifies (also with the pure-Python PyPI gmssl), any
change to a field breaks the signature, and parsing is strict."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from gmssl import sm2 as gmssl_sm2

from gateway.crypto.canonical import canonical_json
from gateway.crypto.errors import InvalidKeyError
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import EcdsaSigner, Sm2Signer, address_of
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.evidence.receipt import (
    RECEIPT_FIELDS,
    Receipt,
    ReceiptFormatError,
    sign_receipt,
    verify_receipt,
)

ReceiptFactory = Any

PINNED_PUBLIC_KEY = bytes.fromhex(
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
PINNED_RECEIPT = (
    '{"consumer":"PSB","decision":"allowed","entry_id":"NRD-HOUSEHOLD",'
    '"entry_version":"0x1111111111111111111111111111111111111111111111111111111111111111",'
    '"issued_at":"2026-11-27T14:00:00.000000Z","key_id":"0x2119e1ecc071c2f3d915245c8d9c5a2cb131a89d",'
    '"provider":"NRD","reason":null,"receipt_version":1,'
    '"request_digest":"0x38936947c12add4bce5981e101cd48f9e1c8fcf79a4532d9ae60a4588926d577",'
    '"request_id":"req-0001",'
    '"response_digest":"0xacf994d2ae19919eca0a3fd11eba52c320728110076532b13e1efb028fac224c",'
    '"signature":"0x57500dda0bfe92eb1968c4eeedaf6ad9e8c14a291d2b213a6d4b01f71c7bfc0a021ebecdeb'
    '338f08d3990e81de00539a2ee25c31ab282d145eb93b8132ac16ec","sm2_user_id":"1234567812345678"}'
)


def test_pinned_receipt_verifies_and_round_trips() -> None:
    receipt = Receipt.from_json(PINNED_RECEIPT)
    assert verify_receipt(receipt, PINNED_PUBLIC_KEY)
    assert receipt.to_json() == PINNED_RECEIPT
    assert receipt.key_id == address_of(Sm2PublicKey.from_bytes(PINNED_PUBLIC_KEY))


def test_pinned_receipt_verifies_with_an_independent_sm2_implementation() -> None:
    """A third party with PyPI gmssl: strip the signature, canonical JSON, SM2 with Z_A."""
    document = json.loads(PINNED_RECEIPT)
    signature = document.pop("signature")
    message = canonical_json(document)
    verifier = gmssl_sm2.CryptSM2(private_key=None, public_key=PINNED_PUBLIC_KEY.hex())
    assert verifier.verify_with_sm3(signature[2:], message)
    assert not verifier.verify_with_sm3(signature[2:], message.replace(b"PSB", b"PSC"))


def test_sign_and_verify(make_receipt: ReceiptFactory, gateway_key: Sm2PrivateKey) -> None:
    receipt = make_receipt()
    assert verify_receipt(receipt, gateway_key.public_key)
    assert verify_receipt(receipt, gateway_key.public_key.to_sec1())
    assert receipt.key_id == address_of(gateway_key.public_key)
    assert receipt.sm2_user_id == "1234567812345678"
    assert Receipt.from_json(receipt.to_json()) == receipt


TAMPERED = {
    "request_id": "req-0002",
    "entry_id": "NRD-MARRIAGE",
    "entry_version": "0x" + "12" * 32,
    "consumer": "CAB",
    "provider": "PSB",
    "request_digest": "0x" + "00" * 32,
    "response_digest": "0x" + "ff" * 32,
    "decision": "failed",
    "reason": "provider_timeout",
    "issued_at": "2026-11-27T14:00:01.000000Z",
    "sm2_user_id": "8765432187654321",
}


@pytest.mark.parametrize(("name", "value"), TAMPERED.items())
def test_changing_any_field_breaks_the_signature(name: str, value: object) -> None:
    document = json.loads(PINNED_RECEIPT)
    document[name] = value
    assert not verify_receipt(Receipt.from_dict(document), PINNED_PUBLIC_KEY)


def test_changing_the_signature_or_key_fails() -> None:
    receipt = Receipt.from_json(PINNED_RECEIPT)
    flipped = receipt.signature[:-1] + ("0" if receipt.signature[-1] != "0" else "1")
    document = {**receipt.to_dict(), "signature": flipped}
    assert not verify_receipt(Receipt.from_dict(document), PINNED_PUBLIC_KEY)
    assert not verify_receipt(receipt, Sm2PrivateKey.generate().public_key)
    zero_r = {**receipt.to_dict(), "signature": "0x" + "00" * 64}
    assert not verify_receipt(Receipt.from_dict(zero_r), PINNED_PUBLIC_KEY)


def test_a_receipt_naming_another_key_id_fails_even_with_a_good_signature(
    gateway_key: Sm2PrivateKey, make_record_fields: Any
) -> None:
    other = "0x" + "ab" * 20
    receipt = sign_receipt(_fields(make_record_fields()), gateway_key, key_id=other)
    assert receipt.key_id == other
    assert not verify_receipt(receipt, gateway_key.public_key)


def test_user_id_is_part_of_what_is_signed(
    gateway_key: Sm2PrivateKey, make_record_fields: Any
) -> None:
    receipt = sign_receipt(_fields(make_record_fields()), gateway_key, user_id=b"gateway@NRD")
    assert receipt.sm2_user_id == "gateway@NRD"
    assert verify_receipt(receipt, gateway_key.public_key)
    relabelled = Receipt.from_dict({**receipt.to_dict(), "sm2_user_id": "1234567812345678"})
    assert not verify_receipt(relabelled, gateway_key.public_key)


def test_signing_through_a_signer(gateway_key: Sm2PrivateKey, make_record_fields: Any) -> None:
    signer = Sm2Signer(gateway_key, b"alliance-gw-01")
    receipt = sign_receipt(_fields(make_record_fields()), signer)
    assert receipt.sm2_user_id == "alliance-gw-01"
    assert verify_receipt(receipt, gateway_key.public_key)
    with pytest.raises(ReceiptFormatError):
        sign_receipt(_fields(make_record_fields()), signer, key_id="0x" + "00" * 20)
    with pytest.raises(ReceiptFormatError):
        sign_receipt(_fields(make_record_fields()), EcdsaSigner(Secp256k1PrivateKey.generate()))


def test_digests_may_be_given_as_bytes_and_time_defaults_to_now(
    gateway_key: Sm2PrivateKey, make_record_fields: Any
) -> None:
    fields = _fields(make_record_fields())
    fields["request_digest"] = bytes.fromhex(fields["request_digest"][2:])
    del fields["issued_at"]
    before = datetime.now(UTC)
    receipt = sign_receipt(fields, gateway_key)
    issued = datetime.fromisoformat(receipt.issued_at)
    assert before <= issued <= datetime.now(UTC)
    assert receipt.request_digest == "0x" + fields["request_digest"].hex()
    explicit = sign_receipt(
        {**fields, "issued_at": datetime(2026, 11, 27, 14, 0, tzinfo=UTC)}, gateway_key
    )
    assert explicit.issued_at == "2026-11-27T14:00:00.000000Z"


def test_denied_receipt_has_no_response_digest(make_receipt: ReceiptFactory) -> None:
    receipt = make_receipt(decision="denied", reason="no_grant", response_digest=None)
    assert receipt.response_digest is None
    assert json.loads(receipt.to_json())["response_digest"] is None


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    names = (
        *("request_id", "entry_id", "entry_version", "consumer", "provider"),
        *("request_digest", "response_digest", "decision", "reason"),
    )
    return {name: record[name] for name in names} | {"issued_at": "2026-11-27T14:00:00Z"}


@pytest.mark.parametrize("name", RECEIPT_FIELDS)
def test_missing_fields_are_refused(name: str) -> None:
    document = json.loads(PINNED_RECEIPT)
    del document[name]
    with pytest.raises(ReceiptFormatError) as raised:
        Receipt.from_dict(document)
    assert raised.value.field == name
    assert raised.value.code == "malformed_receipt"


def test_unknown_fields_are_refused() -> None:
    document = json.loads(PINNED_RECEIPT) | {"note": "hello"}
    with pytest.raises(ReceiptFormatError) as raised:
        Receipt.from_dict(document)
    assert raised.value.field == "note"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("receipt_version", 2),
        ("receipt_version", "1"),
        ("request_id", ""),
        ("request_digest", "0x" + "AB" * 32),
        ("response_digest", None),  # an allowed request must have one
        ("decision", "ok"),
        ("issued_at", "27/11/2026"),
        ("key_id", "gateway-1"),
        ("sm2_user_id", ""),
        ("signature", "0x" + "ab" * 63),
        ("signature", "ab" * 64),
    ],
)
def test_malformed_fields_are_refused(name: str, value: object) -> None:
    document = json.loads(PINNED_RECEIPT) | {name: value}
    with pytest.raises(ReceiptFormatError) as raised:
        Receipt.from_dict(document)
    assert raised.value.field == name


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '"receipt"', b"\xff\xfe"])
def test_non_objects_are_refused(text: str | bytes) -> None:
    with pytest.raises(ReceiptFormatError):
        Receipt.from_json(text)


def test_sign_receipt_refuses_unknown_and_missing_fields(
    gateway_key: Sm2PrivateKey, make_record_fields: Any
) -> None:
    fields = _fields(make_record_fields())
    with pytest.raises(ReceiptFormatError) as raised:
        sign_receipt(fields | {"sequence": 1}, gateway_key)
    assert raised.value.field == "sequence"
    del fields["consumer"]
    with pytest.raises(ReceiptFormatError) as raised:
        sign_receipt(fields, gateway_key)
    assert raised.value.field == "consumer"


def test_malformed_public_key_bytes_raise_a_typed_error() -> None:
    with pytest.raises(InvalidKeyError):
        verify_receipt(Receipt.from_json(PINNED_RECEIPT), b"\x04" + b"\x01" * 64)
