"""Known answers for SM3 (GB/T 32905), Keccak-256 and HMAC-SM3 (RFC 2104)."""

from __future__ import annotations

from typing import Any

import gmssl_pyx
import pytest
from cryptography.hazmat.primitives import hashes, hmac

from gateway.crypto.hashing import KECCAK256, SM3, hmac_sm3, keccak256, sm3, sm3_many

# GB/T 32905-2016 Appendix A, examples 1 and 2.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_X16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm3_standard_vectors() -> None:
    assert sm3(b"abc").hex() == SM3_ABC
    assert sm3(b"abcd" * 16).hex() == SM3_ABCD_X16


def test_sm3_many_gives_the_standard_answers_in_order() -> None:
    inputs = [b"abc", b"abcd" * 16, b"", b"\x00" * 1000]
    assert [d.hex() for d in sm3_many(inputs)[:2]] == [SM3_ABC, SM3_ABCD_X16]
    assert sm3_many(inputs) == [sm3(item) for item in inputs]
    assert sm3_many(iter([])) == []
    assert all(type(d) is bytes for d in sm3_many(inputs))


def test_sm3_and_keccak_match_fisco_sdk_samples(selectors_topics: Any) -> None:
    samples = selectors_topics["hash_samples"]
    for case in samples["gm_sm3"]:
        assert "0x" + sm3(case["input_utf8"].encode()).hex() == case["hash"]
    for case in samples["ecdsa_keccak256"]:
        assert "0x" + keccak256(case["input_utf8"].encode()).hex() == case["hash"]


def test_keccak256_is_not_sha3_256() -> None:
    # Ethereum's Keccak-256 of the empty string; SHA3-256 would be a7ffc6f8...
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


def test_hasher_objects_describe_themselves() -> None:
    assert (SM3.name, SM3.digest_size, SM3.hash(b"abc").hex()) == ("sm3", 32, SM3_ABC)
    assert (KECCAK256.name, KECCAK256.digest_size) == ("keccak256", 32)
    assert KECCAK256.hash(b"abc") == keccak256(b"abc")


def _hmac_by_definition(key: bytes, data: bytes) -> bytes:
    """RFC 2104 spelled out: H((K ^ opad) || H((K ^ ipad) || m)), SM3 block size 64."""
    if len(key) > 64:
        key = sm3(key)
    key = key.ljust(64, b"\x00")
    inner = sm3(bytes(b ^ 0x36 for b in key) + data)
    return sm3(bytes(b ^ 0x5C for b in key) + inner)


@pytest.mark.parametrize(
    ("key", "data"),
    [
        (b"\x00", b""),
        (b"key", b"The quick brown fox jumps over the lazy dog"),
        (bytes(range(64)), b"exactly one block of key"),
        (b"k" * 100, b"a key longer than the block is hashed first"),
    ],
)
def test_hmac_sm3_agrees_with_definition_gmssl_and_pyca(key: bytes, data: bytes) -> None:
    expected = _hmac_by_definition(key, data)
    assert hmac_sm3(key, data) == expected
    assert gmssl_pyx.sm3_hmac(key, data) == expected
    pyca = hmac.HMAC(key, hashes.SM3())
    pyca.update(data)
    assert pyca.finalize() == expected


def test_hmac_sm3_known_answer() -> None:
    # Value produced identically by GmSSL, pyca/cryptography and the RFC 2104 definition above.
    assert hmac_sm3(b"key", b"abc").hex() == (
        "28e63256e7c5a087b1f073265dc53092163f7b82729735d06f28f10af9d52393"
    )
    assert hmac_sm3(b"kez", b"abc") != hmac_sm3(b"key", b"abc")
