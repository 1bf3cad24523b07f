"""The strict DER codec under the signature and key-file encodings."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.crypto import _der


@given(r=st.integers(1, 2**300), s=st.integers(1, 2**300))
def test_signature_fast_path_matches_generic_encoding(r: int, s: int) -> None:
    encoded = _der.encode_signature(r, s)
    assert encoded == _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s))
    assert _der.decode_signature(encoded) == (r, s)


@pytest.mark.parametrize(
    "oid", ["1.2.840.10045.2.1", "1.2.156.10197.1.301", "1.3.132.0.10", "2.16.840.1.101.3.4.1.42"]
)
def test_oid_round_trip(oid: str) -> None:
    assert _der.decode_exact(_der.encode_oid(oid)).as_oid() == oid


def test_known_encodings() -> None:
    assert _der.encode_oid("1.2.156.10197.1.301").hex() == "06082a811ccf5501822d"
    assert _der.encode_integer(128).hex() == "02020080"
    assert _der.encode(_der.OCTET_STRING, bytes(200))[:3].hex() == "0481c8"


def _general(data: bytes) -> tuple[int, int] | None:
    try:
        return _der.decode_signature_general(data)
    except _der.DerError:
        return None


@given(data=st.binary(max_size=80))
def test_decoder_raises_only_der_errors(data: bytes) -> None:
    with contextlib.suppress(_der.DerError):
        _der.decode_signature(data)


@given(
    r=st.integers(0, 2**260),
    s=st.integers(0, 2**260),
    cut=st.integers(0, 80),
    flip=st.integers(0, 639),
)
def test_fast_signature_decoder_agrees_with_general_one(
    r: int, s: int, cut: int, flip: int
) -> None:
    """Valid encodings, truncations and single-bit corruptions are judged identically."""
    encoded = _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s))
    corrupted = bytearray(encoded)
    corrupted[(flip // 8) % len(corrupted)] ^= 1 << (flip % 8)
    for candidate in (encoded, encoded[:cut], bytes(corrupted)):
        expected = _general(candidate)
        try:
            assert _der.decode_signature(candidate) == expected
        except _der.DerError:
            assert expected is None
