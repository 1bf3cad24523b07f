"""Crypto suites against the SDK-generated accounts, hash samples, selectors and topics."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.chain.errors import InvalidAddress, SuiteMismatch
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE, CryptoSuite, suite_by_name

SUITES = {"ecdsa": ECDSA_SUITE, "gm": SM_SUITE}


def _hex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


@pytest.mark.parametrize("family", ["ecdsa", "gm"])
def test_accounts_derive_public_key_address_and_checksum(accounts: Any, family: str) -> None:
    suite = SUITES[family]
    for account in accounts[family]["accounts"]:
        key = suite.load_key(_hex(account["private_key"]))
        public_key = suite.public_key_of(key)
        assert public_key == _hex(account["public_key"])
        address = suite.address_of(public_key)
        assert "0x" + address.hex() == account["address_lower"]
        # the SDK's mixed case is EIP-55 computed with the suite hash (SM3 on guomi chains)
        assert suite.checksum_address(address) == account["address"]


def test_guomi_checksum_differs_from_ethereum_checksum(accounts: Any) -> None:
    address = _hex(accounts["gm"]["accounts"][0]["address_lower"])
    assert SM_SUITE.checksum_address(address) != ECDSA_SUITE.checksum_address(address)
    assert (
        SM_SUITE.checksum_address(address).lower() == ECDSA_SUITE.checksum_address(address).lower()
    )


@pytest.mark.parametrize(("family", "key"), [("ecdsa", "ecdsa_keccak256"), ("gm", "gm_sm3")])
def test_suite_hash_samples(selectors_topics: Any, family: str, key: str) -> None:
    for sample in selectors_topics["hash_samples"][key]:
        assert SUITES[family].hash(sample["input_utf8"].encode()) == _hex(sample["hash"])


@pytest.mark.parametrize("family", ["ecdsa", "gm"])
def test_selectors_and_topics(selectors_topics: Any, family: str) -> None:
    suite = SUITES[family]
    for entry in selectors_topics["selectors"]:
        assert suite.selector(entry["signature"]) == _hex(entry[family]["selector"])
        assert suite.event_topic(entry["signature"]) == _hex(entry[family]["topic"])


def test_error_string_selector_per_suite() -> None:
    assert ECDSA_SUITE.selector("Error(string)").hex() == "08c379a0"
    assert SM_SUITE.selector("Error(string)").hex() == "c703cb12"


def test_parse_address_accepts_either_case_and_the_suite_checksum(accounts: Any) -> None:
    gm = accounts["gm"]["accounts"][1]
    raw = _hex(gm["address_lower"])
    assert SM_SUITE.parse_address(gm["address"]) == raw
    assert SM_SUITE.parse_address(gm["address_lower"]) == raw
    assert SM_SUITE.parse_address(gm["address_lower"].upper().replace("0X", "0x")) == raw
    with pytest.raises(InvalidAddress, match="checksum") as info:
        ECDSA_SUITE.parse_address(gm["address"])
    assert info.value.code == "invalid_address"


@pytest.mark.parametrize("bad", ["0x1234", "0x" + "zz" * 20, "0x" + "00" * 21])
def test_parse_address_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidAddress, match="address"):
        SM_SUITE.parse_address(bad)


def test_a_key_of_the_other_curve_is_refused() -> None:
    with pytest.raises(SuiteMismatch):
        SM_SUITE.sign_hash(ECDSA_SUITE.generate_key(), bytes(32))
    with pytest.raises(SuiteMismatch):
        ECDSA_SUITE.public_key_of(SM_SUITE.generate_key())


@pytest.mark.parametrize("suite", [SM_SUITE, ECDSA_SUITE])
def test_sign_and_verify_hash(suite: CryptoSuite) -> None:
    key = suite.generate_key()
    digest = suite.hash(b"payload")
    signature = suite.sign_hash(key, digest)
    assert signature.public_key == suite.public_key_of(key)
    assert suite.verify_hash(signature.public_key, digest, signature.r, signature.s)
    assert not suite.verify_hash(
        signature.public_key, suite.hash(b"other"), signature.r, signature.s
    )
    assert not suite.verify_hash(signature.public_key, digest, 0, signature.s)
    assert not suite.verify_hash(b"\x01" * 64, digest, signature.r, signature.s)


def test_ecdsa_verify_rejects_high_s() -> None:
    key = ECDSA_SUITE.generate_key()
    digest = ECDSA_SUITE.hash(b"x")
    signature = ECDSA_SUITE.sign_hash(key, digest)
    high_s = ECDSA_SUITE.curve_order - signature.s
    assert not ECDSA_SUITE.verify_hash(signature.public_key, digest, signature.r, high_s)


def test_suite_by_name() -> None:
    assert suite_by_name("sm") is SM_SUITE
    assert suite_by_name("GM") is SM_SUITE
    assert suite_by_name("ecdsa") is ECDSA_SUITE
    with pytest.raises(ValueError, match="unknown crypto suite"):
        suite_by_name("rsa")


def test_address_of_accepts_sec1_and_rejects_other_lengths() -> None:
    key = SM_SUITE.generate_key()
    public_key = SM_SUITE.public_key_of(key)
    assert SM_SUITE.address_of(b"\x04" + public_key) == SM_SUITE.address_of(public_key)
    with pytest.raises(ValueError, match="64 bytes"):
        SM_SUITE.address_of(public_key[:63])
